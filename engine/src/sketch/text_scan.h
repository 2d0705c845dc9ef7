// Copyright 2026 The Dubare Authors.
//
// text_scan.h (private): one pass over UTF-8 text that yields words or code
// points with their byte spans, the front end of every shingle.
//
// A word is a maximal run of letters, marks, decimal digits and the joiners
// ZWNJ/ZWJ (which sit inside Sorani words); everything else separates.
// Invalid UTF-8 never stops the scan: each invalid byte is one unit of its
// own, a separator for words.

#ifndef DUBARE_SKETCH_TEXT_SCAN_H_
#define DUBARE_SKETCH_TEXT_SCAN_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace dubare::sketch_internal {

enum CharClass : uint8_t { kOther = 0, kWordChar = 1, kSpace = 2 };

// Class of a code point (a 64 KiB table for the BMP, ICU beyond it).
CharClass ClassifySupplementary(uint32_t cp);
const uint8_t* BmpClassTable();

// Decodes the unit at text[i] (i < size): sets *cp (0xFFFD for an invalid
// byte) and returns its length in bytes (1 for an invalid byte).
inline size_t DecodeUtf8(const unsigned char* s, size_t i, size_t size, uint32_t* cp) {
  const unsigned c = s[i];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  auto cont = [&](size_t j) { return j < size && (s[j] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c < 0xE0 && cont(i + 1)) {
    *cp = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
    return 2;
  }
  if (c >= 0xE0 && c < 0xF0 && cont(i + 1) && cont(i + 2)) {
    const uint32_t v = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
    if (v >= 0x800 && (v < 0xD800 || v > 0xDFFF)) {
      *cp = v;
      return 3;
    }
  } else if (c >= 0xF0 && c < 0xF5 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
    const uint32_t v = ((c & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) |
                       ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
    if (v >= 0x10000 && v <= 0x10FFFF) {
      *cp = v;
      return 4;
    }
  }
  *cp = 0xFFFD;
  return 1;
}

inline CharClass Classify(const uint8_t* bmp, uint32_t cp, size_t len) {
  if (len == 1 && cp == 0xFFFD) return kOther;  // an invalid byte
  return cp < 0x10000 ? static_cast<CharClass>(bmp[cp]) : ClassifySupplementary(cp);
}

// Calls on_word(begin, end) for every word of text, in order.
template <typename OnWord>
inline void ForEachWord(absl::string_view text, OnWord&& on_word) {
  const uint8_t* bmp = BmpClassTable();
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  size_t i = 0;
  while (i < size) {
    // Skip separators.
    uint32_t cp;
    size_t len;
    for (;;) {
      if (i >= size) return;
      if (s[i] < 0x80) {
        if (bmp[s[i]] == kWordChar) break;
        ++i;
        continue;
      }
      len = DecodeUtf8(s, i, size, &cp);
      if (Classify(bmp, cp, len) == kWordChar) break;
      i += len;
    }
    const size_t begin = i;
    for (;;) {
      if (i >= size) break;
      if (s[i] < 0x80) {
        if (bmp[s[i]] != kWordChar) break;
        ++i;
        continue;
      }
      len = DecodeUtf8(s, i, size, &cp);
      if (Classify(bmp, cp, len) != kWordChar) break;
      i += len;
    }
    on_word(begin, i);
  }
}

// Calls on_char(begin, end) for every code point (or invalid byte) of text,
// skipping white space when skip_spaces.
template <typename OnChar>
inline void ForEachChar(absl::string_view text, bool skip_spaces, OnChar&& on_char) {
  const uint8_t* bmp = BmpClassTable();
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  size_t i = 0;
  while (i < size) {
    uint32_t cp;
    const size_t len = DecodeUtf8(s, i, size, &cp);
    if (!skip_spaces || Classify(bmp, cp, len) != kSpace) on_char(i, i + len);
    i += len;
  }
}

}  // namespace dubare::sketch_internal

#endif  // DUBARE_SKETCH_TEXT_SCAN_H_
