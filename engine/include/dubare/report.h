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
//   * html: one self-contained right-to-left page (no scripts, no network):
//     a summary table linking to every pair, then each pair side by side with
//     matched passages highlighted in the same colour on both sides and
//     differing words struck out / underlined. Everything is escaped.
// docs/passages.md shows all three.
//
// Ownership: a PassageReport views document texts the caller keeps alive.
// Thread safety: the renderers are pure functions of their arguments.

#ifndef DUBARE_REPORT_H_
#define DUBARE_REPORT_H_

#include <cstddef>
#include <cstdint>
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
};

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

// The report in options.format.
std::string RenderPassageReport(const PassageReport& report, const ReportOptions& options);

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
