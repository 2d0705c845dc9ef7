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

// Normalizes every file in every form; checks the map and that a second pass
// changes nothing.
void CheckFiles(const std::vector<std::string>& files) {
  const std::vector<NormalizeOptions> forms = AllForms();
  NormalizedText once, twice;
  for (const NormalizeOptions& options : forms) {
    const Normalizer normalizer(options);
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
