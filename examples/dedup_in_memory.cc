// Copyright 2026 The Dubare Authors.
//
// Dedups a std::vector of texts held in memory with the library alone: no
// file, no output directory. Prints each cluster with its kept member, and
// exits 1 unless the two re-published copies below are found.
//
//   cmake -S examples -B build-examples -DCMAKE_PREFIX_PATH=/usr/local
//   cmake --build build-examples && build-examples/dedup_in_memory

#include <cstdio>
#include <string>
#include <vector>

#include "dubare/dedup.h"

int main() {
  const std::vector<std::string> ids = {"rudaw-1", "kurdistan24-7", "other", "rudaw-1-copy"};
  const std::vector<std::string> texts = {
      "سەرۆکی حکومەتی هەرێمی کوردستان لە دیدارێکدا لەگەڵ باڵیۆزی ئەمریکا باسی رەوشی ناوچەکەی کرد "
      "و جەختی لە پێویستی هاوکاری کردەوە بۆ بەرەنگاربوونەوەی تیرۆر",
      "کۆنگرەیەکی نێودەوڵەتی لە شاری منامە بەڕێوەچوو و نوێنەری چەندین وڵات بەشدارییان تێدا کرد",
      "Rojnameya Kurdistanê îro nûçeyek li ser aboriyê û bazarê weşand",
      // The first story re-published: old orthography (heh + ZWNJ, Arabic kaf), a word changed.
      "سه‌رۆکی حكومه‌تی هەرێمی کوردستان لە دیدارێکدا لەگەڵ باڵیۆزی ئەمریکا باسی رەوشی ناوچەکەی کرد "
      "و جەختی لە پێویستی هاوکاری کردەوە بۆ رووبەڕووبوونەوەی تیرۆر",
  };
  std::vector<dubare::DedupInput> docs;
  for (size_t i = 0; i < texts.size(); ++i) docs.push_back({ids[i], texts[i], {}});

  dubare::DedupOptions options;  // the CLI's defaults: word 2-grams, 128 MinHash values, 0.4
  options.threshold = 0.5;
  absl::StatusOr<dubare::DedupResult> result = dubare::Dedup(docs, options);
  if (!result.ok()) {
    std::fprintf(stderr, "dedup: %s\n", std::string(result.status().message()).c_str());
    return 2;
  }
  for (const dubare::Cluster& cluster : result->clusters) {
    std::printf("kept %s:", ids[cluster.representative].c_str());
    for (const dubare::ClusterMember& m : cluster.members) {
      if (m.doc != cluster.representative) std::printf(" %s (%.2f)", ids[m.doc].c_str(), m.score);
    }
    std::printf("\n");
  }
  const bool found = result->clusters.size() == 1 &&
                     result->fate[3] == dubare::DocumentFate::kDuplicate &&
                     result->fate[0] == dubare::DocumentFate::kKept;
  return found ? 0 : 1;
}
