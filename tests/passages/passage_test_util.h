// Copyright 2026 The Dubare Authors.
//
// Helpers shared by the passage tests: loading corpus/press and checking the
// invariants every passage result must hold.

#ifndef DUBARE_TESTS_PASSAGES_PASSAGE_TEST_UTIL_H_
#define DUBARE_TESTS_PASSAGES_PASSAGE_TEST_UTIL_H_

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "dubare/file.h"
#include "dubare/passages.h"
#include "gtest/gtest.h"
#include "unicode/uchar.h"

namespace dubare::testing {

struct Texts {
  std::vector<std::string> ids;
  std::vector<std::string> texts;
  std::vector<absl::string_view> Views() const { return {texts.begin(), texts.end()}; }
  // Index of the only text that contains `needle`, or -1.
  int Containing(absl::string_view needle) const {
    int found = -1;
    for (size_t i = 0; i < texts.size(); ++i) {
      if (absl::string_view(texts[i]).find(needle) != absl::string_view::npos) {
        if (found >= 0) return -1;
        found = static_cast<int>(i);
      }
    }
    return found;
  }
};

inline Texts LoadPress() {
  Texts out;
  const std::filesystem::path dir = std::filesystem::path(DUBARE_SOURCE_DIR) / "corpus" / "press";
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(dir)) paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  for (const std::string& p : paths) {
    absl::StatusOr<std::string> text = ReadFile(p);
    EXPECT_TRUE(text.ok()) << text.status();
    out.ids.push_back(p);
    out.texts.push_back(text.ok() ? *text : "");
  }
  return out;
}

// Whether the code point that ends before / starts at byte `pos` is part of
// a word (a letter, mark or digit).
inline bool WordCharAt(absl::string_view text, size_t pos, bool before) {
  if (before ? pos == 0 : pos >= text.size()) return false;
  size_t start = before ? pos - 1 : pos;
  while (before && start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  UChar32 cp = 0;
  int32_t i = 0;
  U8_NEXT(reinterpret_cast<const uint8_t*>(text.data() + start), i,
          static_cast<int32_t>(text.size() - start), cp);
  if (cp < 0) return false;
  return u_isalnum(cp) || u_getIntPropertyValue(cp, UCHAR_GENERAL_CATEGORY) == U_NON_SPACING_MARK;
}

// What every result must satisfy, whatever the input.
inline void ExpectValidResult(const std::vector<absl::string_view>& texts,
                              const PassageResult& result, const PassageOptions& options) {
  for (const PassageMatch& m : result.matches) {
    ASSERT_LE(m.a.doc, m.b.doc);
    ASSERT_LT(m.b.doc, texts.size());
    for (const PassageSpan* s : {&m.a, &m.b}) {
      const absl::string_view text = texts[s->doc];
      ASSERT_LT(s->bytes.begin, s->bytes.end);
      ASSERT_LE(s->bytes.end, text.size());
      // Boundaries fall between words, never inside one.
      EXPECT_FALSE(WordCharAt(text, s->bytes.begin, /*before=*/true)) << s->bytes.begin;
      EXPECT_FALSE(WordCharAt(text, s->bytes.end, /*before=*/false)) << s->bytes.end;
      EXPECT_TRUE(WordCharAt(text, s->bytes.begin, false));
      EXPECT_TRUE(WordCharAt(text, s->bytes.end, true));
      EXPECT_GE(s->words, static_cast<uint32_t>(options.min_words));
    }
    if (m.a.doc == m.b.doc) {
      EXPECT_LE(m.a.bytes.end, m.b.bytes.begin) << "self-overlap";
    }
    EXPECT_GE(m.similarity, options.min_similarity);
    EXPECT_LE(m.similarity, 1.0);
    // Diff segments tile the spans in order.
    ASSERT_FALSE(m.diff.empty());
    EXPECT_EQ(m.diff.front().a.begin, m.a.bytes.begin);
    EXPECT_EQ(m.diff.front().b.begin, m.b.bytes.begin);
    EXPECT_EQ(m.diff.back().a.end, m.a.bytes.end);
    EXPECT_EQ(m.diff.back().b.end, m.b.bytes.end);
    for (size_t i = 1; i < m.diff.size(); ++i) {
      EXPECT_LE(m.diff[i - 1].a.end, m.diff[i].a.begin);
      EXPECT_LE(m.diff[i - 1].b.end, m.diff[i].b.begin);
      EXPECT_NE(m.diff[i - 1].kind, m.diff[i].kind);
    }
  }
}

}  // namespace dubare::testing

#endif  // DUBARE_TESTS_PASSAGES_PASSAGE_TEST_UTIL_H_
