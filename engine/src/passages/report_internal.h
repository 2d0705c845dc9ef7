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

inline absl::string_view Slice(absl::string_view text, ByteSpan span) {
  return text.substr(span.begin, span.size());
}

std::string RenderText(const PassageReport& report, const ReportOptions& options);
std::string RenderJson(const PassageReport& report);
std::string RenderHtml(const PassageReport& report, const ReportOptions& options);

}  // namespace dubare::passages_internal

#endif  // DUBARE_PASSAGES_REPORT_INTERNAL_H_
