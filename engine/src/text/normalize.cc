// Copyright 2026 The Dubare Authors.
//
// The normalizer's hot loop. Each input code point is decoded once, looked up
// in the rule table (text/tables.h) and handed to a small state machine that
// applies the rules which need context:
//   * a pending letter that a following mark or ZWNJ may still change
//     (ه+ZWNJ → ە, یَ → ێ, رِ → ڕ, word-final ه → ە), in canonical Sorani;
//   * whether the previous output letter ends a word (ر → ڕ at word start);
//   * a pending run of white space, written as one space or a paragraph break
//     once the next visible character arrives (so runs at either end vanish);
//   * whether the previous character was removed (a mark after it goes too).
// Most text never reaches the state machine: Run::FastRun writes runs of
// characters whose output their successor settles, keeping the output state
// in registers. A code point followed by one that composes or reorders with
// it under NFKC (combining accents, hamza above), or one outside the BMP, is
// normalized with that run through ICU; all its output maps to the whole run.

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "absl/base/attributes.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "dubare/normalize.h"
#include "dubare/status.h"
#include "text/normalize_internal.h"
#include "text/tables.h"

namespace dubare {

using text_internal::Action;
using text_internal::Entry;
using text_internal::Table;

// ---------------------------------------------------------------- OffsetMap

ByteSpan OffsetMap::ToInput(size_t out_begin, size_t out_end) const {
  if (out_begin >= out_end) {
    const uint32_t at = out_begin < begin_.size() ? begin_[out_begin] : input_size_;
    return ByteSpan{at, at};
  }
  return ByteSpan{begin_[out_begin], end_[out_end - 1]};
}

void OffsetMap::Append(uint32_t in_begin, uint32_t in_end, size_t n) {
  begin_.insert(begin_.end(), n, in_begin);
  end_.insert(end_.end(), n, in_end);
}

void OffsetMap::Clear() {
  begin_.clear();
  end_.clear();
  input_size_ = 0;
}

void OffsetMap::Reserve(size_t n) {
  begin_.reserve(n);
  end_.reserve(n);
}

// ---------------------------------------------------------------- Normalizer

struct Normalizer::Tables {
  const Table* table;
};

namespace {

constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes the code point at s[i] (i < n). Returns its length, or minus the
// length of the maximal invalid subpart (Unicode's "U+FFFD substitution of
// maximal subparts").
inline int Decode(const uint8_t* s, size_t n, size_t i, char32_t* cp) {
  const uint8_t b0 = s[i];
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  if (b0 < 0xC2) return -1;
  if (b0 < 0xE0) {
    if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80) return -1;
    *cp = (char32_t{b0} & 0x1F) << 6 | (s[i + 1] & 0x3F);
    return 2;
  }
  if (b0 < 0xF0) {
    const uint8_t lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const uint8_t hi = b0 == 0xED ? 0x9F : 0xBF;
    if (i + 1 >= n || s[i + 1] < lo || s[i + 1] > hi) return -1;
    if (i + 2 >= n || (s[i + 2] & 0xC0) != 0x80) return -2;
    *cp = (char32_t{b0} & 0x0F) << 12 | (char32_t{s[i + 1]} & 0x3F) << 6 | (s[i + 2] & 0x3F);
    return 3;
  }
  if (b0 < 0xF5) {
    const uint8_t lo = b0 == 0xF0 ? 0x90 : 0x80;
    const uint8_t hi = b0 == 0xF4 ? 0x8F : 0xBF;
    if (i + 1 >= n || s[i + 1] < lo || s[i + 1] > hi) return -1;
    if (i + 2 >= n || (s[i + 2] & 0xC0) != 0x80) return -2;
    if (i + 3 >= n || (s[i + 3] & 0xC0) != 0x80) return -3;
    *cp = (char32_t{b0} & 0x07) << 18 | (char32_t{s[i + 1]} & 0x3F) << 12 |
          (char32_t{s[i + 2]} & 0x3F) << 6 | (s[i + 3] & 0x3F);
    return 4;
  }
  return -1;
}

// Length of an HTML entity for ZWNJ at s[i] ('&'), or 0.
size_t ZwnjEntityLength(const uint8_t* s, size_t n, size_t i) {
  static constexpr const char* kForms[] = {"&zwnj;", "&#8204;", "&#x200c;"};
  for (const char* form : kForms) {
    const size_t len = std::strlen(form);
    if (n - i < len) continue;
    size_t k = 0;
    while (k < len && absl::ascii_tolower(s[i + k]) == form[k]) ++k;
    if (k == len) return len;
  }
  return 0;
}

// The UTF-8 of the letters the context rules produce, padded to the 4 bytes
// Write() copies.
constexpr char kAe[4] = "\xDB\x95";    // ە U+06D5
constexpr char kYehV[4] = "\xDB\x8E";  // ێ U+06CE
constexpr char kWawV[4] = "\xDB\x86";  // ۆ U+06C6
constexpr char kLamV[4] = "\xDA\xB5";  // ڵ U+06B5
constexpr char kRehV[4] = "\xDA\x95";  // ڕ U+0695
constexpr char kHehB[4] = "\xD9\x87";  // ه U+0647
constexpr char kKnottedHehB[4] = "\xDA\xBE";  // ھ U+06BE
constexpr char kLamVAlef[4] = {'\xDA', '\xB5', '\xD8', '\xA7'};  // ڵا

// Stores 4 output bytes at text[at] and, when `map`, 4 map entries of the
// input span [b, end): room is always kept, so the stores are fixed-size
// whatever the character's length (the caller advances by that length).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void StoreUnit(char* text, uint32_t* begins, uint32_t* ends,
                                                   size_t at, const char* bytes, bool map,
                                                   uint32_t b, uint32_t end) {
  if (map) {
    const uint32_t bb[4] = {b, b, b, b};
    const uint32_t ee[4] = {end, end, end, end};
    std::memcpy(begins + at, bb, sizeof bb);
    std::memcpy(ends + at, ee, sizeof ee);
  }
  std::memcpy(text + at, bytes, 4);
}

// Bit (index & 7) of rows[i] for each byte i: all ones where set.
__attribute__((target("ssse3"), always_inline)) inline __m128i InBitmap(__m128i rows,
                                                                       __m128i index) {
  const __m128i bits = _mm_setr_epi8(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
  const __m128i bit = _mm_shuffle_epi8(bits, _mm_and_si128(index, _mm_set1_epi8(7)));
  return _mm_cmpeq_epi8(_mm_and_si128(rows, bit), bit);
}

// Byte `row` (0..31) of a 32-byte bitmap for each byte: pshufb looks up 16 at a time.
__attribute__((target("ssse3"), always_inline)) inline __m128i RowsOf(const uint8_t* bitmap,
                                                                     __m128i row) {
  const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bitmap));
  const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bitmap + 16));
  const __m128i upper = _mm_cmpgt_epi8(row, _mm_set1_epi8(15));
  const __m128i low4 = _mm_and_si128(row, _mm_set1_epi8(15));
  return _mm_or_si128(_mm_andnot_si128(upper, _mm_shuffle_epi8(lo, low4)),
                      _mm_and_si128(upper, _mm_shuffle_epi8(hi, low4)));
}

// Bit of BlockRules::arabic_ok / arabic_sub of the two-byte character
// lead, trail (lead D8..DB): its code point minus U+0600.
inline size_t ArabicIndex(uint8_t lead, uint8_t trail) {
  return size_t{lead & 3u} << 6 | (trail & 0x3Fu);
}

// Whether the character at `after` (two bytes readable) may be combining:
// it is neither ASCII nor a two-byte Arabic character the block path takes
// as a starter. Then a block leaves its last character to the caller.
inline bool MayBeCombining(const text_internal::BlockRules& r, const uint8_t* after) {
  if (after[0] < 0x80) return false;
  if ((after[0] & 0xFC) != 0xD8 || (after[1] & 0xC0) != 0x80) return true;
  const size_t i = ArabicIndex(after[0], after[1]);
  return (r.arabic_ok[i >> 3] >> (i & 7) & 1) == 0;
}

// The block path: how many bytes from s[0] a 16-byte block may write as
// read (or folded, or substituted: BlockRules), and those bytes written to
// dst[0, 16). Needs s[-1] and s[0, 18) readable and s[0] at a character
// start; a space there is taken only if `space_first`. The bytes taken are
// whole characters -- ASCII other than separators and white space, single
// spaces after a character, and non-combining two-byte characters of
// U+0600..U+06FF. When what follows
// may be combining, the last character is left to the caller: its loop then
// holds it as the starter to roll back to. (Rolling back to a starter before
// the block would also be right, but would redo the block a character at a
// time, and again for each block before the next starter: quadratic.)
// *bad is set to the offset of the first byte it cannot take (16: none).
__attribute__((target("ssse3"))) size_t BlockPrefix(const text_internal::BlockRules& r,
                                                    const uint8_t* s, bool space_first,
                                                    char* dst, size_t* bad) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
  const __m128i prev = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s - 1));
  const __m128i ascii = _mm_cmpgt_epi8(v, _mm_set1_epi8(-1));
  const __m128i space = _mm_cmpeq_epi8(v, _mm_set1_epi8(' '));
  const __m128i prev_space = _mm_cmpeq_epi8(prev, _mm_set1_epi8(' '));
  const __m128i row3 = _mm_and_si128(_mm_srli_epi16(v, 3), _mm_set1_epi8(0x0F));
  const __m128i ascii_rows =
      _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r.ascii_ok)), row3);
  __m128i upper = _mm_setzero_si128();
  if (r.fold_upper) {
    upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                          _mm_cmpgt_epi8(_mm_set1_epi8('Z' + 1), v));
  }
  const __m128i ascii_good = _mm_and_si128(
      ascii, _mm_or_si128(_mm_or_si128(InBitmap(ascii_rows, v), upper),
                          _mm_andnot_si128(prev_space, space)));
  // A trail byte after a lead byte D8..DB: character (lead & 3) << 6 | (trail & 0x3F).
  const __m128i fc = _mm_set1_epi8(static_cast<char>(0xFC));
  const __m128i d8 = _mm_set1_epi8(static_cast<char>(0xD8));
  const __m128i prev_lead = _mm_cmpeq_epi8(_mm_and_si128(prev, fc), d8);
  const __m128i trail = _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8(static_cast<char>(0xC0))),
                                       _mm_set1_epi8(static_cast<char>(0x80)));
  const __m128i index = _mm_or_si128(
      _mm_and_si128(_mm_slli_epi16(_mm_and_si128(prev, _mm_set1_epi8(3)), 6),
                    _mm_set1_epi8(static_cast<char>(0xC0))),
      _mm_and_si128(v, _mm_set1_epi8(0x3F)));
  const __m128i row5 = _mm_and_si128(_mm_srli_epi16(index, 3), _mm_set1_epi8(0x1F));
  const __m128i pair = _mm_and_si128(prev_lead, trail);
  const __m128i trail_good = _mm_and_si128(pair, InBitmap(RowsOf(r.arabic_ok, row5), index));
  // A lead byte is taken with its trail; one at offset 15 never is.
  const __m128i lead_good = _mm_and_si128(_mm_cmpeq_epi8(_mm_and_si128(v, fc), d8),
                                          _mm_srli_si128(trail_good, 1));
  const __m128i good = _mm_or_si128(_mm_or_si128(ascii_good, trail_good), lead_good);
  // A space at offset 0 only where the caller says it is written as read:
  // the general rules drop a leading space and collapse one after another
  // or after a separator.
  const uint32_t good_mask =
      static_cast<uint32_t>(_mm_movemask_epi8(good)) &
      ~(space_first ? 0u : static_cast<uint32_t>(_mm_movemask_epi8(space) & 1));
  const size_t n = static_cast<size_t>(__builtin_ctz(~good_mask));  // bit 16 is always 0
  *bad = n;
  if (n == 0) return 0;
  // Unless the character after the prefix is ASCII or one the block path
  // takes, it may be combining and need the last one: then that is left to
  // the caller. A space at the end is left to it too, as a run of white
  // space may go on after it.
  size_t take = n;
  if (MayBeCombining(r, s + n)) take -= (s[take - 1] & 0xC0) == 0x80 ? 2 : 1;
  if (take > 0 && s[take - 1] == ' ') --take;
  if (take == 0) return 0;
  const __m128i folded = _mm_add_epi8(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), folded);
  uint32_t subs = static_cast<uint32_t>(_mm_movemask_epi8(
                      _mm_and_si128(pair, InBitmap(RowsOf(r.arabic_sub, row5), index)))) &
                  ((1u << take) - 1);
  while (subs != 0) {
    const size_t at = static_cast<size_t>(__builtin_ctz(subs));  // a trail byte
    std::memcpy(dst + at - 1, r.arabic_sub_bytes[ArabicIndex(s[at - 1], s[at])], 2);
    subs &= subs - 1;
  }
  return take;
}

bool BlockPathSupported() {
  static const bool supported = __builtin_cpu_supports("ssse3");
  return supported;
}

// table[index] for each byte: 256 bytes in four registers, two two-table
// permutes and a blend on the index's top bit.
__attribute__((target("avx512f,avx512bw,avx512vbmi"), always_inline)) inline __m512i Lookup256(
    const char* table, __m512i index) {
  const __m512i lo = _mm512_permutex2var_epi8(_mm512_loadu_si512(table), index,
                                              _mm512_loadu_si512(table + 64));
  const __m512i hi = _mm512_permutex2var_epi8(_mm512_loadu_si512(table + 128), index,
                                              _mm512_loadu_si512(table + 192));
  return _mm512_mask_blend_epi8(_mm512_movepi8_mask(index), lo, hi);
}

// A 16-byte bitmap in each quarter of a register, for InBitmap64.
__attribute__((target("avx512f"), always_inline)) inline __m512i Table16(const uint8_t* bitmap) {
  return _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(bitmap)));
}

// A 32-byte bitmap in both halves of a register, for InBitmap64.
__attribute__((target("avx512f"), always_inline)) inline __m512i Table32(const uint8_t* bitmap) {
  return _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(bitmap)));
}

// Bit (index & 7) of byte `row` of `table` (up to 64 bytes) for each byte.
__attribute__((target("avx512f,avx512bw,avx512vbmi"), always_inline)) inline __mmask64 InBitmap64(
    __m512i table, __m512i row, __m512i index) {
  const __m512i bits = _mm512_set1_epi64(0x8040201008040201ll);  // byte i: 1 << (i & 7)
  return _mm512_test_epi8_mask(_mm512_permutexvar_epi8(row, table),
                               _mm512_permutexvar_epi8(index, bits));
}

// BlockPrefix on 64 bytes with AVX-512 (VBMI's byte permute looks up the
// 32-byte bitmaps in one instruction), which also takes what BlockRules
// lists for it alone: runs of white space and separators (one space each,
// as the general rules write them), removed characters and ZWNJ away from
// such runs, and characters written as one ASCII byte. Its output can be
// shorter than its input: the bytes taken are returned, the bytes written
// (VBMI2 compress) go to *written. A run at offset 0 is taken only if
// `space_first`; one at the end is left to the caller, as it may go on.
// Needs s[-1] and s[0, 66) readable and room for 64 bytes at dst.
__attribute__((target("avx512f,avx512bw,avx512vbmi,avx512vbmi2,bmi,bmi2,popcnt"),
               always_inline)) inline size_t
BlockPrefix64(const text_internal::BlockRules& r, const uint8_t* s, bool space_first, char* dst,
              size_t* bad, size_t* written) {
  const __m512i v = _mm512_loadu_si512(s);
  const __m512i prev = _mm512_loadu_si512(s - 1);
  const __mmask64 ascii = ~_mm512_movepi8_mask(v);
  const __m512i row3 = _mm512_and_si512(_mm512_srli_epi16(v, 3), _mm512_set1_epi8(0x0F));
  __mmask64 upper = 0;
  if (r.fold_upper) {
    upper = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('A')), _mm512_set1_epi8(26));
  }
  const __mmask64 ascii_good = ascii & (InBitmap64(Table16(r.ascii_ok), row3, v) | upper);
  const __m512i fc = _mm512_set1_epi8(static_cast<char>(0xFC));
  const __m512i d8 = _mm512_set1_epi8(static_cast<char>(0xD8));
  const __mmask64 prev_lead = _mm512_cmpeq_epi8_mask(_mm512_and_si512(prev, fc), d8);
  const __mmask64 trail =
      _mm512_cmpeq_epi8_mask(_mm512_and_si512(v, _mm512_set1_epi8(static_cast<char>(0xC0))),
                             _mm512_set1_epi8(static_cast<char>(0x80)));
  const __m512i index = _mm512_or_si512(
      _mm512_and_si512(_mm512_slli_epi16(_mm512_and_si512(prev, _mm512_set1_epi8(3)), 6),
                       _mm512_set1_epi8(static_cast<char>(0xC0))),
      _mm512_and_si512(v, _mm512_set1_epi8(0x3F)));
  const __m512i row5 = _mm512_and_si512(_mm512_srli_epi16(index, 3), _mm512_set1_epi8(0x1F));
  // Masks of trail bytes (bit t: the character is s[t - 1], s[t]).
  const __mmask64 pair = prev_lead & trail;
  const __mmask64 ok_t = pair & InBitmap64(Table32(r.arabic_ok), row5, index);
  const __mmask64 one_t = pair & InBitmap64(Table32(r.arabic_one), row5, index);
  // White space and separators, ASCII or two bytes (both bytes set).
  const __mmask64 white_t = pair & InBitmap64(Table32(r.arabic_white), row5, index);
  const __mmask64 white =
      (ascii & InBitmap64(Table16(r.ascii_white), row3, v)) | white_t | white_t >> 1;
  // A removed character needs no white at s[t - 2] nor at s[t + 1]: known
  // for 2 <= t < 63.
  const __mmask64 drop_t = pair & InBitmap64(Table32(r.arabic_drop), row5, index) &
                           ~(white << 2) & ~(white >> 1) & ~uint64_t{3} & ~(uint64_t{1} << 63);
  const __mmask64 trail_good = ok_t | one_t | drop_t | white_t;
  // A lead byte is taken with its trail; one at offset 63 never is.
  const __mmask64 lead_good =
      _mm512_cmpeq_epi8_mask(_mm512_and_si512(v, fc), d8) & (trail_good >> 1);
  // ZWNJ (E2 80 8C) starting at 1 <= p <= 60, with no white at s[p - 1] or s[p + 3].
  __mmask64 zwnj = 0;
  if (r.zwnj_drop) {
    const __mmask64 z = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(static_cast<char>(0xE2))) &
                        (_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(static_cast<char>(0x80))) >> 1) &
                        (_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(static_cast<char>(0x8C))) >> 2) &
                        ~(white << 1) & ~(white >> 3) & ((uint64_t{1} << 61) - 2);
    zwnj = z | z << 1 | z << 2;
  }
  const uint64_t good = (ascii_good | white | trail_good | lead_good | zwnj) &
                        ~(space_first ? 0u : white & 1);
  const size_t n = ~good == 0 ? 64 : static_cast<size_t>(__builtin_ctzll(~good));
  *bad = n;
  if (n == 0) return 0;
  size_t take = n;
  if (MayBeCombining(r, s + n)) {
    // Leave the last character (one to three bytes) to the caller.
    do --take; while ((s[take] & 0xC0) == 0x80);
  }
  // A removed character is taken only before one that is written: at the
  // end it would leave a pending space written early (the general rules
  // keep it pending across removed characters, to collapse with what
  // follows), and a mark after it would have to be removed too.
  const uint64_t removed = zwnj | drop_t | drop_t >> 1;
  while (take > 0 && (removed >> (take - 1) & 1) != 0) {
    do --take; while ((s[take] & 0xC0) == 0x80);
  }
  while (take > 0 && (white >> (take - 1) & 1) != 0) --take;  // whole characters
  if (take == 0) return 0;
  const uint64_t taken = take == 64 ? ~uint64_t{0} : (uint64_t{1} << take) - 1;
  __m512i out = _mm512_mask_add_epi8(v, upper, v, _mm512_set1_epi8(0x20));
  const uint64_t subs = pair & InBitmap64(Table32(r.arabic_sub), row5, index) & taken;
  if (subs != 0) {
    // Each substituted character's two bytes, looked up at its trail byte;
    // the lead byte moves one lane down to where the lead is.
    alignas(64) static constexpr uint8_t kNext[64] = {
        1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
        23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
        45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 63};
    const __m512i lead = _mm512_permutexvar_epi8(_mm512_load_si512(kNext),
                                                 Lookup256(r.arabic_sub_lead, index));
    out = _mm512_mask_mov_epi8(out, subs, Lookup256(r.arabic_sub_trail, index));
    out = _mm512_mask_mov_epi8(out, subs >> 1, lead);
  }
  const uint64_t ones = one_t & taken;
  if (ones != 0) out = _mm512_mask_mov_epi8(out, ones, Lookup256(r.arabic_one_byte, index));
  // A run of white is one space, at its first byte.
  const uint64_t run_start = white & ~(white << 1);
  out = _mm512_mask_mov_epi8(out, run_start, _mm512_set1_epi8(' '));
  // Kept: all but ZWNJ, removed characters, the lead bytes of one-byte
  // characters and white after the first of its run.
  const uint64_t keep = taken & ~removed & ~(one_t >> 1) & ~(white & ~run_start);
  _mm512_storeu_si512(dst, _mm512_maskz_compress_epi8(keep, out));
  *written = static_cast<size_t>(__builtin_popcountll(keep));
  return take;
}

// Where the next block may start after one of `width` bytes at s[i] took
// `taken` bytes and stopped at s[i + bad]. The character loop takes the byte
// a block stopped at, then tries a block again. A stop in the last three
// bytes may be the block's end (a two-byte character cut in two, a character
// that is dropped only when the byte after it is seen): there the next block
// starts right after what was taken, or every block would send a character
// or two (half the blocks of Sorani) through the loop.
inline size_t NextBlockAt(size_t i, size_t taken, size_t bad, size_t width) {
  return taken != 0 && bad + 3 >= width ? i + taken : i + bad + 1;
}

// BlockPrefix64 on consecutive blocks from s[i], for as long as each takes
// something and there is room (s[i, i + 66) readable, 65 bytes free before
// `limit`): one loop compiled for the block's target, so that its constants
// and tables stay in registers from block to block (a call per block reloaded
// them). Updates the output, the pending space and *block_after as the
// character loop would; returns where it stopped, at i when the first block
// took nothing (the caller's loop then takes s[i]).
__attribute__((target("avx512f,avx512bw,avx512vbmi,avx512vbmi2,bmi,bmi2,popcnt"))) size_t
WideBlocks(const text_internal::BlockRules& r, const uint8_t* s, size_t n, size_t i, char* text,
           size_t limit, size_t* out, bool* space, size_t* block_after) {
  size_t o = *out;
  bool pending = *space;
  while (i + 66 <= n && o + 65 <= limit) {
    // A pending space goes before the block (a block never starts with a
    // space), as the general rules write it before the next character.
    const size_t lead_space = pending && o != 0 ? 1 : 0;
    size_t bad, written;
    const size_t taken =
        BlockPrefix64(r, s + i, /*space_first=*/!pending && o != 0, text + o + lead_space, &bad,
                      &written);
    *block_after = NextBlockAt(i, taken, bad, 64);
    if (taken == 0) break;
    if (lead_space != 0) text[o] = ' ';
    o += lead_space + written;
    pending = false;
    i += taken;
    if (i < *block_after) break;
  }
  *out = o;
  *space = pending;
  return i;
}

bool WideBlocksAvailable() {
  static const bool supported = __builtin_cpu_supports("avx512f") &&
                                __builtin_cpu_supports("avx512bw") &&
                                __builtin_cpu_supports("avx512vbmi") &&
                                __builtin_cpu_supports("avx512vbmi2") &&
                                __builtin_cpu_supports("bmi2");
  return supported;
}

// One call of Normalize: the state machine and the output being written.
class Run {
 public:
  Run(const Table& table, const NormalizeOptions& options, NormalizedText* out, bool fast_runs,
      bool wide_blocks)
      : table_(table),
        out_(out),
        fast_runs_(fast_runs),
        emit_spaces_(options.form == NormalForm::kCanonical || options.keep_spaces),
        paragraphs_(options.form == NormalForm::kCanonical && options.keep_paragraphs),
        replace_invalid_(options.on_invalid == InvalidUtf8Policy::kReplace),
        map_(options.offset_map),
        block_path_(table.block.enabled && !map_ && emit_spaces_ && !paragraphs_ &&
                    BlockPathSupported()),
        wide_blocks_(block_path_ && wide_blocks && WideBlocksAvailable()) {}

  absl::Status Normalize(absl::string_view input);

 private:
  const Entry& EntryFor(char32_t cp, Entry* scratch) const {
    if (cp < 0x10000) return table_.bmp[cp];
    *scratch = text_internal::ClassifyStable(table_, cp);
    return *scratch;
  }

  // Applies the context rules to one (NFKC) code point. Inlined into the
  // main loop; other callers use the out-of-line copy.
  ABSL_ATTRIBUTE_ALWAYS_INLINE inline void Process(const Entry& e, char32_t cp, uint32_t b,
                                                   uint32_t end);
  ABSL_ATTRIBUTE_NOINLINE void ProcessOutOfLine(const Entry& e, char32_t cp, uint32_t b,
                                                uint32_t end) {
    Process(e, cp, b, end);
  }
  void Slow(const uint8_t* s, size_t n, size_t i, size_t j);
  size_t FastRun(const uint8_t* s, size_t n, size_t i);
  template <bool kMap>
  size_t FastRunImpl(const uint8_t* s, size_t n, size_t i);
  size_t ContextFreeRun(const uint8_t* s, size_t n, size_t i);

  ABSL_ATTRIBUTE_NOINLINE void Grow(size_t need) {
    size_t cap = std::max(need, cap_ * 2);
    out_->text.resize(cap);
    if (map_) {
      text_internal::OffsetMapWriter::Resize(&out_->map, cap);
      begins_ = text_internal::OffsetMapWriter::begins(&out_->map);
      ends_ = text_internal::OffsetMapWriter::ends(&out_->map);
    }
    text_ = out_->text.data();
    cap_ = cap;
  }

  // Writes len (<= 4) bytes from `bytes`, all mapped to [b, end) (StoreUnit).
  // Members are read into locals first, since a store through the char
  // pointer could otherwise alias them.
  void Write(const char* bytes, int len, uint32_t b, uint32_t end) {
    if (n_ + 4 > cap_) Grow(n_ + 4);
    const size_t n = n_;
    char* const text = text_;
    uint32_t* const begins = begins_;
    uint32_t* const ends = ends_;
    StoreUnit(text, begins, ends, n, bytes, map_, b, end);
    n_ = n + len;
    removed_ = false;
  }

  // Writes the pending letter; `before_letter` tells whether a letter of the
  // same word follows, which decides the word-final form of heh.
  void FlushPending(bool before_letter) {
    if (!pending_) return;
    pending_ = false;
    using text_internal::kHeh;
    using text_internal::kKnottedHeh;
    if (pending_letter_ == kHeh || pending_letter_ == kKnottedHeh) {
      const char* heh = before_letter ? kHehB : pending_letter_ == kHeh ? kAe : kKnottedHehB;
      Write(heh, 2, pending_b_, pending_e_);
      return;
    }
    Write(pending_bytes_, pending_len_, pending_b_, pending_e_);
  }

  void FlushSpace() {
    if (!space_) return;
    space_ = false;
    if (!emit_spaces_ || n_ == 0) return;
    if (paragraphs_ && newlines_ >= 2) {
      Write("\n\n\0", 2, space_b_, space_e_);
    } else {
      Write(" \0\0", 1, space_b_, space_e_);
    }
  }

  void AddSpace(uint32_t b, uint32_t end, int newlines) {
    removed_ = !emit_spaces_;
    if (!space_) {
      space_ = true;
      space_b_ = b;
      newlines_ = 0;
    }
    space_e_ = end;
    newlines_ += newlines;
  }

  void SetPending(const char* bytes, int len, uint8_t letter, uint32_t b, uint32_t end) {
    pending_ = true;
    removed_ = false;
    std::memcpy(pending_bytes_, bytes, 4);
    pending_len_ = len;
    pending_letter_ = letter;
    pending_b_ = b;
    pending_e_ = end;
  }

  // Replaces the pending letter(s) by `len` bytes, which now also cover
  // input up to `end`; no further rule applies to them.
  void ChangePending(const char* bytes, int len, uint32_t end) {
    std::memcpy(pending_bytes_, bytes, 4);
    pending_len_ = len;
    pending_letter_ = 0;
    pending_e_ = end;
  }

  const Table& table_;
  NormalizedText* out_;
  const bool fast_runs_;
  const bool emit_spaces_;
  const bool paragraphs_;
  const bool replace_invalid_;
  const bool map_;  // fill out_->map
  // FastRun is ContextFreeRun, with its block path: a context-free table,
  // the text alone, and one space for each run of white space.
  const bool block_path_;
  const bool wide_blocks_;  // BlockPrefix64 where there is room

  char* text_ = nullptr;
  uint32_t* begins_ = nullptr;
  uint32_t* ends_ = nullptr;
  size_t n_ = 0;
  size_t cap_ = 0;
  bool removed_ = false;  // the last character read was removed, not written

  bool in_word_ = false;  // the last output character was a letter

  bool pending_ = false;
  char pending_bytes_[4] = {};
  int pending_len_ = 0;
  uint8_t pending_letter_ = 0;
  uint32_t pending_b_ = 0, pending_e_ = 0;

  bool space_ = false;
  const uint8_t* input_ = nullptr;  // the input of Normalize, for CRLF
  int newlines_ = 0;
  uint32_t space_b_ = 0, space_e_ = 0;

  std::u32string segment_in_, segment_out_;
};

inline void Run::Process(const Entry& e, char32_t cp, uint32_t b, uint32_t end) {
  using namespace text_internal;  // NOLINT: the enumerators of tables.h
  switch (e.action) {
    case Action::kEmit: {
      // A combining mark right after a removed character (or a space the
      // match key drops) is removed too: written after whatever precedes it,
      // it could compose with that on the next pass.
      if ((e.flags & kCombining) != 0 && removed_) return;
      FlushPending((e.flags & kLetter) != 0);
      FlushSpace();
      Write(e.bytes, e.len, b, end);
      in_word_ = (e.flags & kLetter) != 0;
      return;
    }
    case Action::kPendable:
      if (e.aux == kAlef) {
        if (pending_ && pending_letter_ == kLam) {  // لا, which a mark may still make ڵا
          std::memcpy(pending_bytes_ + 2, e.bytes, 2);
          pending_len_ = 4;
          pending_letter_ = kLamAlef;
          pending_e_ = end;
          removed_ = false;
          return;
        }
        FlushPending(true);
        FlushSpace();
        Write(e.bytes, e.len, b, end);
        in_word_ = true;
        return;
      }
      FlushPending(true);
      FlushSpace();
      if ((e.flags & kWordInitialR) && !in_word_) {
        SetPending(kRehV, 2, kReh, b, end);
      } else {
        SetPending(e.bytes, e.len, e.aux, b, end);
      }
      in_word_ = true;
      return;
    case Action::kDrop:
      removed_ = true;
      if (e.aux == kMarksConsonantH && pending_ && pending_letter_ == kHeh) {
        pending_letter_ = kKnottedHeh;
        pending_e_ = end;
      }
      return;
    case Action::kCr:
      FlushPending(false);
      AddSpace(b, end, 1);
      in_word_ = false;
      return;
    case Action::kSpace:
      FlushPending(false);
      // The '\n' of CRLF is part of the newline the '\r' counted.
      AddSpace(b, end, cp == U'\n' && b > 0 && input_[b - 1] == '\r' ? 0 : e.aux);
      in_word_ = false;
      return;
    case Action::kSeparator:
      FlushPending(false);
      AddSpace(b, end, 0);
      in_word_ = false;
      return;
    case Action::kZwnj:
      removed_ = true;
      if (pending_ && pending_letter_ == kHeh) {
        ChangePending(kAe, 2, end);
        FlushPending(false);
        removed_ = true;  // the ZWNJ itself
      }
      return;
    case Action::kMark:
      removed_ = true;
      if (!pending_) return;
      if ((e.aux & kCarriesV) != 0) {
        if (pending_letter_ == kYeh) ChangePending(kYehV, 2, end);
        if (pending_letter_ == kWaw) ChangePending(kWawV, 2, end);
        if (pending_letter_ == kLam) ChangePending(kLamV, 2, end);
        if (pending_letter_ == kLamAlef) ChangePending(kLamVAlef, 4, end);
      } else if ((e.aux & kCarriesVBelow) != 0 && pending_letter_ == kReh) {
        ChangePending(kRehV, 2, end);
      }
      return;
    case Action::kAmp:  // an '&' reached here opens no entity
      if (e.aux != 0) {
        ProcessOutOfLine(table_.bmp[U','], U',', b, end);  // a separator, like punctuation
        return;
      }
      FlushPending(false);
      FlushSpace();
      Write(e.bytes, e.len, b, end);
      in_word_ = false;
      return;
    case Action::kExpand: {
      Entry scratch;
      for (uint32_t k = 0; k < e.len; ++k) {
        const char32_t c = table_.expansions[e.offset + k];
        ProcessOutOfLine(EntryFor(c, &scratch), c, b, end);
      }
      return;
    }
  }
}

// The fast path: from input[i], writes characters whose output is decided by
// themselves and their successor alone (kPlain: mapped letters, digits,
// punctuation, and pending letters whose successor settles them), single
// ASCII spaces and invisible characters, with the output state in local
// variables.
// Stops before the first character that needs the general rules, or whose
// successor does (a mark, ZWNJ, white-space run, '&', invalid UTF-8, a
// character outside the BMP). Requires nothing pending. Returns the new i.
size_t Run::FastRun(const uint8_t* s, size_t n, size_t i) {
  if (block_path_) return ContextFreeRun(s, n, i);
  return map_ ? FastRunImpl<true>(s, n, i) : FastRunImpl<false>(s, n, i);
}

// The fast path of context-free tables (the match key, canonical Kurmanji)
// when only the text is wanted (block_path_: what sketching runs): most of
// the text goes 16 bytes at a time (BlockPrefix), the rest a code point at a
// time. No letter waits for its successor, so each code point is settled
// when it is read, white space and separators included. What remains of
// context is combining characters: the general path sends a starter whose
// combining run can compose (kComposesBack) through ICU together with that
// run, and it decides so at the starter. This loop takes a run only while
// none of its characters composes back, and keeps the state from before the
// last starter: when it meets a character it cannot take that may be
// combining, it rolls back to that starter and leaves the whole run to the
// general path.
size_t Run::ContextFreeRun(const uint8_t* s, size_t n, size_t i) {
  using namespace text_internal;  // NOLINT: the enumerators of tables.h
  // Of the state, only the output, `removed_` and whether a space is pending
  // matter here: with no map and no paragraphs, where a run of white space
  // began and how many newlines it held are never read, and a context-free
  // table has no letter that asks whether it starts a word (in_word_).
  const Entry* const bmp = table_.bmp.data();
  char* const text = text_;
  const size_t limit = cap_ - 8;  // a flushed space and a character; cap_ >= 16
  size_t out = n_;
  bool removed = removed_, space = space_;
  struct {
    size_t i, out;
    bool removed, space;
  } undo = {i, out, removed, space};  // the state before the last starter
  bool rollback = false;
  size_t block_after = 0;  // where the last block stopped: try again past it

  // The character `bytes` after the pending space, if any (spaces are kept).
  auto write = [&](const char* bytes, size_t len) ABSL_ATTRIBUTE_ALWAYS_INLINE {
    if (space && out != 0) text[out++] = ' ';
    space = false;
    std::memcpy(text + out, bytes, 4);
    out += len;
    removed = false;
  };

  while (i < n) {
    const bool wide = wide_blocks_ && i + 66 <= n && out + 65 <= limit;
    if (wide && i >= block_after && i > 0) {
      const size_t before = i;
      i = WideBlocks(table_.block, s, n, i, text, limit, &out, &space, &block_after);
      if (i != before) {
        removed = false;
        continue;
      }
    } else if (i >= block_after && i > 0 && i + 18 <= n && out + 17 <= limit) {
      // A pending space goes before the block (a block never starts with a
      // space), as the general rules write it before the next character.
      const size_t lead_space = space && out != 0 ? 1 : 0;
      size_t bad;
      const size_t taken = BlockPrefix(table_.block, s + i, /*space_first=*/!space && out != 0,
                                       text + out + lead_space, &bad);
      block_after = NextBlockAt(i, taken, bad, 16);
      if (taken != 0) {  // written as taken: the 16-byte blocks only copy
        if (lead_space != 0) text[out] = ' ';
        out += lead_space + taken;
        space = false;
        i += taken;
        removed = false;
        continue;
      }
    }
    const uint8_t b0 = s[i];
    char32_t c;
    size_t len;
    if (b0 < 0x80) {
      c = b0;
      len = 1;
    } else if (b0 >= 0xC2 && b0 < 0xE0 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
      c = (char32_t{b0} & 0x1F) << 6 | (s[i + 1] & 0x3F);
      len = 2;
    } else {
      const int l = Decode(s, n, i, &c);
      if (l <= 0) break;  // invalid UTF-8 ends any combining run: no rollback
      if (c >= 0x10000) {
        rollback = true;  // may be combining
        break;
      }
      len = static_cast<size_t>(l);
    }
    const Entry& e = bmp[c];
    if (out > limit) {
      rollback = (e.flags & kCombining) != 0;
      break;
    }
    if ((e.flags & kCombining) == 0) {
      undo = {i, out, removed, space};
      if (ABSL_PREDICT_TRUE(e.action == Action::kEmit)) {
        write(e.bytes, e.len);
      } else if (e.action == Action::kSpace || e.action == Action::kSeparator ||
                 e.action == Action::kCr) {
        space = true;
        removed = false;  // spaces are kept
      } else if (e.action == Action::kDrop) {
        removed = true;
      } else {
        break;  // '&', an expansion: the general path, from this starter
      }
    } else if ((e.flags & kComposesBack) == 0 && e.action == Action::kDrop) {
      removed = true;
    } else if ((e.flags & kComposesBack) == 0 && e.action == Action::kEmit) {
      if (!removed) write(e.bytes, e.len);  // a mark after a removed character goes too
    } else {
      rollback = true;
      break;
    }
    i += len;
  }
  if (rollback) {
    i = undo.i, out = undo.out, removed = undo.removed, space = undo.space;
  }
  n_ = out;
  removed_ = removed;
  space_ = space;
  return i;
}

template <bool kMap>
size_t Run::FastRunImpl(const uint8_t* s, size_t n, size_t i) {
  using namespace text_internal;  // NOLINT: the enumerators of tables.h
  const Entry* const bmp = table_.bmp.data();
  char* const text = text_;
  uint32_t* const begins = begins_;
  uint32_t* const ends = ends_;
  const size_t cap = cap_;
  const bool emit_spaces = emit_spaces_;
  size_t out = n_;
  bool in_word = in_word_;
  bool removed = removed_;
  char32_t c;
  int len = Decode(s, n, i, &c);
  while (len > 0 && c < 0x10000 && out + 4 <= cap) {
    const size_t next = i + len;
    if (next >= n) break;
    char32_t nc;
    const int next_len = Decode(s, n, next, &nc);
    if (next_len <= 0 || nc >= 0x10000) break;
    const Entry& ne = bmp[nc];
    const Entry& e = bmp[c];
    // The successor settles c: a plain character; or, unless c is a space
    // (runs of white space go to the general path, which collapses them), a
    // space or an invisible character that cannot change c.
    if ((ne.flags & kPlain) == 0 &&
        (c == U' ' ||
         (nc != U' ' && ((ne.flags & kTransparent) == 0 || e.action == Action::kPendable)))) {
      break;
    }
    const char* bytes = e.bytes;
    int out_len = e.len;
    if ((e.flags & kPlain) != 0) {
      if (e.action == Action::kPendable) {
        switch (e.aux) {
          case kHeh:
            if ((ne.flags & kLetter) == 0) bytes = kAe;
            break;
          case kKnottedHeh:
            bytes = (ne.flags & kLetter) != 0 ? kHehB : kKnottedHehB;
            break;
          case kReh:
            if (!in_word) bytes = kRehV;
            break;
          case kLam:
            if (ne.action == Action::kPendable && ne.aux == kAlef) goto done;  // لا + a mark?
            break;
          default:
            break;
        }
      }
      in_word = (e.flags & kLetter) != 0;
    } else if ((e.flags & kTransparent) != 0) {
      removed = true;
      i = next, c = nc, len = next_len;
      continue;
    } else if (c == U' ') {
      in_word = false;
      bytes = " \0\0";
      out_len = 1;
      if (!emit_spaces || out == 0) {
        removed = !emit_spaces;
        i = next, c = nc, len = next_len;
        continue;
      }
    } else {
      break;
    }
    {
      StoreUnit(text, begins, ends, out, bytes, kMap, static_cast<uint32_t>(i),
                static_cast<uint32_t>(next));
      out += out_len;
      removed = false;
    }
    i = next, c = nc, len = next_len;
  }
done:
  n_ = out;
  in_word_ = in_word;
  removed_ = removed;
  return i;
}

// Normalizes input[i, j) through ICU: a starter and the characters that
// compose with it.
void Run::Slow(const uint8_t* s, size_t n, size_t i, size_t j) {
  segment_in_.clear();
  for (size_t k = i; k < j;) {
    char32_t cp = 0;
    const int len = Decode(s, n, k, &cp);  // valid: checked by the caller
    segment_in_.push_back(cp);
    k += len;
  }
  text_internal::NormalizeSegment(table_, segment_in_.data(), segment_in_.size(), &segment_out_);
  Entry scratch;
  for (char32_t c : segment_out_) {
    ProcessOutOfLine(EntryFor(c, &scratch), c, static_cast<uint32_t>(i),
                     static_cast<uint32_t>(j));
  }
}

absl::Status Run::Normalize(absl::string_view input) {
  out_->replacements = 0;
  if (map_) {
    out_->map.set_input_size(static_cast<uint32_t>(input.size()));
  } else {
    out_->map.Clear();
  }
  // Text and map keep their size from the last call; the slack lets the
  // 64-byte block path run to the last 66 bytes of the input.
  Grow(input.size() + 80);

  const uint8_t* s = reinterpret_cast<const uint8_t*>(input.data());
  input_ = s;
  const size_t n = input.size();
  const Entry* bmp = table_.bmp.data();
  size_t i = 0;
  size_t scanned_until = 0;  // end of a combining run already found fast
  char32_t cp = 0;
  int len = n > 0 ? Decode(s, n, 0, &cp) : 0;
  while (i < n) {
    if (fast_runs_ && !pending_ && (!space_ || block_path_) && i >= scanned_until) {
      const size_t j = FastRun(s, n, i);
      if (j != i) {
        i = j;
        if (i == n) break;
        len = Decode(s, n, i, &cp);
      }
    }
    const bool invalid = len < 0;
    if (invalid) {
      if (!replace_invalid_) {
        return absl::InvalidArgumentError(absl::StrCat("invalid UTF-8 at byte offset ", i));
      }
      ++out_->replacements;
      len = -len;
      cp = kReplacementChar;
    }
    size_t next = i + len;
    char32_t next_cp = 0;
    int next_len = next < n ? Decode(s, n, next, &next_cp) : 0;
    bool slow = cp >= 0x10000;
    if (next >= scanned_until && next_len > 0 && next_cp >= 0x300 &&
        text_internal::IsCombining(table_, next_cp)) {
      // A run of combining characters follows: it needs ICU if one of them
      // can compose with (or reorder around) what precedes it.
      size_t j = next;
      slow |= text_internal::ComposesBack(table_, cp);  // a mark that reorders with the run
      while (next_len > 0 && text_internal::IsCombining(table_, next_cp)) {
        slow |= text_internal::ComposesBack(table_, next_cp);
        j += next_len;
        next_len = j < n ? Decode(s, n, j, &next_cp) : 0;
      }
      if (slow) {
        next = j;
      } else {
        scanned_until = j;  // each mark of the run is handled on its own
        next_len = Decode(s, n, next, &next_cp);
      }
    }
    if (slow) {
      const bool removed_starter =
          cp < 0x10000 && (bmp[cp].flags & text_internal::kCombining) == 0 &&
          (bmp[cp].action == Action::kDrop || bmp[cp].action == Action::kZwnj);
      if (invalid || removed_starter) {
        // An invalid sequence, or an invisible character that ICU's case
        // folding would delete unseen, before combining marks: keep it out
        // of ICU, so that the marks are seen to lose their base.
        const size_t after = i + len;
        Process(bmp[cp], cp, static_cast<uint32_t>(i), static_cast<uint32_t>(after));
        if (after < next) Slow(s, n, after, next);
      } else {
        Slow(s, n, i, next);
      }
    } else {
      const Entry& e = bmp[cp];
      if (e.action == Action::kEmit && !(pending_ | space_) &&
          (e.flags & text_internal::kCombining) == 0) {
        // The common case: a character written as it is mapped.
        Write(e.bytes, e.len, static_cast<uint32_t>(i), static_cast<uint32_t>(next));
        in_word_ = (e.flags & text_internal::kLetter) != 0;
      } else if (e.action == Action::kAmp) {
        if (const size_t entity = ZwnjEntityLength(s, n, i); entity != 0) {
          Process(bmp[0x200C], 0x200C, static_cast<uint32_t>(i), static_cast<uint32_t>(i + entity));
          next = i + entity;
          next_len = next < n ? Decode(s, n, next, &next_cp) : 0;
        } else {
          Process(e, cp, static_cast<uint32_t>(i), static_cast<uint32_t>(next));
        }
      } else {
        Process(e, cp, static_cast<uint32_t>(i), static_cast<uint32_t>(next));
      }
    }
    i = next;
    cp = next_cp;
    len = next_len;
  }
  FlushPending(false);
  out_->text.resize(n_);
  if (map_) text_internal::OffsetMapWriter::Resize(&out_->map, n_);
  return absl::OkStatus();
}

absl::Status RunNormalizer(const text_internal::Table& table, const NormalizeOptions& options,
                           absl::string_view input, NormalizedText* out, bool fast_runs,
                           bool wide_blocks = true) {
  dubare::Run run(table, options, out, fast_runs, wide_blocks);
  absl::Status status = run.Normalize(input);
  if (!status.ok()) {
    out->text.clear();
    out->map.Clear();
  }
  return status;
}

}  // namespace

Normalizer::Normalizer(const NormalizeOptions& options)
    : options_(options),
      tables_(std::make_unique<Tables>(
          Tables{&text_internal::TableFor(options.form, options.script)})) {}

Normalizer::~Normalizer() = default;
Normalizer::Normalizer(Normalizer&&) noexcept = default;
Normalizer& Normalizer::operator=(Normalizer&&) noexcept = default;

absl::Status Normalizer::Normalize(absl::string_view input, NormalizedText* out) const {
  out->replacements = 0;
  if (input.size() >= (uint64_t{1} << 32)) {
    out->text.clear();
    out->map.Clear();
    return absl::OutOfRangeError(absl::StrCat("input of ", input.size(),
                                              " bytes: the normalizer takes less than 4 GiB"));
  }
  return RunNormalizer(*tables_->table, options_, input, out, /*fast_runs=*/true);
}

namespace text_internal {

absl::Status NormalizeWith(const NormalizeOptions& options, absl::string_view input,
                           NormalizedText* out, bool fast_runs, bool wide_blocks) {
  out->replacements = 0;
  return RunNormalizer(TableFor(options.form, options.script), options, input, out, fast_runs,
                       wide_blocks);
}

bool WideBlocksSupported() { return WideBlocksAvailable(); }

}  // namespace text_internal

absl::StatusOr<NormalizedText> Normalizer::Normalize(absl::string_view input) const {
  NormalizedText out;
  DUBARE_RETURN_IF_ERROR(Normalize(input, &out));
  return out;
}

}  // namespace dubare
