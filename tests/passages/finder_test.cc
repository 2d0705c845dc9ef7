// Copyright 2026 The Dubare Authors.
//
// The passage finder on hand-made documents: random Sorani filler (words of
// corpus/press in random order, so unrelated texts share no passage) with
// passages planted where the test wants them.

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "dubare/passages.h"
#include "gtest/gtest.h"
#include "passage_test_util.h"

namespace dubare {
namespace {

using testing::ExpectValidResult;

class Filler {
 public:
  explicit Filler(uint32_t seed) : rng_(seed) {
    for (const std::string& text : testing::LoadPress().texts) {
      for (absl::string_view w : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
        vocabulary_.emplace_back(w);
      }
    }
  }
  std::string Words(int n) {
    std::vector<std::string> out;
    std::uniform_int_distribution<size_t> pick(0, vocabulary_.size() - 1);
    for (int i = 0; i < n; ++i) out.push_back(vocabulary_[pick(rng_)]);
    return absl::StrJoin(out, " ");
  }

 private:
  std::mt19937 rng_;
  std::vector<std::string> vocabulary_;
};

// A 40-word passage from corpus/press (the Baghdad talks sentence and more).
const std::string kPassage =
    "مەسرور بارزانی، سەرۆکوەزیرانی هەرێمی کوردستان بە جێفری راگەیاندووە، پرۆسەی گفتوگۆ لەگەڵ "
    "بەغدا بەردەوامە بە ئامانجی گەیشتن بە چارەسەرێکی بنەڕەتییانەی کێشەکان لەسەر بنەمای "
    "دەستوور. جەختیشی لە گرنگیی بەردەوامبوونی هاوئاهەنگیی ئەمنیی نێوان هێزی پێشمەرگە و سوپای "
    "عێراق کردەوە";

absl::StatusOr<PassageResult> Find(const std::vector<std::string>& texts,
                                   const PassageOptions& options = PassageOptions()) {
  std::vector<absl::string_view> views(texts.begin(), texts.end());
  absl::StatusOr<PassageResult> result = FindPassages(views, options);
  if (result.ok()) ExpectValidResult(views, *result, options);
  return result;
}

absl::string_view Text(const std::vector<std::string>& texts, const PassageSpan& s) {
  return absl::string_view(texts[s.doc]).substr(s.bytes.begin, s.bytes.size());
}

TEST(FinderTest, PassageCutByAParagraphBreakInOneCopyIsOneMatch) {
  Filler filler(1);
  std::string cut = kPassage;
  const size_t at = cut.find(" جەختیشی");
  ASSERT_NE(at, std::string::npos);
  cut.replace(at, 1, "\n\n");
  const std::vector<std::string> texts = {
      filler.Words(80) + " " + kPassage + " " + filler.Words(60),
      filler.Words(50) + ".\n\n" + cut + "\n\n" + filler.Words(90)};
  absl::StatusOr<PassageResult> result = Find(texts);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->matches.size(), 1u);
  const PassageMatch& m = result->matches[0];
  EXPECT_EQ(Text(texts, m.a), kPassage);
  EXPECT_EQ(Text(texts, m.b), cut);
  EXPECT_DOUBLE_EQ(m.similarity, 1.0);
  ASSERT_EQ(m.diff.size(), 1u);
  EXPECT_EQ(m.diff[0].kind, DiffKind::kSame);
}

TEST(FinderTest, ChangedWordsAreInsideTheMatchAndMarked) {
  Filler filler(2);
  std::string edited = kPassage;
  edited.replace(edited.find("بەردەوامە"), std::string("بەردەوامە").size(), "دەستپێدەکات");
  const std::vector<std::string> texts = {filler.Words(70) + " " + kPassage + ". " +
                                              filler.Words(70),
                                          filler.Words(30) + " " + edited + ". " +
                                              filler.Words(40)};
  absl::StatusOr<PassageResult> result = Find(texts);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->matches.size(), 1u);
  const PassageMatch& m = result->matches[0];
  EXPECT_EQ(Text(texts, m.a), kPassage);
  EXPECT_EQ(Text(texts, m.b), edited);
  int changed = 0;
  for (const DiffSegment& d : m.diff) {
    if (d.kind != DiffKind::kChanged) continue;
    ++changed;
    EXPECT_EQ(texts[0].substr(d.a.begin, d.a.size()), "بەردەوامە");
    EXPECT_EQ(texts[1].substr(d.b.begin, d.b.size()), "دەستپێدەکات");
  }
  EXPECT_EQ(changed, 1);
  EXPECT_LT(m.similarity, 1.0);
}

TEST(FinderTest, RepeatWithinOneDocumentButNotWithItself) {
  Filler filler(3);
  const std::vector<std::string> once = {filler.Words(50) + " " + kPassage + " " +
                                         filler.Words(50)};
  absl::StatusOr<PassageResult> result = Find(once);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->matches.empty());

  const std::vector<std::string> twice = {kPassage + ". " + kPassage};
  result = Find(twice);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->matches.size(), 1u);
  EXPECT_EQ(result->matches[0].a.bytes.begin, 0u);
  EXPECT_EQ(result->matches[0].a.bytes.end, kPassage.size());
  EXPECT_EQ(result->matches[0].b.bytes.begin, kPassage.size() + 2);
}

TEST(FinderTest, ShortSharedPhrasesAreNotPassages) {
  Filler filler(4);
  const std::string phrase = "سەرۆکوەزیرانی هەرێمی کوردستان";
  std::vector<std::string> texts;
  for (int i = 0; i < 5; ++i) texts.push_back(filler.Words(40) + " " + phrase + " " + filler.Words(40));
  absl::StatusOr<PassageResult> result = Find(texts);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->matches.empty());
}

TEST(FinderTest, BoilerplateIsReportedOnceWithItsCount) {
  Filler filler(5);
  const std::string footer =
      "هەموو مافەکانی ئەم ماڵپەڕە پارێزراوە بۆ دەزگای ڕووداو، بڵاوکردنەوەی هەر بابەتێک بەبێ "
      "ئاماژەدان بە سەرچاوە قەدەغەیە و بەرپرسیارێتی یاسایی لێدەکەوێتەوە";
  PassageOptions options;
  options.boilerplate_min_docs = 10;
  std::vector<std::string> texts;
  for (int i = 0; i < 30; ++i) texts.push_back(filler.Words(60) + ".\n\n" + footer);
  // Two of them also share a real passage, next to the footer in one of them.
  texts[3] = filler.Words(40) + " " + kPassage + ".\n\n" + footer;
  texts[17] = kPassage + ". " + filler.Words(50) + ".\n\n" + footer;
  absl::StatusOr<PassageResult> result = Find(texts, options);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->boilerplate.size(), 1u);
  const Boilerplate& b = result->boilerplate[0];
  EXPECT_EQ(b.documents, 30u);
  EXPECT_EQ(b.occurrences, 30u);
  EXPECT_EQ(b.example.doc, 0u);
  EXPECT_NE(absl::string_view(footer).find(Text(texts, b.example)), absl::string_view::npos);
  EXPECT_GE(b.example.words, 20u);
  ASSERT_EQ(result->matches.size(), 1u);
  EXPECT_EQ(Text(texts, result->matches[0].a), kPassage);
  EXPECT_EQ(Text(texts, result->matches[0].b), kPassage);
  // Under the threshold the footer is an ordinary passage of every pair.
  options.boilerplate_min_docs = 40;
  result = Find(texts, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->boilerplate.empty());
  EXPECT_EQ(result->matches.size(), 30u * 29 / 2 + 1);
}

TEST(FinderTest, EmptyAndTinyDocumentsAreFine) {
  absl::StatusOr<PassageResult> result = Find({"", " \n ", "یەک", "!!!", ""});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->matches.empty());
  EXPECT_EQ(result->stats.documents, 5u);
  result = Find({});
  ASSERT_TRUE(result.ok()) << result.status();
}

TEST(FinderTest, InvalidUtf8IsAnErrorNamingTheDocument) {
  absl::StatusOr<PassageResult> result = Find({kPassage, "باش \xff\xfe"});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("document 1"), std::string::npos)
      << result.status();
  PassageOptions replace;
  replace.on_invalid = InvalidUtf8Policy::kReplace;
  EXPECT_TRUE(Find({kPassage, "باش \xff\xfe"}, replace).ok());
}

TEST(FinderTest, BadOptionsAreRejected) {
  PassageOptions options;
  options.min_similarity = 1.5;
  EXPECT_EQ(FindPassages({}, options).status().code(), absl::StatusCode::kInvalidArgument);
  options = PassageOptions();
  options.anchor_chars = 100;
  EXPECT_EQ(FindPassages({}, options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(FinderTest, ThreadCountDoesNotChangeTheResult) {
  Filler filler(6);
  std::vector<std::string> texts;
  for (int i = 0; i < 60; ++i) {
    texts.push_back(filler.Words(100) + (i % 7 == 0 ? ". " + kPassage + ". " : " ") +
                    filler.Words(40));
  }
  PassageOptions one, many;
  one.threads = 1;
  many.threads = 4;
  absl::StatusOr<PassageResult> a = Find(texts, one), b = Find(texts, many);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->matches.size(), 9u * 8 / 2);
  ASSERT_EQ(a->matches.size(), b->matches.size());
  for (size_t i = 0; i < a->matches.size(); ++i) {
    EXPECT_EQ(a->matches[i].a.bytes, b->matches[i].a.bytes);
    EXPECT_EQ(a->matches[i].b.bytes, b->matches[i].b.bytes);
    EXPECT_EQ(a->matches[i].a.doc, b->matches[i].a.doc);
    EXPECT_EQ(a->matches[i].b.doc, b->matches[i].b.doc);
  }
}

}  // namespace
}  // namespace dubare
