// Copyright 2026 The Dubare Authors.
//
// Properties of the normalizer checked against slow references:
//   * the table-driven NFKC equals ICU's NFKC over the whole string, for every
//     BMP code point alone and for random text full of composing sequences;
//   * normalizing twice changes nothing; the offset map is valid;
//   * offset-map round trip: the input span an output range maps to
//     reproduces that output range when normalized on its own.

#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "dubare/file.h"
#include "dubare/normalize.h"
#include "gtest/gtest.h"
#include "text/normalize_internal.h"
#include "text/test_util.h"
#include "unicode/normalizer2.h"
#include "unicode/unistr.h"

namespace dubare {
namespace {

using ::dubare::testing::MapIsValid;

std::vector<NormalizeOptions> AllVariants() {
  std::vector<NormalizeOptions> all;
  for (NormalForm form : {NormalForm::kCanonical, NormalForm::kMatchKey}) {
    for (Script script : {Script::kAuto, Script::kSorani, Script::kKurmanji}) {
      NormalizeOptions o;
      o.form = form;
      o.script = script;
      all.push_back(o);
    }
  }
  return all;
}

// AllVariants, each with spaces kept and with spaces dropped.
std::vector<NormalizeOptions> AllVariantsBothSpaces() {
  std::vector<NormalizeOptions> all;
  for (NormalizeOptions o : AllVariants()) {
    for (bool keep_spaces : {true, false}) {
      o.keep_spaces = keep_spaces;
      all.push_back(o);
    }
  }
  return all;
}

std::string Describe(const NormalizeOptions& o) {
  return std::string(NormalFormName(o.form)) + "/" + std::string(ScriptName(o.script)) +
         (o.keep_spaces ? "" : " no-spaces");
}

// ICU's NFKC of the whole string: the slow, obvious reference.
std::string IcuNfkc(const std::string& utf8) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  icu::UnicodeString out = nfkc->normalize(icu::UnicodeString::fromUTF8(utf8), status);
  EXPECT_TRUE(U_SUCCESS(status));
  std::string result;
  out.toUTF8String(result);
  return result;
}

std::string Utf8(char32_t c) {
  std::string s;
  icu::UnicodeString(static_cast<UChar32>(c)).toUTF8String(s);
  return s;
}

// Fixed seeds, shifted by --gtest_random_seed to explore more inputs.
uint32_t Seed(uint32_t base) {
  return base + static_cast<uint32_t>(::testing::UnitTest::GetInstance()->random_seed());
}

std::string NormalizeOrDie(const Normalizer& n, absl::string_view in) {
  absl::StatusOr<NormalizedText> out = n.Normalize(in);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? out->text : "<error>";
}

// Characters rewritten before NFKC on purpose (docs/normalization.md):
// spacing accents typed as apostrophes.
bool RewrittenBeforeNfkc(char32_t c) { return c == 0xB4; }

TEST(NormalizeProperties, EveryBmpCodePointAgreesWithIcuNfkcFirst) {
  for (const NormalizeOptions& options : AllVariants()) {
    SCOPED_TRACE(Describe(options));
    const Normalizer n(options);
    int mismatches = 0;
    for (char32_t c = 1; c < 0x10000 && mismatches < 10; ++c) {
      if ((c >= 0xD800 && c <= 0xDFFF) || RewrittenBeforeNfkc(c)) continue;
      const std::string in = Utf8(c);
      const std::string fast = NormalizeOrDie(n, in);
      const std::string slow = NormalizeOrDie(n, IcuNfkc(in));
      if (fast != slow) {
        ADD_FAILURE() << "U+" << std::hex << static_cast<uint32_t>(c) << ": table gives '" << fast
                      << "', NFKC first gives '" << slow << "'";
        ++mismatches;
      }
    }
  }
}

// Random text from pieces that trigger every rule and every slow path.
std::string RandomText(std::mt19937& rng, int pieces) {
  static const std::vector<std::string> kPieces = {
      // Sorani letters and their variants
      "ا", "ب", "ر", "ڕ", "ڒ", "ل", "ڵ", "ڶ", "ه", "ھ", "ە", "ة", "ۀ", "ی", "ي", "ى", "ێ", "و",
      "ۆ", "ؤ", "ك", "ک", "ئ", "أ", "آ", "ە", "د", "ن",
      // marks, hamza, tatweel, invisibles, entities
      "\u064E", "\u0650", "\u064B", "\u064D", "\u0651", "\u0652", "\u0654", "\u0655", "\u0653",
      "\u0670", "\u0640", "\u200C", "\u200D", "\u200E", "\uFEFF", "\u00AD", "&zwnj;", "&#8204;",
      "&", "&amp;",
      // presentation forms and ligatures
      "\uFEEB", "\uFEE9", "\uFEFB", "\uFDF2", "\uFB8E", "\uFE70",
      // Latin, Kurmanji letters, combining accents, case
      "a", "e", "E", "i", "I", "ı", "İ", "é", "É", "ê", "ç", "ş", "u", "ú", "\u0301", "\u0302",
      "\u0327", "\u0316", "\u0307", "\uFB01", "\uFF21", "ß", "'", "’", "-", "–",
      // digits, punctuation, spaces
      "١", "۲", "7", "٪", "٫", "٬", "،", "؛", "؟", "«", "»", "\"", "“", ".", "!", " ", "  ", "\t",
      "\n", "\r\n", "\n\n", "\u00A0", "\u2003", "\u2029",
      // outside the BMP: emoji, mathematical letters, a combining mark
      "\U0001F600", "\U0001D400", "\U0001D165", "\U00010400",
      // Hangul jamo, which compose
      "\u1100", "\u1161", "\u11A8"};
  std::uniform_int_distribution<size_t> pick(0, kPieces.size() - 1);
  std::string s;
  for (int i = 0; i < pieces; ++i) s += kPieces[pick(rng)];
  return s;
}

TEST(NormalizeProperties, RandomTextAgreesWithIcuNfkcFirstAndIsIdempotent) {
  std::mt19937 rng(Seed(20261127));
  for (const NormalizeOptions& options : AllVariants()) {
    SCOPED_TRACE(Describe(options));
    const Normalizer n(options);
    const Normalizer no_map(::dubare::testing::WithoutMap(options));
    NormalizedText text_only;
    for (int round = 0; round < 2000; ++round) {
      const std::string in = RandomText(rng, 1 + round % 40);
      absl::StatusOr<NormalizedText> out = n.Normalize(in);
      ASSERT_TRUE(out.ok()) << out.status();
      ASSERT_TRUE(MapIsValid(*out, in.size())) << in;
      // Without the map: the same text.
      ASSERT_TRUE(no_map.Normalize(in, &text_only).ok());
      ASSERT_EQ(text_only.text, out->text) << "input: " << absl::CEscape(in);
      ASSERT_EQ(text_only.map.size(), 0u);
      ASSERT_EQ(out->text, NormalizeOrDie(n, IcuNfkc(in))) << "input: " << absl::CEscape(in);
      ASSERT_EQ(NormalizeOrDie(n, out->text), out->text)
          << "not idempotent; input: " << absl::CEscape(in);
    }
  }
}

std::string TrimSpaces(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.pop_back();
  size_t k = 0;
  while (k < s.size() && (s[k] == ' ' || s[k] == '\n')) ++k;
  return s.substr(k);
}

// Output positions between bytes whose input spans do not overlap: the cuts
// a caller may make without splitting what one piece of input produced.
std::vector<size_t> UnitBoundaries(const NormalizedText& out) {
  std::vector<size_t> cuts;
  const auto& b = out.map.begins();
  const auto& e = out.map.ends();
  for (size_t i = 0; i <= b.size(); ++i) {
    if (i == 0 || i == b.size() || b[i] >= e[i - 1]) cuts.push_back(i);
  }
  return cuts;
}

// For random unit-aligned output ranges [x, y): normalizing the input span
// they map to, on its own, reproduces them. For the match key this holds
// exactly (up to spaces at the ends, which normalization trims). The
// canonical form has rules that look one character beyond a word (ر at a
// word start, heh at a word end), so a span cut out of its word may differ
// in exactly the letters the match key folds: there we compare match keys.
void CheckRoundTrip(const std::string& in, const NormalizeOptions& options, std::mt19937& rng,
                    int samples) {
  const Normalizer n(options);
  NormalizeOptions key_options = options;
  key_options.form = NormalForm::kMatchKey;
  const Normalizer key(key_options);
  absl::StatusOr<NormalizedText> out = n.Normalize(in);
  ASSERT_TRUE(out.ok()) << out.status();
  const std::vector<size_t> cuts = UnitBoundaries(*out);
  ASSERT_GE(cuts.size(), 2u);
  std::uniform_int_distribution<size_t> pick(0, cuts.size() - 1);
  std::geometric_distribution<size_t> length(0.05);
  for (int s = 0; s < samples; ++s) {
    const size_t xi = pick(rng);
    const size_t yi = std::min(cuts.size() - 1, xi + 1 + length(rng));
    if (xi >= yi) continue;
    const size_t x = cuts[xi], y = cuts[yi];
    const ByteSpan span = out->map.ToInput(x, y);
    const std::string piece = in.substr(span.begin, span.size());
    const std::string expected = TrimSpaces(out->text.substr(x, y - x));
    const std::string again = NormalizeOrDie(n, piece);
    if (options.form == NormalForm::kMatchKey) {
      ASSERT_EQ(again, expected) << "piece: " << piece << "\n" << "output [" << x << ", " << y << ") from input ["
                                 << span.begin << ", " << span.end << ")";
    } else {
      ASSERT_EQ(NormalizeOrDie(key, again), NormalizeOrDie(key, expected))
          << "piece: " << piece << "\nagain: " << again << "\nexpected: " << expected << "\noutput [" << x << ", " << y << ") from input [" << span.begin << ", " << span.end
          << ")";
    }
  }
}

TEST(NormalizeProperties, OffsetMapRoundTripOnPressReports) {
  std::mt19937 rng(Seed(7));
  const std::vector<std::string> files =
      ::dubare::testing::TextFilesUnder(DUBARE_SOURCE_DIR "/corpus/press");
  ASSERT_FALSE(files.empty());
  for (const std::string& file : files) {
    absl::StatusOr<std::string> text = ReadFile(file);
    ASSERT_TRUE(text.ok());
    for (const NormalizeOptions& options : AllVariants()) {
      SCOPED_TRACE(file + " " + Describe(options));
      CheckRoundTrip(*text, options, rng, 300);
    }
  }
}

TEST(NormalizeProperties, OffsetMapRoundTripOnRandomText) {
  std::mt19937 rng(Seed(11));
  for (const NormalizeOptions& options : AllVariantsBothSpaces()) {
    SCOPED_TRACE(Describe(options));
    for (int round = 0; round < 200; ++round) {
      std::string in = RandomText(rng, 60);
      in += "x";  // never empty output
      CheckRoundTrip(in, options, rng, 20);
    }
  }
}

// The fast path (runs of characters settled by their successor) against the
// general state machine alone, on random text and on the press reports.
TEST(NormalizeProperties, FastPathEqualsGeneralPath) {
  std::mt19937 rng(Seed(5));
  std::vector<std::string> inputs;
  for (int round = 0; round < 3000; ++round) inputs.push_back(RandomText(rng, 1 + round % 80));
  for (const std::string& file :
       ::dubare::testing::TextFilesUnder(DUBARE_SOURCE_DIR "/corpus/press")) {
    absl::StatusOr<std::string> text = ReadFile(file);
    ASSERT_TRUE(text.ok());
    inputs.push_back(*text);
  }
  for (const NormalizeOptions& options : AllVariantsBothSpaces()) {
    SCOPED_TRACE(Describe(options));
    const Normalizer n(options);
    NormalizedText fast, general;
    for (const std::string& in : inputs) {
      ASSERT_TRUE(text_internal::NormalizeWith(n.options(), in, &fast, true).ok());
      ASSERT_TRUE(text_internal::NormalizeWith(n.options(), in, &general, false).ok());
      ASSERT_EQ(fast.text, general.text) << "input: " << absl::CEscape(in);
      ASSERT_EQ(fast.map.begins(), general.map.begins()) << "input: " << absl::CEscape(in);
      ASSERT_EQ(fast.map.ends(), general.map.ends()) << "input: " << absl::CEscape(in);
    }
  }
}

// Text that the block path of the match key (16 bytes at a time) takes for
// the most part: Sorani letters, the ones it rewrites (ە ێ ۆ ڕ ڵ ھ ي ك ...),
// single spaces, ASCII letters and digits, with now and then what it must
// leave to the character loop: a mark after a letter, punctuation, runs and
// other kinds of white space, invisibles, three- and four-byte characters,
// invalid bytes. Long inputs, so that blocks start at every offset.
std::string BlockFriendlyText(std::mt19937& rng, int pieces) {
  static const std::vector<std::string> kCommon = {
      "ا", "ب", "ر", "ڕ", "ل", "ڵ", "ه", "ھ", "ە", "ی", "ێ", "و", "ۆ", "ک", "ئ", "د", "ن",
      "پ", "چ", "ژ", "گ", "ڤ", "ش", "ع", "ق", "م", "ت", "ي", "ك", "ة", "ى", "أ", "ؤ",
      " ", " ", " ", " ", "a", "k", "Z", "Q", "7", "0", "x"};
  static const std::vector<std::string> kRare = {
      "\u064E", "\u0650", "\u0651", "\u0654", "\u0670", "\u0640", "\u200C", "\u0301",
      "،", ".", "؟", "«", "\"", "-", "  ", "\n", "\n\n", "\t", "\u00A0", "١", "۲", "٪",
      "&zwnj;", "&", "é", "ê", "\U0001F600", "\U0001D165", "\uFEFB", "\xff", "\xd9", "\xdb\x20"};
  std::uniform_int_distribution<size_t> common(0, kCommon.size() - 1), rare(0, kRare.size() - 1);
  std::uniform_int_distribution<int> roll(0, 24);
  std::string s;
  for (int i = 0; i < pieces; ++i) s += roll(rng) == 0 ? kRare[rare(rng)] : kCommon[common(rng)];
  return s;
}

// Text dense in what ends or bends a block: removed characters (ZWNJ,
// tatweel) next to spaces, separators and line breaks, digits folded to
// ASCII, marks after all of them.
std::string BlockEdgeText(std::mt19937& rng, int pieces) {
  static const std::vector<std::string> kPieces = {
      "ب", "ە", "ی", " ", " ", "\u200C", "\u0640", "٢", "۵", ".", "،", "\n", "a", "Q",
      "\u064E", "\u0654", "  ", "ك"};
  std::uniform_int_distribution<size_t> pick(0, kPieces.size() - 1);
  std::string s;
  for (int i = 0; i < pieces; ++i) s += kPieces[pick(rng)];
  return s;
}

TEST(NormalizeProperties, BlockPathEqualsGeneralPath) {
  if (!text_internal::WideBlocksSupported()) {
    std::printf("note: no AVX-512 VBMI here, the 64-byte block path is not tested\n");
  }
  std::mt19937 rng(Seed(17));
  for (NormalizeOptions options : AllVariantsBothSpaces()) {
    options.offset_map = false;  // the block path writes the text alone
    options.on_invalid = InvalidUtf8Policy::kReplace;
    SCOPED_TRACE(Describe(options));
    const Normalizer n(options);
    NormalizedText fast, general;
    for (int round = 0; round < 3000; ++round) {
      const std::string in = round % 2 == 0 ? BlockFriendlyText(rng, 1 + round % 300)
                                            : BlockEdgeText(rng, 1 + round % 200);
      ASSERT_TRUE(text_internal::NormalizeWith(n.options(), in, &general, false).ok());
      // 16-byte blocks, and 64-byte ones where this CPU has them.
      for (bool wide : {false, true}) {
        ASSERT_TRUE(text_internal::NormalizeWith(n.options(), in, &fast, true, wide).ok());
        ASSERT_EQ(fast.text, general.text) << "wide " << wide << " input: " << absl::CEscape(in);
        ASSERT_EQ(fast.replacements, general.replacements) << "input: " << absl::CEscape(in);
      }
    }
  }
}

TEST(NormalizeProperties, ReusedOutputEqualsFreshOutput) {
  std::mt19937 rng(Seed(3));
  const Normalizer n;
  NormalizedText reused;
  for (int round = 0; round < 200; ++round) {
    const std::string in = RandomText(rng, 1 + (round * 37) % 300);
    ASSERT_TRUE(n.Normalize(in, &reused).ok());
    absl::StatusOr<NormalizedText> fresh = n.Normalize(in);
    ASSERT_TRUE(fresh.ok());
    ASSERT_EQ(reused.text, fresh->text);
    ASSERT_EQ(reused.map.begins(), fresh->map.begins());
    ASSERT_EQ(reused.map.ends(), fresh->map.ends());
  }
}

}  // namespace
}  // namespace dubare
