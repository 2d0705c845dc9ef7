// Copyright 2026 The Dubare Authors.
//
// Hand-made passage reports for the HTML report tests: many document pairs
// with known similarities, and the report folder rendered into memory.

#ifndef DUBARE_TESTS_PASSAGES_REPORT_FIXTURE_H_
#define DUBARE_TESTS_PASSAGES_REPORT_FIXTURE_H_

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dubare/report.h"
#include "gtest/gtest.h"

namespace dubare::testing {

// `pairs` document pairs (documents 2k and 2k+1), each sharing one passage
// (one more in every third pair) with a pseudo-random similarity in
// [0.5, 1]. Ids are long absolute paths under `root`, so that they must
// wrap and may be shown relative.
struct ManyPairs {
  std::vector<std::string> ids, texts;
  std::vector<double> similarity;  // of each pair's best passage
  PassageReport report;

  explicit ManyPairs(size_t pairs, const std::string& root = "/srv/crawl", uint32_t seed = 7) {
    std::mt19937 rng(seed);
    const std::string sentence =
        "هەواڵی ئەمڕۆ لە هەولێر باس لە کۆبوونەوەی پەرلەمان دەکات و وتەبێژەکەی ڕایگەیاند. ";
    for (size_t k = 0; k < 2 * pairs; ++k) {
      ids.push_back(absl::StrCat(root, "/outlet-", k % 37, "/2024/very-long-section-name-",
                                 k % 11, "/article-", k, "-", std::string(20, 'x'), ".txt"));
      std::string text;
      for (int s = 0; s < 6; ++s) text += sentence;
      texts.push_back(text);
    }
    for (size_t k = 0; k < 2 * pairs; ++k) report.documents.push_back({ids[k], texts[k]});
    const uint32_t len = static_cast<uint32_t>(sentence.size());
    for (size_t p = 0; p < pairs; ++p) {
      const double s = 0.5 + (rng() % 5001) / 10000.0;
      similarity.push_back(s);
      const int passages = p % 3 == 0 ? 2 : 1;
      for (int i = 0; i < passages; ++i) {
        PassageMatch m;
        m.a = {static_cast<uint32_t>(2 * p), {i * 3 * len, (i * 3 + 2) * len}, 24};
        m.b = {static_cast<uint32_t>(2 * p + 1), {i * 3 * len, (i * 3 + 2) * len}, 24};
        m.similarity = i == 0 ? s : s * 0.9;
        m.diff = {{DiffKind::kSame, m.a.bytes, m.b.bytes}};
        report.result.matches.push_back(m);
      }
    }
  }
};

// The HTML report folder: path -> content.
inline std::map<std::string, std::string> RenderFolder(const PassageReport& report,
                                                       const ReportOptions& options) {
  std::map<std::string, std::string> files;
  absl::StatusOr<size_t> listed = RenderPassageReportFolder(
      report, options, [&](absl::string_view path, absl::string_view content) {
        EXPECT_TRUE(files.emplace(std::string(path), std::string(content)).second) << path;
        return absl::OkStatus();
      });
  EXPECT_TRUE(listed.ok()) << listed.status();
  return files;
}

}  // namespace dubare::testing

#endif  // DUBARE_TESTS_PASSAGES_REPORT_FIXTURE_H_
