// Copyright 2026 The Dubare Authors.
//
// report_internal.h (private): what the text, JSON and HTML renderers of the
// passage report share.

#ifndef DUBARE_PASSAGES_REPORT_INTERNAL_H_
#define DUBARE_PASSAGES_REPORT_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "dubare/report.h"

namespace dubare::passages_internal {

// The matches of one document pair: result.matches[begin, end).
struct PairGroup {
  uint32_t a_doc = 0, b_doc = 0;
  size_t begin = 0, end = 0;
  uint64_t words = 0;        // both sides of all its matches
  double best_similarity = 0;
};
std::vector<PairGroup> GroupPairs(const PassageResult& result);

// Indexes into `groups`, most similar pair first (best similarity, then
// more words, then the order of FindPassages).
std::vector<size_t> RankPairs(const std::vector<PairGroup>& groups);

// Which groups the report keeps: the options.top_pairs first of RankPairs
// (all when 0).
std::vector<bool> KeptPairs(const std::vector<PairGroup>& groups, const ReportOptions& options);

// `id` relative to options.relative_to when it lies under it.
absl::string_view DisplayId(absl::string_view id, const ReportOptions& options);

// "13,840": thousands separated by commas.
std::string Thousands(uint64_t n);
// "1 passage", "2 passages", "13,840 passages".
std::string Plural(uint64_t n, absl::string_view one, absl::string_view many);

inline absl::string_view Slice(absl::string_view text, ByteSpan span) {
  return text.substr(span.begin, span.size());
}

std::string RenderText(const PassageReport& report, const ReportOptions& options);
std::string RenderJson(const PassageReport& report, const ReportOptions& options);
// index.html of the HTML report folder.
std::string RenderHtmlIndex(const PassageReport& report, const ReportOptions& options);

}  // namespace dubare::passages_internal

#endif  // DUBARE_PASSAGES_REPORT_INTERNAL_H_
