// Copyright 2026 The Dubare Authors.

#include "passages/winnow.h"

#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "passages/chain.h"

namespace dubare::passages_internal {
namespace {

TEST(WinnowTest, MatchesReferenceOnRandomHashesWithTies) {
  std::mt19937_64 rng(11);
  std::vector<uint32_t> fast;
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<uint64_t> hashes(rng() % 200);
    const uint64_t range = trial % 3 == 0 ? 5 : ~uint64_t{0};  // many ties or none
    for (uint64_t& h : hashes) h = rng() % range;
    const int window = 1 + static_cast<int>(rng() % 12);
    Winnow(hashes, window, &fast);
    EXPECT_EQ(fast, WinnowReference(hashes, window)) << trial;
  }
}

TEST(WinnowTest, EveryWindowHoldsAKeptPosition) {
  std::mt19937_64 rng(5);
  std::vector<uint64_t> hashes(1000);
  for (uint64_t& h : hashes) h = rng();
  std::vector<uint32_t> kept;
  Winnow(hashes, 8, &kept);
  for (size_t start = 0; start + 8 <= hashes.size(); ++start) {
    bool found = false;
    for (uint32_t k : kept) found = found || (k >= start && k < start + 8);
    ASSERT_TRUE(found) << start;
  }
  // Density near 2 / (w + 1) for random hashes.
  EXPECT_NEAR(double(kept.size()) / hashes.size(), 2.0 / 9, 0.05);
}

TEST(WinnowTest, ShortInputKeepsItsMinimum) {
  std::vector<uint32_t> kept;
  Winnow(std::vector<uint64_t>{9, 3, 7}, 8, &kept);
  EXPECT_EQ(kept, std::vector<uint32_t>{1});
  Winnow(std::vector<uint64_t>{}, 8, &kept);
  EXPECT_TRUE(kept.empty());
}

TEST(ChainTest, SplitsAnchorsByDiagonalAndGap) {
  // Two passages on diagonals +100 and +5, interleaved, and a far anchor.
  const std::vector<Anchor> anchors = {{0, 100}, {1, 6},  {2, 102}, {3, 8},
                                       {5, 106}, {6, 11}, {90, 190}};
  const auto chains = ChainAnchors(anchors, /*max_gap=*/10, /*max_drift=*/3);
  ASSERT_EQ(chains.size(), 3u);
  EXPECT_EQ(chains[0], (std::vector<Anchor>{{0, 100}, {2, 102}, {5, 106}}));
  EXPECT_EQ(chains[1], (std::vector<Anchor>{{1, 6}, {3, 8}, {6, 11}}));
  EXPECT_EQ(chains[2], (std::vector<Anchor>{{90, 190}}));
}

TEST(ChainTest, RegionBandFollowsTheChain) {
  const std::vector<Anchor> chain = {{10, 50}, {20, 64}};
  const Region r = RegionAround(chain, 100, 100, /*margin=*/5, /*half_width=*/3, false);
  EXPECT_EQ(r.a_begin, 5u);
  EXPECT_EQ(r.a_end, 25u);
  ASSERT_EQ(r.band.lo.size(), 21u);
  // Row of A position 15 is centred on B position 57.
  EXPECT_EQ(r.b_begin + r.band.lo[10], 54u);
  EXPECT_EQ(r.b_begin + r.band.hi[10], 60u);
  // Beyond the last anchor the line goes on with slope 1.
  EXPECT_EQ(r.b_begin + r.band.hi[20], 72u);
}

TEST(ChainTest, SameDocumentBandStaysAboveTheDiagonal) {
  const std::vector<Anchor> chain = {{10, 12}, {20, 22}};
  const Region r = RegionAround(chain, 100, 100, 5, 8, /*same_doc=*/true);
  for (size_t i = 0; i < r.band.lo.size(); ++i) {
    if (r.band.lo[i] > r.band.hi[i]) continue;
    EXPECT_GT(r.b_begin + r.band.lo[i], r.a_begin + i);
  }
}

}  // namespace
}  // namespace dubare::passages_internal
