// Copyright 2026 The Dubare Authors.

#include "dubare/shingle.h"

#include <algorithm>
#include <cstdint>
#include <memory>

#include "absl/strings/str_cat.h"
#include "sketch/hash_util.h"
#include "sketch/text_scan.h"
#include "sketch/token_hash_x8.h"
#include "sketch/word_pairs.h"
#include "unicode/uchar.h"

namespace dubare {
namespace sketch_internal {
namespace {

CharClass ClassOf(uint32_t cp) {
  if (cp == 0x200C || cp == 0x200D) return kWordChar;  // ZWNJ/ZWJ join parts of a word
  switch (u_charType(static_cast<UChar32>(cp))) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK:
    case U_DECIMAL_DIGIT_NUMBER:
      return kWordChar;
    default:
      return u_isUWhiteSpace(static_cast<UChar32>(cp)) ? kSpace : kOther;
  }
}

}  // namespace

CharClass ClassifySupplementary(uint32_t cp) { return ClassOf(cp); }

const uint8_t* BmpClassTable() {
  static const uint8_t* const table = [] {
    auto* t = new uint8_t[0x10000];
    for (uint32_t cp = 0; cp < 0x10000; ++cp) t[cp] = ClassOf(cp);
    return t;
  }();
  return table;
}

const uint64_t* TwoByteWordBits() {
  static const uint64_t* const bits = [] {
    const uint8_t* bmp = BmpClassTable();
    auto* b = new uint64_t[0x800 / 64]();
    for (uint32_t cp = 0; cp < 0x800; ++cp) {
      if (bmp[cp] == kWordChar) b[cp / 64] |= uint64_t{1} << (cp % 64);
    }
    return b;
  }();
  return bits;
}

const VbmiWordTables& GetVbmiWordTables() {
  static const VbmiWordTables* const tables = [] {
    auto* t = new VbmiWordTables;
    const uint64_t* bits = TwoByteWordBits();
    auto is_word = [&](uint32_t cp) { return (bits[cp / 64] >> (cp % 64)) & 1; };
    for (uint32_t cp = 0; cp < 128; ++cp) t->ascii[cp] = is_word(cp) ? 0xFF : 0;
    for (uint32_t cp = 0; cp < 256; ++cp) t->arabic[cp] = is_word(0x600 + cp) ? 0xFF : 0;
    return t;
  }();
  return *tables;
}

namespace {

void Mix64AllPortable(uint64_t* h, size_t n) {
  for (size_t i = 0; i < n; ++i) h[i] = Mix64(h[i]);
}

#if defined(__x86_64__)
// The same loop; the compiler makes it vprolq, vpternlogq and vpmullq.
__attribute__((target("avx512f,avx512dq"))) void Mix64AllAvx512(uint64_t* h, size_t n) {
  for (size_t i = 0; i < n; ++i) h[i] = Mix64(h[i]);
}
#endif

}  // namespace

void Mix64All(uint64_t* h, size_t n) {
#if defined(__x86_64__)
  static const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  if (avx512) return Mix64AllAvx512(h, n);
#endif
  Mix64AllPortable(h, n);
}

bool VbmiScanAvailable() {
#if defined(__x86_64__)
  // Everything text_scan.h's VBMI region is compiled for.
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                         __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("bmi") &&
                         __builtin_cpu_supports("bmi2");
  return ok;
#else
  return false;
#endif
}

void WordPairsInTextOrder(uint64_t seed, absl::string_view text, Shingles* out) {
  const char* data = text.data();
  uint64_t previous = 0;
  size_t words = 0;
  ForEachWord(text, [&](size_t b, size_t e) {
    const uint64_t h = TokenHash(data + b, e - b, seed);
    if (words++ > 0) out->hashes.push_back(FinishShingle(Rotl64(previous, 1) ^ h, 2));
    previous = h;
  });
  if (words == 1) out->hashes.push_back(FinishShingle(previous, 1));
}

void WordPairs(uint64_t seed, absl::string_view text, Shingles* out) {
  // A word's place must fit in 32 bits (the normalizer takes less than 4 GiB).
  if (text.size() > UINT32_MAX) return WordPairsInTextOrder(seed, text, out);
  const char* data = text.data();
  const size_t first = out->hashes.size();
  ForEachWord(text,
              [&](size_t b, size_t e) { out->hashes.push_back(uint64_t{b} << 32 | (e - b)); });
  uint64_t* const w = out->hashes.data() + first;
  const size_t n = out->hashes.size() - first;
  uint64_t hash[kTokenChunk];
  uint64_t previous = 0;
  for (size_t c0 = 0; c0 < n; c0 += kTokenChunk) {
    const size_t m = std::min(kTokenChunk, n - c0);
    HashTokens(data, w + c0, m, seed, hash);
    // The pair of word g and the word before it goes where that word's
    // place was (read above, as were all of this chunk's).
    for (size_t i = 0; i < m; ++i) {
      const size_t g = c0 + i;
      if (g > 0) w[g - 1] = ShingleKey(Rotl64(previous, 1) ^ hash[i], 2);
      previous = hash[i];
    }
  }
  if (n == 1) {
    w[0] = ShingleKey(previous, 1);
  } else if (n > 1) {
    out->hashes.pop_back();  // n words, n - 1 pairs
  }
  Mix64All(out->hashes.data() + first, out->hashes.size() - first);
}

}  // namespace sketch_internal

namespace {

using sketch_internal::FinishShingle;
using sketch_internal::Rotl64;
using sketch_internal::TokenHash;

constexpr int kMaxWordSize = 16;
constexpr int kMaxCharSize = 64;

// Slides a window of k units over the unit stream and appends one shingle
// hash (and span) per window position; see FinishShingle for the rule.
template <bool kWantSpans>
class Roller {
 public:
  Roller(unsigned k, Shingles* out) : k_(k), out_(out) {}

  void Add(uint32_t begin, uint32_t end, uint64_t hash) {
    if (count_ >= k_) {
      combined_ = Rotl64(combined_, 1) ^ Rotl64(ring_[pos_], k_) ^ hash;
    } else {
      combined_ = Rotl64(combined_, 1) ^ hash;
      if (count_ == 0) first_begin_ = begin;
    }
    ring_[pos_] = hash;
    if constexpr (kWantSpans) begins_[pos_] = begin;
    if (++pos_ == k_) pos_ = 0;
    ++count_;
    last_end_ = end;
    if (count_ >= k_) {
      out_->hashes.push_back(FinishShingle(combined_, k_));
      if constexpr (kWantSpans) out_->spans.push_back(ByteSpan{begins_[pos_], end});
    }
  }

  // A text shorter than k units still gives one shingle covering all of it.
  void Finish() {
    if (count_ == 0 || count_ >= k_) return;
    out_->hashes.push_back(FinishShingle(combined_, count_));
    if constexpr (kWantSpans) out_->spans.push_back(ByteSpan{first_begin_, last_end_});
  }

 private:
  const unsigned k_;
  Shingles* const out_;
  unsigned pos_ = 0;
  unsigned count_ = 0;
  uint64_t combined_ = 0;
  uint32_t first_begin_ = 0, last_end_ = 0;
  uint64_t ring_[kMaxCharSize];
  uint32_t begins_[kMaxCharSize];
};


template <bool kWantSpans>
void ShingleImpl(const ShingleOptions& o, const uint64_t* char_hashes, absl::string_view text,
                 Shingles* out) {
  if constexpr (!kWantSpans) {
    if (o.kind == ShingleKind::kWord && o.size == 2) {
      return sketch_internal::WordPairs(o.seed, text, out);
    }
  }
  const char* data = text.data();
  Roller<kWantSpans> roller(static_cast<unsigned>(o.size), out);
  if (o.kind == ShingleKind::kWord) {
    sketch_internal::ForEachWord(text, [&](size_t b, size_t e) {
      roller.Add(static_cast<uint32_t>(b), static_cast<uint32_t>(e),
                 TokenHash(data + b, e - b, o.seed));
    });
  } else {
    const auto* s = reinterpret_cast<const unsigned char*>(data);
    sketch_internal::ForEachChar(text, o.ignore_spaces, [&](size_t b, size_t e) {
      uint64_t h;
      if (e - b == 1 && s[b] < 0x80) {
        h = char_hashes[s[b]];
      } else if (e - b == 2) {
        h = char_hashes[(s[b] & 0x1F) << 6 | (s[b + 1] & 0x3F)];
      } else {
        h = TokenHash(data + b, e - b, o.seed);
      }
      roller.Add(static_cast<uint32_t>(b), static_cast<uint32_t>(e), h);
    });
  }
  roller.Finish();
}

}  // namespace

absl::Status ShingleOptions::Validate() const {
  const int max = kind == ShingleKind::kWord ? kMaxWordSize : kMaxCharSize;
  if (kind != ShingleKind::kWord && kind != ShingleKind::kChar) {
    return absl::InvalidArgumentError("shingle kind must be word or char");
  }
  if (size < 1 || size > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shingle size ", size, " out of range 1..", max, " for ",
        kind == ShingleKind::kWord ? "word" : "char", " shingles"));
  }
  return absl::OkStatus();
}

Shingler::Shingler(const ShingleOptions& options) : options_(options) {
  // An invalid size would overrun the window; clamp so a misuse cannot crash
  // (callers are expected to have called Validate()).
  options_.size = std::clamp(options_.size, 1,
                             options_.kind == ShingleKind::kWord ? kMaxWordSize : kMaxCharSize);
  if (options_.kind == ShingleKind::kChar) {
    // Index = the code point, which for one- and two-byte UTF-8 is what the
    // hot loop reassembles from the bytes.
    auto table = std::make_shared<std::vector<uint64_t>>(0x800);
    for (uint32_t cp = 0; cp < 0x800; ++cp) {
      char utf8[2];
      size_t len = 1;
      if (cp < 0x80) {
        utf8[0] = static_cast<char>(cp);
      } else {
        utf8[0] = static_cast<char>(0xC0 | (cp >> 6));
        utf8[1] = static_cast<char>(0x80 | (cp & 0x3F));
        len = 2;
      }
      (*table)[cp] = TokenHash(utf8, len, options_.seed);
    }
    char_hashes_ = std::move(table);
  }
}

void Shingler::Tokenize(absl::string_view text, std::vector<Token>* out) const {
  out->clear();
  const char* data = text.data();
  sketch_internal::ForEachWord(text, [&](size_t b, size_t e) {
    out->push_back(Token{ByteSpan{static_cast<uint32_t>(b), static_cast<uint32_t>(e)},
                         TokenHash(data + b, e - b, options_.seed)});
  });
}

void Shingler::Shingle(absl::string_view text, Shingles* out, bool want_spans) const {
  out->Clear();
  if (want_spans) {
    ShingleImpl<true>(options_, char_hashes_ ? char_hashes_->data() : nullptr, text, out);
  } else {
    ShingleImpl<false>(options_, char_hashes_ ? char_hashes_->data() : nullptr, text, out);
  }
}

namespace {

// Least-significant-digit radix sort, eight passes of eight bits: for the
// uniformly distributed hashes of a long document it is several times faster
// than a comparison sort. Passes whose digit is the same in every key are
// skipped.
void RadixSort(std::vector<uint64_t>* v) {
  const size_t n = v->size();
  std::vector<uint64_t> tmp(n);
  uint64_t* src = v->data();
  uint64_t* dst = tmp.data();
  size_t counts[8][256] = {};
  for (size_t i = 0; i < n; ++i) {
    const uint64_t x = src[i];
    for (int d = 0; d < 8; ++d) ++counts[d][(x >> (8 * d)) & 0xFF];
  }
  for (int d = 0; d < 8; ++d) {
    size_t* c = counts[d];
    if (c[(src[0] >> (8 * d)) & 0xFF] == n) continue;
    size_t sum = 0;
    for (int b = 0; b < 256; ++b) {
      const size_t count = c[b];
      c[b] = sum;
      sum += count;
    }
    for (size_t i = 0; i < n; ++i) {
      const uint64_t x = src[i];
      dst[c[(x >> (8 * d)) & 0xFF]++] = x;
    }
    std::swap(src, dst);
  }
  if (src != v->data()) std::copy(src, src + n, v->data());
}

}  // namespace

void SortUnique(std::vector<uint64_t>* hashes) {
  // Below a few thousand keys the eight counting passes cost more than they save.
  constexpr size_t kRadixMin = 2048;
  if (hashes->size() >= kRadixMin) {
    RadixSort(hashes);
  } else {
    std::sort(hashes->begin(), hashes->end());
  }
  hashes->erase(std::unique(hashes->begin(), hashes->end()), hashes->end());
}

}  // namespace dubare
