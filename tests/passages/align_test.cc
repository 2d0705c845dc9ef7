// Copyright 2026 The Dubare Authors.

#include "passages/align.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "passages/scan.h"

namespace dubare::passages_internal {
namespace {

std::vector<WordKey> Words(const std::vector<std::string>& words) {
  std::vector<WordKey> out;
  for (size_t i = 0; i < words.size(); ++i) {
    out.push_back(MakeWordKey(words[i], i + 1 < words.size() ? words[i + 1] : ""));
  }
  return out;
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Random word sequences over a small vocabulary, so that chance matches occur.
std::vector<std::string> RandomWords(std::mt19937* rng, size_t n, int vocabulary) {
  std::vector<std::string> out;
  std::uniform_int_distribution<int> pick(0, vocabulary - 1);
  for (size_t i = 0; i < n; ++i) out.push_back("w" + std::to_string(pick(*rng)));
  return out;
}

// A copy with random substitutions, insertions and deletions.
std::vector<std::string> Edit(std::mt19937* rng, const std::vector<std::string>& in, double rate) {
  std::vector<std::string> out;
  std::uniform_real_distribution<double> u(0, 1);
  for (const std::string& w : in) {
    const double r = u(*rng);
    if (r < rate / 3) continue;
    if (r < 2 * rate / 3) {
      out.push_back("x" + std::to_string((*rng)() % 1000));
      continue;
    }
    out.push_back(w);
    if (r < rate) out.push_back("y" + std::to_string((*rng)() % 1000));
  }
  return out;
}

TEST(AlignTest, FindsTheSharedPassageAndStopsAtItsWords) {
  const auto a = Split("p q r one two three four five six seven eight s t");
  const auto b = Split("k one two three four five six seven eight l m n");
  Aligner aligner;
  const Alignment aln = aligner.Align(Words(a), Words(b), Band::Full(a.size(), b.size()));
  EXPECT_EQ(aln.a_begin, 3u);
  EXPECT_EQ(aln.a_end, 11u);
  EXPECT_EQ(aln.b_begin, 1u);
  EXPECT_EQ(aln.b_end, 9u);
  EXPECT_EQ(aln.score, 16);
  EXPECT_DOUBLE_EQ(Similarity(aln.steps), 1.0);
}

TEST(AlignTest, AlignsSplitCompoundsAndRespellings) {
  // لەگەڵ / لە گەڵ is a compound written in one or two words; ئەمریکا /
  // ئەمەریکا and سووریا / سوریا are respellings with equal skeletons.
  const auto a = Split("دوو سێ لەگەڵ ئەمریکا و سووریا چوار پێنج");
  const auto b = Split("دوو سێ لە گەڵ ئەمەریکا و سوریا چوار پێنج");
  Aligner aligner;
  const Alignment aln = aligner.Align(Words(a), Words(b), Band::Full(a.size(), b.size()));
  ASSERT_EQ(aln.a_begin, 0u);
  ASSERT_EQ(aln.a_end, a.size());
  ASSERT_EQ(aln.b_end, b.size());
  const std::vector<Step> expected = {
      {1, 1, StepKind::kEqual},   {1, 1, StepKind::kEqual},   {1, 2, StepKind::kEqual},
      {1, 1, StepKind::kVariant}, {1, 1, StepKind::kEqual},   {1, 1, StepKind::kVariant},
      {1, 1, StepKind::kEqual},   {1, 1, StepKind::kEqual}};
  EXPECT_EQ(aln.steps, expected);
  EXPECT_GT(Similarity(aln.steps), 0.9);
  EXPECT_LT(Similarity(aln.steps), 1.0);
}

TEST(AlignTest, SkeletonFoldsVowelSpellingsOnly) {
  EXPECT_EQ(Skeleton("هەمەڕەنگیی"), Skeleton("هەمەڕەنگی"));
  EXPECT_EQ(Skeleton("زیندوییتی"), Skeleton("زیندوویتی"));
  EXPECT_EQ(Skeleton("Kurdî"), Skeleton("kurdi"));
  EXPECT_NE(Skeleton("هاوئاهەنگیی"), Skeleton("هەماهەنگیی"));
  EXPECT_NE(Skeleton("بەغدا"), Skeleton("بەسرە"));
}

TEST(AlignTest, NothingInCommonGivesAnEmptyAlignment) {
  const auto a = Split("a b c d");
  const auto b = Split("e f g h");
  Aligner aligner;
  const Alignment aln = aligner.Align(Words(a), Words(b), Band::Full(a.size(), b.size()));
  EXPECT_TRUE(aln.empty());
  EXPECT_TRUE(aln.steps.empty());
}

// The banded aligner against the full-matrix reference: on random bands the
// two must agree exactly, and the steps must add up to the score.
TEST(AlignTest, BandedMatchesReferenceOnRandomInput) {
  std::mt19937 rng(7);
  Aligner aligner;
  for (int trial = 0; trial < 300; ++trial) {
    const auto a = RandomWords(&rng, 1 + rng() % 60, 8 + trial % 20);
    const auto b = trial % 2 ? Edit(&rng, a, 0.3) : RandomWords(&rng, 1 + rng() % 60, 12);
    if (b.empty()) continue;
    const auto ka = Words(a), kb = Words(b);
    Band band;
    const int width = 1 + rng() % 10;
    const int shift = static_cast<int>(rng() % 7) - 3;
    for (size_t i = 0; i <= a.size(); ++i) {
      const int c = static_cast<int>(i) + shift;
      const int lo = std::clamp(c - width, 0, int(b.size()));
      const int hi = std::min(c + width, int(b.size()));
      band.lo.push_back(hi < lo ? 1 : lo);  // an empty row
      band.hi.push_back(hi < lo ? 0 : hi);
    }
    const Alignment fast = aligner.Align(ka, kb, band);
    const Alignment slow = AlignReference(ka, kb, band);
    ASSERT_EQ(fast.score, slow.score) << trial;
    ASSERT_EQ(fast.a_begin, slow.a_begin) << trial;
    ASSERT_EQ(fast.a_end, slow.a_end) << trial;
    ASSERT_EQ(fast.b_begin, slow.b_begin) << trial;
    ASSERT_EQ(fast.b_end, slow.b_end) << trial;
    ASSERT_EQ(fast.steps, slow.steps) << trial;
    EXPECT_EQ(ScoreOf(fast.steps), fast.score) << trial;
    EXPECT_EQ(WordsA(fast.steps), fast.a_end - fast.a_begin) << trial;
    EXPECT_EQ(WordsB(fast.steps), fast.b_end - fast.b_begin) << trial;
    if (!fast.empty()) {
      EXPECT_NE(fast.steps.front().kind, StepKind::kChanged);
      EXPECT_NE(fast.steps.back().kind, StepKind::kChanged);
    }
  }
}

TEST(AlignTest, BandCostsRowsTimesWidth) {
  std::mt19937 rng(3);
  const auto a = RandomWords(&rng, 2000, 500);
  // Substitutions only: the copy stays on the main diagonal.
  auto b = a;
  for (size_t i = 0; i < b.size(); i += 1 + rng() % 15) b[i] = "changed";
  Band band;
  for (size_t i = 0; i <= a.size(); ++i) {
    band.lo.push_back(static_cast<uint32_t>(std::max<int>(0, int(i) - 8)));
    band.hi.push_back(static_cast<uint32_t>(std::min<int>(b.size(), int(i) + 8)));
  }
  Aligner aligner;
  const Alignment aln = aligner.Align(Words(a), Words(b), band);
  EXPECT_LE(aligner.cells(), (a.size() + 1) * 17);
  
  EXPECT_LT(aln.a_begin, 20u);
  EXPECT_GT(aln.a_end, a.size() - 20);
}

}  // namespace
}  // namespace dubare::passages_internal
