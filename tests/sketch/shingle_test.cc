// Copyright 2026 The Dubare Authors.
//
// Shingles against a slow reference that tokenizes with ICU directly, builds
// each k-gram as a string, re-splits it and hashes each token naively.

#include "dubare/shingle.h"

#include <random>
#include <string>
#include <vector>

#include <xxhash.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "sketch/hash_util.h"
#include "sketch/text_scan.h"
#include "sketch/token_hash_x8.h"
#include "sketch/word_pairs.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"

namespace dubare {
namespace {

using sketch_internal::FinishShingle;

bool IsWordChar(UChar32 c) {
  if (c == 0x200C || c == 0x200D) return true;
  const int8_t t = u_charType(c);
  return t == U_UPPERCASE_LETTER || t == U_LOWERCASE_LETTER || t == U_TITLECASE_LETTER ||
         t == U_MODIFIER_LETTER || t == U_OTHER_LETTER || t == U_NON_SPACING_MARK ||
         t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK || t == U_DECIMAL_DIGIT_NUMBER;
}

struct RefUnit {
  std::string text;
  ByteSpan span;
};

// Words of valid UTF-8 text, found with ICU's decoder and properties.
std::vector<RefUnit> RefWords(const std::string& s) {
  std::vector<RefUnit> words;
  int32_t i = 0, n = static_cast<int32_t>(s.size());
  int32_t begin = -1;
  while (i < n) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s.data(), i, n, c);
    const bool word = c >= 0 && IsWordChar(c);
    if (word && begin < 0) begin = start;
    if (!word && begin >= 0) {
      words.push_back({s.substr(begin, start - begin), {uint32_t(begin), uint32_t(start)}});
      begin = -1;
    }
  }
  if (begin >= 0) words.push_back({s.substr(begin), {uint32_t(begin), uint32_t(n)}});
  return words;
}

std::vector<RefUnit> RefChars(const std::string& s, bool skip_spaces) {
  std::vector<RefUnit> chars;
  int32_t i = 0, n = static_cast<int32_t>(s.size());
  while (i < n) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s.data(), i, n, c);
    if (skip_spaces && c >= 0 && u_isUWhiteSpace(c)) continue;
    chars.push_back({s.substr(start, i - start), {uint32_t(start), uint32_t(i)}});
  }
  return chars;
}

// The combine rule applied directly: rotl(t0, n-1) ^ ... ^ t(n-1), finished.
uint64_t RefCombine(const std::vector<std::string>& tokens, uint64_t seed) {
  uint64_t c = 0;
  const unsigned n = tokens.size();
  for (unsigned i = 0; i < n; ++i) {
    c ^= sketch_internal::Rotl64(XXH3_64bits_withSeed(tokens[i].data(), tokens[i].size(), seed),
                                 n - 1 - i);
  }
  return FinishShingle(c, n);
}

Shingles RefShingle(const std::string& text, const ShingleOptions& o) {
  const std::vector<RefUnit> units = o.kind == ShingleKind::kWord
                                         ? RefWords(text)
                                         : RefChars(text, o.ignore_spaces);
  Shingles out;
  if (units.empty()) return out;
  const size_t k = std::min<size_t>(o.size, units.size());
  for (size_t j = 0; j + k <= units.size(); ++j) {
    std::vector<std::string> toks;
    if (o.kind == ShingleKind::kWord) {
      // Build the k-gram string, then split it back into its words.
      std::vector<std::string> parts;
      for (size_t m = 0; m < k; ++m) parts.push_back(units[j + m].text);
      const std::string gram = absl::StrJoin(parts, " ");
      toks = absl::StrSplit(gram, ' ');
    } else {
      for (size_t m = 0; m < k; ++m) toks.push_back(units[j + m].text);
    }
    out.hashes.push_back(RefCombine(toks, o.seed));
    out.spans.push_back({units[j].span.begin, units[j + k - 1].span.end});
  }
  return out;
}

// Random valid text mixing Sorani, Kurmanji, digits, punctuation and joiners.
std::string RandomText(std::mt19937_64& rng, int words) {
  static const char* const kPieces[] = {
      "ئەمڕۆ", "شەممە", "حکومەتی", "هەرێمی", "کوردستان", "لە", "سەر", "لەسەر", "و", "بە",
      "ڕێز", "Kurdistan", "ê", "jî", "bi", "rojê", "٢٠٢١", "2021", "لە\u200cگەڵ", "Ğ",
      "،", ".", "!", "\"", "(", "-", "\u00a0", "\U0001D400", "\u064B"};
  std::string s;
  std::uniform_int_distribution<int> pick(0, std::size(kPieces) - 1), sep(0, 5);
  for (int i = 0; i < words; ++i) {
    s += kPieces[pick(rng)];
    static const char* const kSeps[] = {" ", " ", " ", "  ", "\n", ""};
    s += kSeps[sep(rng)];
  }
  return s;
}

void ExpectSameShingles(const std::string& text, const ShingleOptions& o) {
  const Shingles want = RefShingle(text, o);
  Shingles got;
  Shingler(o).Shingle(text, &got);
  ASSERT_EQ(got.hashes, want.hashes) << ShingleSpec(o) << " text: " << text;
  ASSERT_EQ(got.spans, want.spans) << ShingleSpec(o);
  Shingles no_spans;
  Shingler(o).Shingle(text, &no_spans, /*want_spans=*/false);
  EXPECT_EQ(no_spans.hashes, want.hashes);
  EXPECT_TRUE(no_spans.spans.empty());
}

TEST(ShingleTest, WordShinglesEqualStringBuildingReference) {
  std::mt19937_64 rng(1);
  for (int k : {1, 2, 3, 5, 7, 16}) {
    ShingleOptions o;
    o.size = k;
    for (int trial = 0; trial < 40; ++trial) ExpectSameShingles(RandomText(rng, trial * 3), o);
  }
}

// The default shingles hash their words grouped by length class, a chunk of
// 256 at a time: against the one-pass loop and the string-building
// reference, with word counts around the chunk size and words in every
// class (1-3, 4-8, 9-16, 17-32 and 33+ bytes).
TEST(ShingleTest, WordPairsByLengthClassEqualTextOrder) {
  std::mt19937_64 rng(11);
  static const char* const kWords[] = {"و", "لە", "ab", "شەممە", "حکومەتی", "Kurdistanê",
                                       "هەرێمەکانی", "لەسەرچاوەکانەوە", "نێودەوڵەتییەکانیشدا",
                                       "a", "کوردستانییەکانەوەبووندا", "Rojê", "ئێمە"};
  const ShingleOptions o;
  for (int words : {0, 1, 2, 3, 255, 256, 257, 300, 512, 513, 1000}) {
    std::string text;
    for (int i = 0; i < words; ++i) {
      text += kWords[rng() % std::size(kWords)];
      text += rng() % 7 == 0 ? "، " : " ";
    }
    Shingles got, want;
    got.hashes = {7, 8};  // both append
    want.hashes = {7, 8};
    sketch_internal::WordPairs(o.seed, text, &got);
    sketch_internal::WordPairsInTextOrder(o.seed, text, &want);
    ASSERT_EQ(got.hashes, want.hashes) << words << " words";
    ASSERT_EQ(got.hashes.size(), 2 + (words <= 1 ? words : words - 1));
    want.hashes.erase(want.hashes.begin(), want.hashes.begin() + 2);
    EXPECT_EQ(want.hashes, RefShingle(text, o).hashes) << words << " words";
  }
}

// Tokens hashed by length class, eight at a time where the CPU has AVX-512,
// against XXH3 itself: every length to 64 bytes (all five classes), chunks
// of any size up to 256, any offsets, several seeds.
TEST(ShingleTest, HashTokensEqualsXxh3) {
  std::mt19937_64 rng(12);
  std::string data(4096, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (const uint64_t seed : {uint64_t{0}, uint64_t{1}, uint64_t{0x5EED}, ~uint64_t{0}, rng()}) {
    for (const size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{31},
                           size_t{32}, size_t{33}, size_t{100}, size_t{255}, size_t{256}}) {
      std::vector<uint64_t> place(n), got(n, 0), in_order(n, 0);
      for (uint64_t& p : place) {
        const uint64_t size = 1 + rng() % 64;
        p = (rng() % (data.size() - size)) << 32 | size;
      }
      sketch_internal::HashTokens(data.data(), place.data(), n, seed, got.data());
      sketch_internal::HashTokensInOrder(data.data(), place.data(), n, seed, in_order.data());
      for (size_t i = 0; i < n; ++i) {
        const uint64_t want = XXH3_64bits_withSeed(data.data() + (place[i] >> 32),
                                                   static_cast<uint32_t>(place[i]), seed);
        ASSERT_EQ(got[i], want) << "size " << static_cast<uint32_t>(place[i]) << " n " << n;
        ASSERT_EQ(in_order[i], want);
      }
    }
  }
  // One length class at a time, every length of it.
  for (uint64_t size = 1; size <= 40; ++size) {
    std::vector<uint64_t> place(256), got(256);
    for (uint64_t& p : place) p = (rng() % (data.size() - size)) << 32 | size;
    sketch_internal::HashTokens(data.data(), place.data(), place.size(), 7, got.data());
    for (size_t i = 0; i < place.size(); ++i) {
      ASSERT_EQ(got[i], XXH3_64bits_withSeed(data.data() + (place[i] >> 32), size, 7)) << size;
    }
  }
}

TEST(ShingleTest, CharShinglesEqualReference) {
  std::mt19937_64 rng(2);
  for (bool ignore : {true, false}) {
    for (int k : {1, 3, 5, 64}) {
      ShingleOptions o;
      o.kind = ShingleKind::kChar;
      o.size = k;
      o.ignore_spaces = ignore;
      for (int trial = 0; trial < 30; ++trial) ExpectSameShingles(RandomText(rng, trial * 2), o);
    }
  }
}

TEST(ShingleTest, SpansCoverTheWords) {
  const std::string text = "ئەمڕۆ، شەممە  حکومەتی هەرێمی.";
  ShingleOptions o;
  o.size = 2;
  Shingles s;
  Shingler(o).Shingle(text, &s);
  ASSERT_EQ(s.spans.size(), 3u);
  auto cut = [&](ByteSpan sp) { return text.substr(sp.begin, sp.size()); };
  EXPECT_EQ(cut(s.spans[0]), "ئەمڕۆ، شەممە");
  EXPECT_EQ(cut(s.spans[1]), "شەممە  حکومەتی");
  EXPECT_EQ(cut(s.spans[2]), "حکومەتی هەرێمی");
}

TEST(ShingleTest, TokenizeFindsWordsAndHashesThem) {
  const std::string text = " Rojê baş, لە\u200cگەڵ ٢٠٢١!";
  std::vector<Token> tokens;
  ShingleOptions o;
  Shingler(o).Tokenize(text, &tokens);
  const std::vector<RefUnit> want = RefWords(text);
  ASSERT_EQ(tokens.size(), 4u);
  ASSERT_EQ(want.size(), 4u);
  for (size_t i = 0; i < tokens.size(); ++i) {
    EXPECT_EQ(tokens[i].span, want[i].span);
    EXPECT_EQ(tokens[i].hash, XXH3_64bits_withSeed(want[i].text.data(), want[i].text.size(), o.seed));
  }
  EXPECT_EQ(text.substr(tokens[2].span.begin, tokens[2].span.size()), "لە\u200cگەڵ");
}

void ExpectWordsOfReference(const std::string& text) {
  std::vector<Token> tokens;
  Shingler().Tokenize(text, &tokens);
  const std::vector<RefUnit> want = RefWords(text);
  ASSERT_EQ(tokens.size(), want.size()) << absl::CHexEscape(text);
  for (size_t i = 0; i < tokens.size(); ++i) {
    ASSERT_EQ(tokens[i].span, want[i].span) << "word " << i << " of " << absl::CHexEscape(text);
  }
  // Both block loops: the portable one, and AVX-512 VBMI's where the CPU has it.
  for (const bool vbmi : {false, true}) {
    if (vbmi && !sketch_internal::VbmiScanAvailable()) continue;
    std::vector<ByteSpan> spans;
    auto add = [&](size_t b, size_t e) {
      spans.push_back(ByteSpan{static_cast<uint32_t>(b), static_cast<uint32_t>(e)});
    };
    if (!vbmi) {
      sketch_internal::portable::ForEachWordInBlocks(text, add);
    } else {
#if defined(__x86_64__)
      sketch_internal::vbmi::ForEachWordInBlocks(text, add);
#endif
    }
    ASSERT_EQ(spans.size(), want.size()) << (vbmi ? "vbmi " : "portable ") << absl::CHexEscape(text);
    for (size_t i = 0; i < spans.size(); ++i) {
      ASSERT_EQ(spans[i], want[i].span) << (vbmi ? "vbmi" : "portable") << " word " << i;
    }
  }
}

// Text of one- and two-byte characters is scanned 64 bytes at a time; a
// block with anything else falls back to the unit scan. Every one- and
// two-byte code point is classified on the block path, at every offset in
// a block, and block edges meet fallbacks and each other mid-word.
TEST(ShingleTest, ByteClassMasksEqualTheScalarReference) {
  std::mt19937_64 rng(9);
  unsigned char block[64];
  for (int trial = 0; trial < 2000; ++trial) {
    for (int j = 0; j < 64; ++j) {
      // Every byte value, and runs around the class edges (7F/80, BF/C0, C1/C2, DF/E0).
      static const unsigned char kEdges[] = {0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xFF};
      block[j] = trial % 2 ? static_cast<unsigned char>(rng())
                           : kEdges[rng() % std::size(kEdges)];
    }
    uint64_t a1, l1, c1, a2, l2, c2;
    sketch_internal::ByteClassMasks(block, &a1, &l1, &c1);
    sketch_internal::ByteClassMasksScalar(block, &a2, &l2, &c2);
    ASSERT_EQ(a1, a2);
    ASSERT_EQ(l1, l2);
    ASSERT_EQ(c1, c2);
  }
}

TEST(ShingleTest, BlockWordScanEqualsReference) {
  for (int shift = 0; shift < 64; ++shift) {
    std::string text(shift, 'a');
    for (char32_t cp = 0; cp < 0x800; ++cp) {
      char utf8[4];
      size_t len = 0;
      U8_APPEND_UNSAFE(utf8, len, cp);
      text.append(utf8, len);
      text += cp % 3 == 0 ? " " : "ب";
    }
    ExpectWordsOfReference(text);
  }
  static const char* const kPieces[] = {"ب", "ە", "ڕ", "ێ", "a", "Z", "7", "٢", " ", " ", " ",
                                        "،", ".", "\u00a0", "\u064B", "ê", "ş", "\n", "-"};
  static const char* const kRare[] = {"\u200c", "\u20ac", "\U0001D400", "\xFF", "\x80",
                                      "\xD8", "\xE0\xA7", "\xF0\x9F\x98"};
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 400; ++trial) {
    std::string text;
    const int n = std::uniform_int_distribution<int>(0, 600)(rng);
    const int rare_every = trial % 2 == 0 ? 1 << 30 : 40;  // half of the texts have none
    for (int i = 0; i < n; ++i) {
      if (std::uniform_int_distribution<int>(0, rare_every)(rng) == 0) {
        text += kRare[std::uniform_int_distribution<size_t>(0, std::size(kRare) - 1)(rng)];
      } else {
        text += kPieces[std::uniform_int_distribution<size_t>(0, std::size(kPieces) - 1)(rng)];
      }
    }
    ExpectWordsOfReference(text);
  }
}

TEST(ShingleTest, IgnoreSpacesMakesJoinedAndSplitCompoundsEqual) {
  ShingleOptions o;
  o.kind = ShingleKind::kChar;
  o.size = 4;
  Shingles joined, split;
  Shingler(o).Shingle("دەچین لەسەر شاخ", &joined);
  Shingler(o).Shingle("دەچین لە سەر شاخ", &split);
  EXPECT_EQ(joined.hashes, split.hashes);
  o.ignore_spaces = false;
  Shingler(o).Shingle("دەچین لەسەر شاخ", &joined);
  Shingler(o).Shingle("دەچین لە سەر شاخ", &split);
  EXPECT_NE(joined.hashes, split.hashes);
}

TEST(ShingleTest, ShortTextGivesOneShingleAndEmptyGivesNone) {
  ShingleOptions o;
  o.size = 5;
  Shingles s;
  Shingler(o).Shingle("لە سەر", &s);
  ASSERT_EQ(s.hashes.size(), 1u);
  EXPECT_EQ(s.spans[0], (ByteSpan{0, static_cast<uint32_t>(std::string("لە سەر").size())}));
  Shingler(o).Shingle("  ،. ", &s);
  EXPECT_TRUE(s.hashes.empty());
  Shingler(o).Shingle("", &s);
  EXPECT_TRUE(s.hashes.empty());
}

TEST(ShingleTest, OrderAndSeedMatter) {
  ShingleOptions o;
  o.size = 2;
  Shingles ab, ba, seeded;
  Shingler(o).Shingle("aa bb", &ab);
  Shingler(o).Shingle("bb aa", &ba);
  EXPECT_NE(ab.hashes, ba.hashes);
  o.seed ^= 1;
  Shingler(o).Shingle("aa bb", &seeded);
  EXPECT_NE(ab.hashes, seeded.hashes);
}

TEST(ShingleTest, InvalidUtf8AndBinaryNeverCrash) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    std::string bytes(trial * 7, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    for (ShingleKind kind : {ShingleKind::kWord, ShingleKind::kChar}) {
      ShingleOptions o;
      o.kind = kind;
      Shingles s;
      Shingler(o).Shingle(bytes, &s);
      for (const ByteSpan& sp : s.spans) {
        ASSERT_LE(sp.begin, sp.end);
        ASSERT_LE(sp.end, bytes.size());
      }
    }
  }
  // An invalid byte separates words.
  std::vector<Token> tokens;
  Shingler().Tokenize("ab\xFF" "cd", &tokens);
  EXPECT_EQ(tokens.size(), 2u);
}

TEST(ShingleTest, OptionsValidate) {
  ShingleOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.size = 17;
  EXPECT_FALSE(o.Validate().ok());
  o.kind = ShingleKind::kChar;
  EXPECT_TRUE(o.Validate().ok());
  o.size = 65;
  EXPECT_FALSE(o.Validate().ok());
  o.size = 0;
  EXPECT_FALSE(o.Validate().ok());
}

TEST(ShingleTest, SpecRoundTrips) {
  for (const char* spec : {"word:3", "word:16", "char:5", "charsp:7"}) {
    ShingleOptions o;
    ASSERT_TRUE(ParseShingleSpec(spec, &o).ok()) << spec;
    EXPECT_EQ(ShingleSpec(o), spec);
  }
  ShingleOptions o;
  for (const char* bad : {"word", "word:0", "word:17", "char:x", "line:3", "word:3:1", ""}) {
    EXPECT_FALSE(ParseShingleSpec(bad, &o).ok()) << bad;
  }
}

TEST(ShingleTest, SortUniqueGivesSortedSet) {
  std::mt19937_64 rng(4);
  // Small and large inputs (comparison and radix sort), few and many repeats,
  // and keys that share their high bytes (skipped radix passes).
  for (size_t n : {0u, 1u, 100u, 2047u, 2048u, 5000u, 70000u}) {
    for (uint64_t mask : {~0ull, 0xFFFull, 0xFF00FF0000000000ull}) {
      std::vector<uint64_t> v(n);
      for (uint64_t& x : v) x = rng() & mask;
      std::vector<uint64_t> want = v;
      std::sort(want.begin(), want.end());
      want.erase(std::unique(want.begin(), want.end()), want.end());
      SortUnique(&v);
      ASSERT_EQ(v, want) << n << " " << mask;
    }
  }
}

}  // namespace
}  // namespace dubare
