// Copyright 2026 The Dubare Authors.
//
// Properties of the normalizer over every file of the shared BLARK corpus
// (real Sorani and Kurmanji text with BOMs, CRLF and old encodings) and over
// the press fixtures in corpus/press: no error, valid map, idempotent.

#include <string>

#include "dubare/file.h"
#include "dubare/normalize.h"
#include "gtest/gtest.h"
#include "text/test_util.h"

namespace dubare {
namespace {

using ::dubare::testing::MapIsValid;
using ::dubare::testing::TextFilesUnder;

const std::string kBlark = DUBARE_SOURCE_DIR "/../shared/corpus/blark";

std::vector<NormalizeOptions> AllForms() {
  std::vector<NormalizeOptions> forms;
  for (Script script : {Script::kAuto, Script::kSorani, Script::kKurmanji}) {
    NormalizeOptions canonical;
    canonical.script = script;
    forms.push_back(canonical);
    NormalizeOptions match = canonical;
    match.form = NormalForm::kMatchKey;
    forms.push_back(match);
    match.keep_spaces = false;
    forms.push_back(match);
  }
  return forms;
}

// Normalizes every file in every form; checks the map, that a second pass
// changes nothing, and that without the map the text is the same.
void CheckFiles(const std::vector<std::string>& files) {
  const std::vector<NormalizeOptions> forms = AllForms();
  NormalizedText once, twice, text_only;
  for (const NormalizeOptions& options : forms) {
    const Normalizer normalizer(options);
    const Normalizer no_map(::dubare::testing::WithoutMap(options));
    for (const std::string& file : files) {
      SCOPED_TRACE(file + " form=" + std::string(NormalFormName(options.form)) + " script=" +
                   std::string(ScriptName(options.script)) +
                   (options.keep_spaces ? "" : " no-spaces"));
      absl::StatusOr<std::string> text = ReadFile(file);
      ASSERT_TRUE(text.ok()) << text.status();
      absl::Status status = normalizer.Normalize(*text, &once);
      ASSERT_TRUE(status.ok()) << status;
      ASSERT_TRUE(MapIsValid(once, text->size()));
      ASSERT_TRUE(normalizer.Normalize(once.text, &twice).ok());
      ASSERT_EQ(twice.text, once.text) << "not idempotent";
      ASSERT_TRUE(no_map.Normalize(*text, &text_only).ok());
      ASSERT_EQ(text_only.text, once.text) << "differs without the offset map";
      ASSERT_EQ(text_only.map.size(), 0u);
    }
  }
}

TEST(NormalizeCorpus, BlarkNormalizesWithoutErrorValidMapIdempotent) {
  const std::vector<std::string> files = TextFilesUnder(kBlark);
  if (files.empty()) GTEST_SKIP() << "shared corpus not found at " << kBlark;
  EXPECT_GE(files.size(), 500u);
  CheckFiles(files);
}

TEST(NormalizeCorpus, PressFixturesNormalizeWithoutErrorValidMapIdempotent) {
  const std::vector<std::string> files = TextFilesUnder(DUBARE_SOURCE_DIR "/corpus/press");
  ASSERT_EQ(files.size(), 3u);
  CheckFiles(files);
}

// The seeds in corpus/press: both ر/ڕ spellings of one word, tatweel before a
// suffix, Arabic kaf and yeh, and compounds written joined and split.
TEST(NormalizeCorpus, PressSeedsFoldTogether) {
  std::string all;
  for (const std::string& file : TextFilesUnder(DUBARE_SOURCE_DIR "/corpus/press")) {
    absl::StatusOr<std::string> text = ReadFile(file);
    ASSERT_TRUE(text.ok());
    all += *text + "\n";
  }
  auto count = [](const std::string& text, const std::string& word) {
    size_t n = 0;
    for (size_t p = text.find(word); p != std::string::npos; p = text.find(word, p + 1)) ++n;
    return n;
  };
  const std::string flap = "رووبەڕووبوونەوەی", trill = "ڕووبەڕووبوونەوەی";
  ASSERT_GT(count(all, flap), 0u);
  ASSERT_GT(count(all, trill), 0u);
  ASSERT_GT(count(all, "١٧ ـیەم"), 0u);
  ASSERT_GT(count(all, "\u0643") + count(all, "\u064A"), 0u);

  NormalizeOptions match_options;
  match_options.form = NormalForm::kMatchKey;
  const Normalizer match(match_options);
  absl::StatusOr<NormalizedText> key = match.Normalize(all);
  ASSERT_TRUE(key.ok());
  absl::StatusOr<NormalizedText> flap_key = match.Normalize(flap);
  absl::StatusOr<NormalizedText> trill_key = match.Normalize(trill);
  ASSERT_TRUE(flap_key.ok() && trill_key.ok());
  EXPECT_EQ(flap_key->text, trill_key->text);
  EXPECT_EQ(count(key->text, flap_key->text), count(all, flap) + count(all, trill));

  absl::StatusOr<NormalizedText> canonical = Normalizer().Normalize(all);
  ASSERT_TRUE(canonical.ok());
  EXPECT_EQ(count(canonical->text, flap), 0u);  // word-initial ر is ڕ
  EXPECT_EQ(count(canonical->text, trill), count(all, flap) + count(all, trill));
  EXPECT_GT(count(canonical->text, "17 یەم"), 0u);
  EXPECT_EQ(count(canonical->text, "\u0640") + count(canonical->text, "\u0643") +
                count(canonical->text, "\u064A"),
            0u);

  // Split and joined compounds give one key once spaces go.
  match_options.keep_spaces = false;
  const Normalizer joined(match_options);
  for (const auto& [split, whole] : {std::pair<std::string, std::string>{"لە سەر", "لەسەر"},
                                     {"لە گەڵ", "لەگەڵ"}}) {
    ASSERT_GT(count(all, split), 0u) << split;
    ASSERT_GT(count(all, whole), 0u) << whole;
    absl::StatusOr<NormalizedText> a = joined.Normalize(split), b = joined.Normalize(whole);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->text, b->text);
  }
}

TEST(NormalizeCorpus, OldStyleBlarkTextLosesHehZwnjAndArabicLetters) {
  // A whole-corpus check that the rules fire on real text: after canonical
  // normalization no Sorani file has heh+ZWNJ, Arabic kaf/yeh or tatweel left.
  const std::vector<std::string> files = TextFilesUnder(kBlark + "/data/SoraniPA");
  if (files.empty()) GTEST_SKIP() << "shared corpus not found at " << kBlark;
  const Normalizer normalizer;
  NormalizedText out;
  size_t before = 0;
  for (const std::string& file : files) {
    absl::StatusOr<std::string> text = ReadFile(file);
    ASSERT_TRUE(text.ok());
    for (const char* s : {"\u0647\u200C", "\u0643", "\u064A", "\u0640"}) {
      for (size_t p = text->find(s); p != std::string::npos; p = text->find(s, p + 1)) ++before;
    }
    ASSERT_TRUE(normalizer.Normalize(*text, &out).ok());
    for (const char* s : {"\u200C", "\u0643", "\u064A", "\u0640"}) {
      EXPECT_EQ(out.text.find(s), std::string::npos) << file;
    }
  }
  EXPECT_GT(before, 1000u) << "the corpus should exercise these rules";
}

}  // namespace
}  // namespace dubare
