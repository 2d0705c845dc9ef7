// Copyright 2026 The Dubare Authors.
//
// report.h: the repeated-passage report, for people and for programs (the
// `dubare passages` job that reads files and writes it is in jobs.h).
//
// A PassageReport is the documents (ids and original texts), what
// FindPassages found in them and the inputs the reader refused. It renders
// as
//   * text: a terminal report grouped by document pair, longest passages
//     first, the two passages one under the other with differing words
//     marked ([-gone-] {+new+}, [~spelling~] {~variant~}; or ANSI colours);
//   * json: JSON Lines -- a summary record, one record per match (both ids,
//     spans as UTF-8 byte and code-point offsets into the original text, the
//     original text of both spans, similarity, word diff), one per
//     boilerplate passage and one per refused input;
//   * html: a self-contained folder of pages (no network; works from
//     file://), small whatever the corpus: index.html (the counts, an SVG
//     histogram of pair similarities, the pairs most similar first, paged
//     as index-2.html, index-3.html...; a filter over pairs.js when scripts
//     run), one page per document pair under pairs/ with the two documents
//     side by side (matched passages highlighted in the same colour on both
//     sides, differing words struck out / underlined), boilerplate.html and
//     refused.html. The interface is English, left to right; document text
//     carries its own lang and dir. Everything is escaped.
// docs/passages.md shows all three.
//
// Ownership: a PassageReport views document texts the caller keeps alive.
// Thread safety: the renderers are pure functions of their arguments.

#ifndef DUBARE_REPORT_H_
#define DUBARE_REPORT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dubare/passages.h"
#include "dubare/reader.h"

namespace dubare {

enum class ReportFormat : uint8_t { kText, kJson, kHtml };

// "text", "json", "html"; and back (kInvalidArgument otherwise).
absl::string_view ReportFormatName(ReportFormat format);
absl::StatusOr<ReportFormat> ParseReportFormat(absl::string_view name);

struct ReportOptions {
  ReportFormat format = ReportFormat::kText;
  // Text: mark differences with ANSI colours instead of brackets.
  bool color = false;
  std::string title = "Repeated passages";
  // HTML: a document up to this size is shown whole beside its partner;
  // a longer one as excerpts of html_context_bytes around each passage.
  size_t html_whole_document_bytes = size_t{64} << 10;
  size_t html_context_bytes = 400;
  // HTML: at most this much of each document's text on a pair page (the
  // rest is cut and says so), so that a page stays small (a few MB at most)
  // even when two huge documents share a huge passage.
  size_t html_side_bytes = size_t{512} << 10;
  // HTML: pairs listed on each index page.
  size_t html_rows_per_page = 200;
  // Only the top_pairs document pairs with the highest similarity (their
  // best passage's) are reported, in every format; the summaries count the
  // others as left out. 0 = all. (`dubare passages` defaults to
  // kHtmlDefaultTopPairs for html.)
  size_t top_pairs = 0;
  // HTML: the folder's size budget. Pairs, most similar first, get their
  // page and their row only while the folder stays within it (the rest are
  // left out, as with top_pairs), so the report opens and copies easily
  // whatever the corpus and the documents' lengths. The most similar pair is
  // always listed. 0 = no budget.
  size_t html_max_bytes = size_t{5} << 20;
  // Ids that begin with this directory and a '/' are shown relative to it in
  // the text and HTML reports (the passages job sets the working directory).
  // JSON keeps ids as given. Empty = as given.
  std::string relative_to;
};

// What `dubare passages --format html` keeps when --top is not given: a
// person reads the most similar pairs first, and 250 pair pages keep the
// folder near 5 MB on the 20,000-article crawl (docs/passages.md); the
// histogram still counts every pair and the JSON report lists them all.
inline constexpr size_t kHtmlDefaultTopPairs = 250;

struct ReportDocument {
  absl::string_view id;
  absl::string_view text;  // the original text the spans refer to
};

// An input the reader refused (see RejectReason).
struct ReportRejection {
  std::string location;  // "FILE:LINE" or "FILE"
  RejectReason reason = RejectReason::kNone;
  std::string detail;
};

struct PassageReport {
  std::vector<ReportDocument> documents;  // in the order given to FindPassages
  PassageResult result;
  std::vector<ReportRejection> rejected;
};

// The report in options.format; for kHtml, only the folder's index.html (use
// RenderPassageReportFolder for the whole report).
std::string RenderPassageReport(const PassageReport& report, const ReportOptions& options);

// Receives one file of the HTML report: `path` is relative to the report
// folder and '/'-separated ("index.html", "pairs/12.html", "style.css").
using ReportFileSink =
    std::function<absl::Status(absl::string_view path, absl::string_view content)>;

// Renders the HTML report folder (whatever options.format says), one file at
// a time, so that memory holds one page, not the report, and returns the
// number of document pairs listed (top_pairs and html_max_bytes). Stops at
// and returns the first error of `sink`.
absl::StatusOr<size_t> RenderPassageReportFolder(const PassageReport& report,
                                                 const ReportOptions& options,
                                                 const ReportFileSink& sink);

// Code-point offsets of UTF-8 byte offsets into one text, in O(1) after an
// O(n) index. A byte offset inside a sequence counts the code points that
// begin before it.
class CodePointIndex {
 public:
  explicit CodePointIndex(absl::string_view text);
  uint32_t CodePoints(uint32_t byte_offset) const;

 private:
  static constexpr int kStrideBits = 8;
  absl::string_view text_;
  std::vector<uint32_t> before_;  // code points before byte k << kStrideBits
};

}  // namespace dubare

#endif  // DUBARE_REPORT_H_
