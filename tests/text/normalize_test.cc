// Copyright 2026 The Dubare Authors.
//
// One test (or a small group) per normalization rule of docs/normalization.md.

#include "dubare/normalize.h"

#include <string>

#include "gtest/gtest.h"

namespace dubare {
namespace {

std::string Norm(absl::string_view in, NormalizeOptions options) {
  absl::StatusOr<NormalizedText> out = Normalizer(options).Normalize(in);
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return "<error>";
  EXPECT_EQ(out->map.size(), out->text.size());
  return out->text;
}

std::string Canon(absl::string_view in, Script script = Script::kAuto) {
  NormalizeOptions o;
  o.script = script;
  return Norm(in, o);
}

std::string Match(absl::string_view in, bool keep_spaces = true,
                  Script script = Script::kAuto) {
  NormalizeOptions o;
  o.form = NormalForm::kMatchKey;
  o.keep_spaces = keep_spaces;
  o.script = script;
  return Norm(in, o);
}

// ------------------------------------------------------------ NFKC first

TEST(NormalizeNfkc, PresentationFormsBecomeLetters) {
  // ﻛﺘﻴﺐ in presentation forms: keheh? no, Arabic kaf forms → ک after NFKC.
  EXPECT_EQ(Canon("\uFEDB\uFE98\uFEF4\uFE8F"), "کتیب");
  EXPECT_EQ(Canon("\uFEFB"), "لا");  // lam-alef ligature
}

TEST(NormalizeNfkc, FullWidthAndLigatures) {
  EXPECT_EQ(Canon("\uFF21\uFF22\uFF23 \uFB01"), "ABC fi");
  EXPECT_EQ(Match("\uFF21\uFF22\uFF23"), "abc");
}

TEST(NormalizeNfkc, HamzaKeptNeverDecomposed) {
  EXPECT_EQ(Canon("ئەمڕۆ"), "ئەمڕۆ");
  EXPECT_EQ(Match("ئەمڕۆ"), "ئهمرو");
}

TEST(NormalizeNfkc, AeWithHamzaComposesAndBecomesAe) {
  // ە + U+0654 composes to ۀ under NFKC, and ۀ is written ە.
  EXPECT_EQ(Canon("خانە\u0654"), "خانە");
  EXPECT_EQ(Canon("خانۀ"), "خانە");
}

TEST(NormalizeNfkc, HamzaAboveOnYehIsYehHamza) {
  EXPECT_EQ(Canon("\u06CC\u0654ێمە"), "ئێمە");
  EXPECT_EQ(Canon("\u064A\u0654"), "ئ");  // composes under NFKC
}

// ------------------------------------------------------------ heh + ZWNJ

TEST(NormalizeHeh, HehZwnjIsTheVowelAe) {
  EXPECT_EQ(Canon("به\u200Cرده\u200Cوام"), "بەردەوام");
  EXPECT_EQ(Canon("له\u200C"), "لە");
}

TEST(NormalizeHeh, HtmlEntityFormsOfZwnj) {
  EXPECT_EQ(Canon("به&zwnj;رده&#8204;وام"), "بەردەوام");
  EXPECT_EQ(Canon("له&#x200c;"), "لە");
  EXPECT_EQ(Canon("له&#X200C;"), "لە");
  EXPECT_EQ(Canon("a&b"), "a&b");
  EXPECT_EQ(Canon("&zwnj"), "&zwnj");  // no semicolon: not an entity
}

TEST(NormalizeHeh, ZwnjElsewhereIsRemoved) {
  EXPECT_EQ(Canon("می\u200Cخوێنم"), "میخوێنم");
}

TEST(NormalizeHeh, KnottedHehIsHehInsideWords) {
  EXPECT_EQ(Canon("ھەولێر"), "هەولێر");
  EXPECT_EQ(Canon("بەھار"), "بەهار");
}

TEST(NormalizeHeh, BareWordFinalHehIsTheVowel) {
  // Decision (docs/normalization.md): as in AsoSoft and Lucene, because in
  // real text a bare final ه is almost always the old spelling of ە.
  EXPECT_EQ(Canon("له ماڵه\u200Cوه"), "لە ماڵەوە");
  EXPECT_EQ(Canon("مالهوه"), "مالهوە");  // inside a word only ZWNJ tells the vowel
  EXPECT_EQ(Canon("كه، به"), "کە، بە");
  EXPECT_EQ(Canon("هەموو"), "هەموو");  // not final: the consonant
}

TEST(NormalizeHeh, MarkedFinalConsonantHehIsKnottedHeh) {
  // The canonical word-final consonant h is ھ (KLPT's choice); the marked
  // spellings ھ, هـ (AsoSoft's) and ه+ZWJ all become it.
  EXPECT_EQ(Canon("شاھ"), "شاھ");
  EXPECT_EQ(Canon("شاهـ"), "شاھ");
  EXPECT_EQ(Canon("شاه\u200D"), "شاھ");
  EXPECT_EQ(Canon("شاهـ."), "شاھ.");
  EXPECT_EQ(Canon("هـا"), "ها");  // tatweel inside a word marks nothing
}

TEST(NormalizeHeh, MatchKeyFoldsAllHehs) {
  EXPECT_EQ(Match("شاھ"), Match("شاه"));
  EXPECT_EQ(Match("شاھ"), Match("شاە"));
  EXPECT_EQ(Match("له"), Match("لە"));
}

// ------------------------------------------------------------ letters

TEST(NormalizeLetters, ArabicKafAndYeh) {
  EXPECT_EQ(Canon("كوردستان"), "کوردستان");
  EXPECT_EQ(Canon("\u06AAورد"), "کورد");
  EXPECT_EQ(Canon("كوردي"), "کوردی");
  EXPECT_EQ(Canon("\u0649\u06D2\u06CD"), "ییی");
}

TEST(NormalizeLetters, TehMarbutaAndHehHamzaAreAe) {
  EXPECT_EQ(Canon("ة"), "ە");
  EXPECT_EQ(Canon("\u06C0"), "ە");
}

TEST(NormalizeLetters, WawHamzaAndAlefForms) {
  EXPECT_EQ(Canon("ؤ"), "ۆ");
  EXPECT_EQ(Canon("آأإ"), "ااا");
}

TEST(NormalizeLetters, RehAndLamVariants) {
  EXPECT_EQ(Canon("\u0692"), "ڕ");
  EXPECT_EQ(Canon("گو\u06B6"), "گوڵ");
  EXPECT_EQ(Canon("\u06B7\u06B8"), "ڵڵ");
}

TEST(NormalizeLetters, RehAtWordStartIsTrilled) {
  EXPECT_EQ(Canon("رووبەڕووبوونەوەی"), "ڕووبەڕووبوونەوەی");
  EXPECT_EQ(Canon("بە رێز"), "بە ڕێز");
  EXPECT_EQ(Canon("کورد"), "کورد");  // not at a word start
  EXPECT_EQ(Canon("«رێز»"), "\"ڕێز\"");
}

// ------------------------------------------------------------ removed marks

TEST(NormalizeMarks, TatweelHarakatAndInvisiblesAreRemoved) {
  EXPECT_EQ(Canon("١٧ ـیەم"), "17 یەم");
  EXPECT_EQ(Canon("كَتَبَ"), "کتب");
  EXPECT_EQ(Canon("a\u200Db\u200Ec\uFEFFd\u00ADe\u202Bf"), "abcdef");
}

TEST(NormalizeMarks, LegacyMarksCarryLetters) {
  EXPECT_EQ(Canon("لا\u064Eر"), "ڵار");     // لاَ → ڵا (fatha after the lam-alef)
  EXPECT_EQ(Canon("ی\u064C"), "ێ");         // Zarnegar: dammatan
  EXPECT_EQ(Canon("\u0631\u064Dێ"), "ڕێ");  // Zarnegar: kasratan
  EXPECT_EQ(Canon("دي\u064Eر"), "دێر");
  EXPECT_EQ(Canon("ك\u0648\u064Eر"), "کۆر");
  EXPECT_EQ(Canon("گو\u0644\u064E"), "گوڵ");
  EXPECT_EQ(Canon("ك\u0631\u0650د"), "کڕد");
}

// ------------------------------------------------------------ digits, punctuation, spaces

TEST(NormalizePunctuation, DigitsAndNumberSigns) {
  EXPECT_EQ(Canon("٢٠٢١ ۱۹۹۱ ٥٪ ٣٫٥ ١٬٠٠٠"), "2021 1991 5% 3.5 1,000");
}

TEST(NormalizePunctuation, QuotesAndDashesHaveOneForm) {
  EXPECT_EQ(Canon("“a” «b» „c‟ ‘d’"), "\"a\" \"b\" \"c\" 'd'");
  EXPECT_EQ(Canon("a–b—c−d‐e"), "a-b-c-d-e");
}

TEST(NormalizeSpaces, CollapsedTrimmedAndParagraphsKept) {
  EXPECT_EQ(Canon("  a \t\u00A0 b\u2003c  "), "a b c");
  EXPECT_EQ(Canon("a\r\nb"), "a b");
  EXPECT_EQ(Canon("a\r\n\r\nb\n\n\n\nc"), "a\n\nb\n\nc");
  EXPECT_EQ(Canon("a\r\rb"), "a\n\nb");  // old Mac line ends
  // Only a '\n' right after '\r' is part of its line end: a lone '\r' does
  // not swallow a later '\n' (the fuzzer found this, and the fast path
  // disagreeing with the general rules on it).
  EXPECT_EQ(Canon("\rx p\n\np"), "x p\n\np");
  EXPECT_EQ(Canon("a\rb c\n\nd"), "a b c\n\nd");
  NormalizeOptions o;
  o.keep_paragraphs = false;
  EXPECT_EQ(Norm("a\n\nb", o), "a b");
}

// ------------------------------------------------------------ match key

TEST(NormalizeMatchKey, FoldsWhatWritersInterchange) {
  EXPECT_EQ(Match("ە ه ھ"), Match("ه ه ه"));
  EXPECT_EQ(Match("ڕێز"), Match("ریز"));
  EXPECT_EQ(Match("گوڵ"), Match("گول"));
  EXPECT_EQ(Match("کۆر"), Match("کور"));
  EXPECT_EQ(Match("ئەمڕۆ، سبەی!"), Match("ئەمڕۆ سبەی"));
}

TEST(NormalizeMatchKey, JoinedAndSplitCompoundsMatchWithoutSpaces) {
  EXPECT_EQ(Match("لەسەر", false), Match("لە سەر", false));
  EXPECT_EQ(Match("لەگەڵ", false), Match("لە گەڵ", false));
  EXPECT_NE(Match("لەسەر", true), Match("لە سەر", true));
}

TEST(NormalizeMatchKey, BothRehSpellingsOfOneWordMatch) {
  EXPECT_EQ(Match("رووبەڕووبوونەوەی"), Match("ڕووبەڕووبوونەوەی"));
}

// ------------------------------------------------------------ Latin script

TEST(NormalizeLatin, KurmanjiLetters) {
  EXPECT_EQ(Canon("éíú ÉÍÚ"), "êîû ÊÎÛ");
  EXPECT_EQ(Canon("ı İ"), "i I");
  EXPECT_EQ(Match("İSTANBUL Dıyarbakır"), "istanbul diyarbakir");
  EXPECT_EQ(Canon("e\u0301"), "ê");  // combining acute composes first
}

// Kurmanji is often typed without its diacritics: the match key folds them
// (canonical text keeps them), whether composed or typed as base + mark.
TEST(NormalizeLatin, MatchKeyFoldsKurmanjiDiacritics) {
  EXPECT_EQ(Match("Îro şêwirmendê çûn"), "iro sewirmende cun");
  EXPECT_EQ(Match("ÎRO ŞÊWIRMENDÊ ÇÛN"), Match("iro sewirmende cun"));
  EXPECT_EQ(Match("s\u0327e\u0302 i\u0302 u\u0302 c\u0327"), "se i u c");
  EXPECT_EQ(Match("é í ú"), "e i u");
  EXPECT_EQ(Canon("Îro şêwirmendê çûn"), "Îro şêwirmendê çûn");
  // Sorani is untouched.
  EXPECT_EQ(Match("شێوە"), Match("شێوە"));
}

TEST(NormalizeLatin, ApostrophesAndHyphens) {
  EXPECT_EQ(Canon("Amed’ê Amed'ê"), "Amed'ê Amed'ê");
  EXPECT_EQ(Match("Amed’ê"), Match("Amedê"));
  EXPECT_EQ(Match("nav-netewî", false), Match("navnetewî", false));
}

// ------------------------------------------------------------ errors

TEST(NormalizeErrors, InvalidUtf8NamesTheByteOffset) {
  absl::StatusOr<NormalizedText> out = Normalizer().Normalize("abc\xFF" "def");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("byte offset 3"), absl::string_view::npos)
      << out.status();
}

TEST(NormalizeErrors, ReplaceCountsMaximalSubparts) {
  NormalizeOptions o;
  o.on_invalid = InvalidUtf8Policy::kReplace;
  // F0 9F 98 is a truncated 4-byte sequence: one replacement; C0 and 80 are two more.
  absl::StatusOr<NormalizedText> out =
      Normalizer(o).Normalize("a\xF0\x9F\x98" "b\xC0\x80");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->text, "a\uFFFDb\uFFFD\uFFFD");
  EXPECT_EQ(out->replacements, 3u);
}

TEST(NormalizeErrors, EmptyInputIsEmptyOutput) {
  absl::StatusOr<NormalizedText> out = Normalizer().Normalize("");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->text, "");
  EXPECT_EQ(out->map.size(), 0u);
}

TEST(NormalizeErrors, FourGibInputIsRefusedBeforeReading) {
  static const char kByte = 'a';
  // Only the size is looked at: the normalizer refuses before reading.
  const absl::string_view huge(&kByte, size_t{1} << 32);
  absl::StatusOr<NormalizedText> out = Normalizer().Normalize(huge);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kOutOfRange);
}

// ------------------------------------------------------------ scripts

TEST(NormalizeScripts, EachScriptOnlyGetsItsOwnRules) {
  EXPECT_EQ(Canon("كه é", Script::kAuto), "کە ê");
  EXPECT_EQ(Canon("كه é", Script::kSorani), "کە é");
  EXPECT_EQ(Canon("كه é", Script::kKurmanji), "كه ê");
  // Digits, quotes and white space have one form in every script.
  EXPECT_EQ(Canon("«١»\u00A0 x", Script::kKurmanji), "\"1\" x");
}

TEST(NormalizeSpaces, UnicodeLineAndParagraphSeparators) {
  EXPECT_EQ(Canon("a\u2029b\u2028c\u0085d"), "a\n\nb c d");
}

TEST(NormalizeOffsets, EmptyRangesMapToEmptySpans) {
  const std::string in = " ab ";
  absl::StatusOr<NormalizedText> out = Normalizer().Normalize(in);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->text, "ab");
  EXPECT_EQ(out->map.ToInput(1, 1), (ByteSpan{2, 2}));
  EXPECT_EQ(out->map.ToInput(2, 2), (ByteSpan{4, 4}));  // the end maps to the input's end
  EXPECT_EQ(out->map.ToInput(0, 2), (ByteSpan{1, 3}));
}

// ------------------------------------------------------------ offset map

TEST(NormalizeOffsets, MapsOutputBytesBackToInput) {
  const std::string in = "  له\u200Cسه\u200Cر";
  absl::StatusOr<NormalizedText> out = Normalizer().Normalize(in);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->text, "لەسەر");
  // ە (output bytes 2-3) came from ه + ZWNJ, input bytes 4..9.
  EXPECT_EQ(out->map.ToInput(2, 4), (ByteSpan{4, 9}));
  EXPECT_EQ(out->map.ToInput(0, out->text.size()), (ByteSpan{2, static_cast<uint32_t>(in.size())}));
}

TEST(NormalizeOffsets, AFoldedKurmanjiLetterMapsToItsTwoBytes) {
  NormalizeOptions o;
  o.form = NormalForm::kMatchKey;
  const std::string in = "Şêr û s\u0327er";
  absl::StatusOr<NormalizedText> out = Normalizer(o).Normalize(in);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->text, "ser u ser");
  EXPECT_EQ(out->map.ToInput(0, 1), (ByteSpan{0, 2}));  // s from Ş
  EXPECT_EQ(out->map.ToInput(1, 2), (ByteSpan{2, 4}));  // e from ê
  EXPECT_EQ(out->map.ToInput(4, 5), (ByteSpan{6, 8}));  // u from û
  EXPECT_EQ(out->map.ToInput(6, 7), (ByteSpan{9, 12}));  // s from s + U+0327
}

}  // namespace
}  // namespace dubare
