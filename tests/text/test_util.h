// Copyright 2026 The Dubare Authors.
//
// test_util.h: helpers shared by the normalizer tests: reading corpus files
// and checking the invariants every NormalizedText must satisfy.

#ifndef DUBARE_TESTS_TEXT_TEST_UTIL_H_
#define DUBARE_TESTS_TEXT_TEST_UTIL_H_

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "dubare/normalize.h"
#include "gtest/gtest.h"

namespace dubare::testing {

// All *.txt files under `dir`, sorted; empty when `dir` does not exist.
inline std::vector<std::string> TextFilesUnder(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".txt") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The same options without the offset map (NormalizeOptions::offset_map),
// whose text must equal the text normalized with it.
inline NormalizeOptions WithoutMap(NormalizeOptions options) {
  options.offset_map = false;
  return options;
}

// The checks every result must pass: one map entry per output byte, each
// span inside the input and non-empty, both ends non-decreasing.
inline ::testing::AssertionResult MapIsValid(const NormalizedText& out, size_t input_size) {
  const OffsetMap& map = out.map;
  if (map.size() != out.text.size()) {
    return ::testing::AssertionFailure()
           << "map has " << map.size() << " entries for " << out.text.size() << " bytes";
  }
  if (map.input_size() != input_size) {
    return ::testing::AssertionFailure() << "input_size " << map.input_size();
  }
  for (size_t i = 0; i < map.size(); ++i) {
    const uint32_t b = map.begins()[i], e = map.ends()[i];
    if (!(b < e && e <= input_size)) {
      return ::testing::AssertionFailure() << "byte " << i << " maps to [" << b << ", " << e << ")";
    }
    if (i > 0 && (b < map.begins()[i - 1] || e < map.ends()[i - 1])) {
      return ::testing::AssertionFailure() << "map not monotone at output byte " << i;
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace dubare::testing

#endif  // DUBARE_TESTS_TEXT_TEST_UTIL_H_
