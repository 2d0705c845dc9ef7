// Copyright 2026 The Dubare Authors.
//
// Clusters, keep policies and verification scores against obvious references.

#include <algorithm>
#include <functional>
#include <random>
#include <vector>

#include "dubare/dedup.h"
#include "dubare/lsh.h"
#include "dubare/sketch.h"
#include "gtest/gtest.h"

namespace dubare {
namespace {

// Component labels by depth-first search over an adjacency list: the
// smallest index reachable from each document.
std::vector<uint32_t> ReferenceComponents(size_t n, const std::vector<ScoredPair>& pairs) {
  std::vector<std::vector<uint32_t>> adj(n);
  for (const ScoredPair& p : pairs) {
    adj[p.a].push_back(p.b);
    adj[p.b].push_back(p.a);
  }
  std::vector<uint32_t> label(n, UINT32_MAX);
  for (uint32_t start = 0; start < n; ++start) {
    if (label[start] != UINT32_MAX) continue;
    std::vector<uint32_t> stack = {start};
    label[start] = start;
    while (!stack.empty()) {
      const uint32_t x = stack.back();
      stack.pop_back();
      for (uint32_t y : adj[x]) {
        if (label[y] == UINT32_MAX) {
          label[y] = start;
          stack.push_back(y);
        }
      }
    }
  }
  return label;
}

TEST(ConnectedComponentsTest, MatchesDepthFirstSearchForAnyPairOrder) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 20; ++trial) {
    const size_t n = 50 + rng() % 200;
    std::vector<ScoredPair> pairs;
    const size_t m = rng() % n;
    for (size_t i = 0; i < m; ++i) {
      uint32_t a = rng() % n, b = rng() % n;
      if (a == b) continue;
      pairs.push_back({std::min(a, b), std::max(a, b), 1.0});
    }
    const std::vector<uint32_t> want = ReferenceComponents(n, pairs);
    EXPECT_EQ(ConnectedComponents(n, pairs), want);
    std::shuffle(pairs.begin(), pairs.end(), rng);
    EXPECT_EQ(ConnectedComponents(n, pairs), want);
  }
}

TEST(KeepPolicyTest, ParsesAndPrintsEveryPolicy) {
  for (const char* text : {"first", "longest", "earliest:date", "earliest:meta.published"}) {
    absl::StatusOr<KeepPolicy> p = KeepPolicy::Parse(text);
    ASSERT_TRUE(p.ok()) << text;
    EXPECT_EQ(p->ToString(), text);
  }
  EXPECT_FALSE(KeepPolicy::Parse("earliest:").ok());
  EXPECT_FALSE(KeepPolicy::Parse("newest").ok());
}

TEST(KeepPolicyTest, ChoosesByPolicyAndBreaksTiesById) {
  // index, length, id, field
  const std::vector<KeepKey> members = {
      {4, 100, "c", "2024-05-01"},
      {7, 300, "b", "2024-03-01"},
      {9, 300, "a", "2024-03-01"},
      {12, 50, "d", "2024-04-01"},
  };
  KeepPolicy first;
  EXPECT_EQ(ChooseRepresentative(first, members), 0u);
  KeepPolicy longest = *KeepPolicy::Parse("longest");
  EXPECT_EQ(ChooseRepresentative(longest, members), 2u);  // 300 bytes twice: id "a" < "b"
  KeepPolicy earliest = *KeepPolicy::Parse("earliest:date");
  EXPECT_EQ(ChooseRepresentative(earliest, members), 2u);  // same date twice: id "a"
  std::vector<KeepKey> reversed(members.rbegin(), members.rend());
  EXPECT_EQ(reversed[ChooseRepresentative(longest, reversed)].id, "a");
  EXPECT_EQ(reversed[ChooseRepresentative(first, reversed)].id, "c");
}

TEST(VerifyTest, ModesParseAndPrint) {
  for (VerifyMode m : {VerifyMode::kEstimate, VerifyMode::kExact, VerifyMode::kContainment}) {
    absl::StatusOr<VerifyMode> back = ParseVerifyMode(VerifyModeName(m));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, m);
  }
  EXPECT_FALSE(ParseVerifyMode("fuzzy").ok());
  EXPECT_EQ(*ParseDedupMethod("simhash"), DedupMethod::kSimHash);
  EXPECT_FALSE(ParseDedupMethod("lsh").ok());
}

TEST(VerifyTest, SetScoresCountSharedShingles) {
  std::vector<uint64_t> longer(400), shorter;
  for (uint64_t i = 0; i < longer.size(); ++i) longer[i] = i * 7919;
  // The shorter text: 90 shingles of the longer one and 10 of its own.
  for (uint64_t i = 0; i < 90; ++i) shorter.push_back(longer[i * 3]);
  for (uint64_t i = 0; i < 10; ++i) shorter.push_back(1000003 + i);
  std::sort(shorter.begin(), shorter.end());
  DocumentFeatures a{{}, longer}, b{{}, shorter};
  EXPECT_DOUBLE_EQ(ScorePair(VerifyMode::kExact, a, b), 90.0 / (400 + 100 - 90));
  EXPECT_DOUBLE_EQ(ScorePair(VerifyMode::kContainment, a, b), 0.9);
  EXPECT_DOUBLE_EQ(ScorePair(VerifyMode::kContainment, b, a), 0.9);
}

TEST(VerifyTest, EstimateIsTheFractionOfEqualSlots) {
  std::vector<uint32_t> x(128), y(128);
  for (uint32_t i = 0; i < 128; ++i) {
    x[i] = i;
    y[i] = i % 4 == 0 ? i + 1000 : i;  // 32 of 128 slots differ
  }
  EXPECT_DOUBLE_EQ(ScorePair(VerifyMode::kEstimate, {x, {}}, {y, {}}), 96.0 / 128);
}

}  // namespace
}  // namespace dubare
