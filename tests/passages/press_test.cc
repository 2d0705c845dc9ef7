// Copyright 2026 The Dubare Authors.
//
// The passage finder on corpus/press: one article tells a meeting twice (the
// second telling re-edited: respelled words, split compounds, sentences cut
// into paragraphs, a sentence added); two others report on the same Manama
// conference in their own words. The pairs of sentences below were read off
// the texts by hand: the first telling, then its re-edited retelling.

#include <string>
#include <vector>

#include "dubare/passages.h"
#include "gtest/gtest.h"
#include "passage_test_util.h"

namespace dubare {
namespace {

using testing::ExpectValidResult;
using testing::LoadPress;

struct Retelling {
  const char* first;
  const char* second;
};

const Retelling kRetellings[] = {
    // Split compound (و سووریا / وسوریا), respelling, "کراوە" moved as "کرا".
    {"گۆڕانکاری و پێشهاتەکانی عێراق  و سووریا، گرنگیی هاوکاریکردنی هێزی پێشمەرگە و سوپای "
     "عێراق بۆ رووبەڕووبوونەوەی هەڕەشەکانی داعش",
     "گۆڕانکاری و پێشهاتەکانی عێراق  وسوریا و گرنگیی هاوکاریکردنی هێزی پێشمەرگە و سوپای "
     "عێراق کرا بۆ ڕووبەڕووبوونەوەی هەڕەشەکانی داعش"},
    // The quotation: split compounds (بەهۆی, لەگەڵ), respellings (ئەمەریکا, زیندوویتی).
    {"جەختی لە پشتیوانیی ئەمریکا بۆ هەرێمی کوردستان کردووەتەوە ئاماژەی بەوە کردووە، \"هەرێمی "
     "کوردستان بەهۆی هەمەڕەنگیی و زیندویێتی و دۆستایەتییەکەی لەگەڵ ئەمریکا و وڵاتانی "
     "رۆژئاوا، پێگەیەکی گرنگ و ستراتیجی لە رۆژهەڵاتی ناوەڕاستدا هەیە",
     "جەختی لە پشتیوانیی ئەمریکا بۆ هەرێمی کوردستان کردەوە و گوتی \"هەرێمی کوردستان بە هۆی "
     "هەمەڕەنگی و زیندوویتی و دۆستایەتییەکەی لە گەڵ ئەمەریکا و وڵاتانی ڕۆژئاوا، پێگەیەکی "
     "گرنگ و ستراتیجی لە ڕۆژهەڵاتی ناوەڕاستدا هەیە"},
    // Talks with Baghdad: لەگەڵ / لە گەڵ, لەسەر / لە سەر, کێشەکان / کیشەکان.
    {"پرۆسەی گفتوگۆ لەگەڵ بەغدا بەردەوامە بە ئامانجی گەیشتن بە چارەسەرێکی بنەڕەتییانەی "
     "کێشەکان لەسەر بنەمای دەستوور",
     "پرۆسەی گفتوگۆ لە گەڵ بەغدا بەردەوامە بە ئامانجی گەیشتن بە چارەسەرێکی بنەڕەتییانەی "
     "کیشەکان لە سەر بنەمای دەستوور"},
    // Security coordination: a word replaced, "هەرێمی کوردستان" shortened.
    {"جەختیشی لە گرنگیی بەردەوامبوونی هاوئاهەنگیی ئەمنیی نێوان هێزی پێشمەرگە و سوپای عێراق "
     "کردەوە بەتایبەتی لە ناوچە کوردستانییەکانی دەرەوەی ئیدارەی هەرێمی کوردستان بۆ "
     "رووبەڕووبوونەوەی هەڕەشەکانی داعش",
     "جەختیشی لە گرنگیی بەردەوامبوونی هەماهەنگیی ئەمنیی نێوان هێزی پێشمەرگە و سوپای عێراق "
     "کردەوە بەتایبەتی لە ناوچە کوردستانییەکانی دەرەوەی ئیدارەی هەرێم بۆ "
     "ڕووبەڕووبوونەوەی هەڕەشەکانی داعش"},
};

// The sentence the second telling adds.
constexpr const char kAddedSentence[] = "سەرۆکی حکومەت نیگەرانیی خۆشی بەرامبەر";

ByteSpan Find(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  EXPECT_EQ(text.find(needle, at + 1), std::string::npos) << "not unique: " << needle;
  return {static_cast<uint32_t>(at), static_cast<uint32_t>(at + needle.size())};
}

bool Covers(ByteSpan outer, ByteSpan inner) {
  return outer.begin <= inner.begin && inner.end <= outer.end;
}

TEST(PressTest, EverySentenceOfTheRetellingMatchesItsFirstTelling) {
  const auto press = LoadPress();
  const int doc = press.Containing(kRetellings[0].first);
  ASSERT_GE(doc, 0) << "corpus/press changed";
  const auto views = press.Views();
  absl::StatusOr<PassageResult> result = FindPassages(views);
  ASSERT_TRUE(result.ok()) << result.status();
  ExpectValidResult(views, *result, PassageOptions());
  const std::string& text = press.texts[doc];
  for (const Retelling& r : kRetellings) {
    const ByteSpan first = Find(text, r.first), second = Find(text, r.second);
    ASSERT_LT(first.end, second.begin);
    bool matched = false;
    for (const PassageMatch& m : result->matches) {
      matched = matched || (m.a.doc == doc && m.b.doc == doc && Covers(m.a.bytes, first) &&
                            Covers(m.b.bytes, second));
    }
    EXPECT_TRUE(matched) << "no match for: " << r.first;
  }
  // The added sentence belongs to no match.
  const ByteSpan added = Find(text, kAddedSentence);
  for (const PassageMatch& m : result->matches) {
    for (const PassageSpan* s : {&m.a, &m.b}) {
      if (s->doc != doc) continue;
      EXPECT_TRUE(s->bytes.end <= added.begin || s->bytes.begin >= added.end);
    }
  }
}

TEST(PressTest, ManamaArticlesShareOnlyShortPhrases) {
  const auto press = LoadPress();
  const int bahrain = press.Containing("لە مەنامە، پایتەختی بەحرەین");
  const int panel = press.Containing("لە پانێڵێکی \"گفتوگۆی مەنامە\"");
  ASSERT_GE(bahrain, 0);
  ASSERT_GE(panel, 0);
  const auto views = press.Views();
  const PassageOptions defaults;
  absl::StatusOr<PassageResult> result = FindPassages(views, defaults);
  ASSERT_TRUE(result.ok()) << result.status();
  auto between = [&](const PassageMatch& m) {
    return (m.a.doc == bahrain && m.b.doc == panel) || (m.a.doc == panel && m.b.doc == bahrain);
  };
  for (const PassageMatch& m : result->matches) EXPECT_FALSE(between(m));
  // They do share phrases: with a tiny minimum length the finder sees them,
  // and every one of them is shorter than a passage.
  PassageOptions loose;
  loose.min_words = 3;
  loose.min_chain_anchors = 1;
  result = FindPassages(views, loose);
  ASSERT_TRUE(result.ok()) << result.status();
  int shared = 0;
  for (const PassageMatch& m : result->matches) {
    if (!between(m)) continue;
    ++shared;
    EXPECT_LT(std::min(m.a.words, m.b.words), static_cast<uint32_t>(defaults.min_words))
        << views[m.a.doc].substr(m.a.bytes.begin, m.a.bytes.size());
  }
  EXPECT_GT(shared, 0);
}

}  // namespace
}  // namespace dubare
