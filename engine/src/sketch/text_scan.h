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

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

// Bit cp of the 2048-bit table is set when code point cp (< 0x800) is a
// word character: the one- and two-byte code points, all of the block scan's.
const uint64_t* TwoByteWordBits();

// TwoByteWordBits as bytes, for the AVX-512 VBMI lookups: 0xFF where the
// code point is a word character; ascii[cp] for cp < 0x80, arabic[cp - 0x600]
// for the Arabic block U+0600..U+06FF (nearly every lead of Sorani text).
struct alignas(64) VbmiWordTables {
  uint8_t ascii[128];
  uint8_t arabic[256];
};
const VbmiWordTables& GetVbmiWordTables();

// Whether this CPU runs the AVX-512 VBMI block scan (vbmi::ForEachWordInBlocks).
bool VbmiScanAvailable();

// Bit j of *ascii / *lead / *cont tells whether p[j] (j < 64) is an ASCII
// byte, the lead of a two-byte sequence (C2..DF), or a continuation byte.
// The reference, byte by byte; ByteClassMasks is the same with SSE2.
inline void ByteClassMasksScalar(const unsigned char* p, uint64_t* ascii, uint64_t* lead,
                                 uint64_t* cont) {
  uint64_t a = 0, l = 0, c = 0;
  for (int j = 0; j < 64; ++j) {
    const unsigned b = p[j];
    a |= uint64_t{b < 0x80} << j;
    l |= uint64_t{b >= 0xC2 && b < 0xE0} << j;
    c |= uint64_t{(b & 0xC0) == 0x80} << j;
  }
  *ascii = a, *lead = l, *cont = c;
}

inline void ByteClassMasks(const unsigned char* p, uint64_t* ascii, uint64_t* lead,
                           uint64_t* cont) {
#if defined(__SSE2__)
  uint64_t a = 0, l = 0, c = 0;
  const __m128i cont_end = _mm_set1_epi8(static_cast<char>(0xC0));  // signed: -64
  const __m128i lead_begin = _mm_set1_epi8(static_cast<char>(0xC1));
  const __m128i lead_end = _mm_set1_epi8(static_cast<char>(0xE0));
  for (int k = 0; k < 4; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    // As signed bytes ASCII is 0..127, continuations -128..-65, leads -62..-33.
    const uint64_t high = static_cast<uint32_t>(_mm_movemask_epi8(v));
    const uint64_t is_cont = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmplt_epi8(v, cont_end)));
    const uint64_t is_lead = static_cast<uint32_t>(_mm_movemask_epi8(
        _mm_and_si128(_mm_cmpgt_epi8(v, lead_begin), _mm_cmplt_epi8(v, lead_end))));
    a |= (~high & 0xFFFF) << (16 * k);
    c |= is_cont << (16 * k);
    l |= is_lead << (16 * k);
  }
  *ascii = a, *lead = l, *cont = c;
#else
  ByteClassMasksScalar(p, ascii, lead, cont);
#endif
}

// The word scan, one unit at a time. `open` and `begin` carry a word that
// is still going on from one call to the next; stops at the first unit
// starting at or after `until` and returns where it stopped.
template <typename OnWord>
inline size_t ScanUnits(const unsigned char* s, size_t size, size_t i, size_t until,
                        const uint8_t* bmp, bool* open, size_t* begin, OnWord& on_word) {
  while (i < until) {
    uint32_t cp;
    size_t len;
    bool word;
    if (s[i] < 0x80) {
      word = bmp[s[i]] == kWordChar;
      len = 1;
    } else {
      len = DecodeUtf8(s, i, size, &cp);
      word = Classify(bmp, cp, len) == kWordChar;
    }
    if (word != *open) {
      if (word) {
        *begin = i;
      } else {
        on_word(*begin, i);
      }
      *open = word;
    }
    i += len;
  }
  return i;
}

// ForEachWordInBlocks(text, on_word) calls on_word(begin, end) for every
// word of text, in order.
//
// Text made of ASCII and two-byte sequences (Sorani, Kurmanji, most match
// keys) is scanned 64 bytes at a time: the word bytes of a block become a bit
// mask, and words are read off its edges. A byte-at-a-time scan mispredicts a
// branch at nearly every word edge; this one at about one per block. Blocks
// with anything else (three- and four-byte characters, invalid bytes) go
// through ScanUnits, whose result the block scan must equal.
//
// The loop (text_scan_blocks.inc) is compiled twice: with the portable block
// classes below (SSE2 masks, a table lookup per character), and with AVX-512
// VBMI in a region of its own, where one vector load classifies a block and
// two-byte Arabic characters are looked up 64 at a time. The VBMI copy pays
// only inlined into one loop compiled for its target: with the lookup called
// through a pointer once per block and the loop without BMI2, shingling 400
// words took 3.14 µs against 2.72 (GCC does not inline code of another target
// into a function of the default one, hence two copies of the loop rather
// than a template argument). Callers use ForEachWord; tests run both copies.
namespace portable {

// The classes of one block, for the loop. Tables (what WordBits looks up)
// is fetched once per text, with LoadTables().
struct Block {
  using Tables = const uint64_t*;  // TwoByteWordBits()
  static Tables LoadTables() { return TwoByteWordBits(); }

  uint64_t ascii, lead, cont;
  const unsigned char* p;
  Tables word_bits;

  Block(const unsigned char* block, Tables tables) : p(block), word_bits(tables) {
    ByteClassMasks(block, &ascii, &lead, &cont);
  }
  // The word bits of the block's ASCII bytes and leads (`in_block`); sets
  // *looked_up to the leads it covered (the loop looks the others up).
  uint64_t WordBits(uint64_t in_block, uint64_t* looked_up) const {
    uint64_t word = 0;
    for (uint64_t m = ascii & in_block; m != 0; m &= m - 1) {
      const int j = __builtin_ctzll(m);
      const unsigned cp = p[j];
      word |= ((word_bits[cp >> 6] >> (cp & 63)) & 1) << j;
    }
    *looked_up = 0;
    return word;
  }
};

#include "sketch/text_scan_blocks.inc"

}  // namespace portable

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vbmi,bmi,bmi2")
namespace vbmi {

struct Block {
  using Tables = const VbmiWordTables*;
  static Tables LoadTables() { return &GetVbmiWordTables(); }

  uint64_t ascii, lead, cont;
  const unsigned char* p;
  Tables tables;
  __m512i v;

  Block(const unsigned char* block, Tables t)
      : p(block), tables(t), v(_mm512_loadu_si512(block)) {
    ascii = ~_mm512_movepi8_mask(v);
    cont = _mm512_cmpeq_epi8_mask(_mm512_and_si512(v, _mm512_set1_epi8(static_cast<char>(0xC0))),
                                  _mm512_set1_epi8(static_cast<char>(0x80)));
    // C2..DF: 0xC2 + [0, 30) as unsigned bytes.
    lead = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8(static_cast<char>(0xC2))),
                                  _mm512_set1_epi8(30));
  }
  uint64_t WordBits(uint64_t in_block, uint64_t* looked_up) const {
    const VbmiWordTables& t = *tables;
    // The byte after each one; the last is read as 0 (a lead there is not in_block).
    const __m512i next = _mm512_maskz_loadu_epi8(~uint64_t{0} >> 1, p + 1);
    const __mmask64 ascii_word = _mm512_movepi8_mask(_mm512_permutex2var_epi8(
        _mm512_load_si512(t.ascii), v, _mm512_load_si512(t.ascii + 64)));
    // A lead D8..DB and its trail name U+0600 + ((lead & 3) << 6 | (trail & 0x3F)).
    const __mmask64 arabic_lead =
        _mm512_cmpeq_epi8_mask(_mm512_and_si512(v, _mm512_set1_epi8(static_cast<char>(0xFC))),
                               _mm512_set1_epi8(static_cast<char>(0xD8))) &
        lead;
    const __m512i index = _mm512_or_si512(
        _mm512_and_si512(_mm512_slli_epi16(v, 6), _mm512_set1_epi8(static_cast<char>(0xC0))),
        _mm512_and_si512(next, _mm512_set1_epi8(0x3F)));
    const __m512i lo = _mm512_permutex2var_epi8(_mm512_load_si512(t.arabic), index,
                                                _mm512_load_si512(t.arabic + 64));
    const __m512i hi = _mm512_permutex2var_epi8(_mm512_load_si512(t.arabic + 128), index,
                                                _mm512_load_si512(t.arabic + 192));
    const __mmask64 arabic_word =
        _mm512_movepi8_mask(_mm512_mask_blend_epi8(_mm512_movepi8_mask(index), lo, hi));
    *looked_up = arabic_lead;
    return ((ascii_word & ascii) | (arabic_word & arabic_lead)) & in_block;
  }
};

#include "sketch/text_scan_blocks.inc"

}  // namespace vbmi
#pragma GCC pop_options
#endif  // __x86_64__

template <typename OnWord>
inline void ForEachWord(absl::string_view text, OnWord&& on_word) {
#if defined(__x86_64__)
  if (VbmiScanAvailable()) return vbmi::ForEachWordInBlocks(text, on_word);
#endif
  portable::ForEachWordInBlocks(text, on_word);
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
