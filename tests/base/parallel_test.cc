// Copyright 2026 The Dubare Authors.
//
// The one parallel loop and thread rule (base/parallel.h), against the
// obvious serial loops.

#include "base/parallel.h"

#include <algorithm>
#include <functional>
#include <random>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace dubare::base {
namespace {

TEST(ParallelTest, ResolveThreadsZeroMeansEveryCore) {
  EXPECT_EQ(ResolveThreads(3), 3);
  EXPECT_EQ(ResolveThreads(0), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

TEST(ParallelTest, ParallelSortMatchesStdSort) {
  std::mt19937_64 rng(13);
  for (size_t n : {0, 1, 5000, 100000}) {
    std::vector<uint64_t> v(n);
    for (uint64_t& x : v) x = rng() % 1000;  // many ties
    std::vector<uint64_t> expected = v;
    std::sort(expected.begin(), expected.end());
    for (int workers : {1, 2, 3, 8}) {
      std::vector<uint64_t> got = v;
      ParallelSort(&got, workers, std::less<uint64_t>());
      EXPECT_EQ(got, expected) << n << " " << workers;
    }
  }
}

TEST(ParallelTest, ParallelForVisitsEveryIndexOnce) {
  for (size_t grain : {0, 1, 7}) {
    std::vector<int> seen(10007, 0);
    ParallelFor(seen.size(), 4, [&](size_t i, int) { ++seen[i]; }, grain);
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), static_cast<long>(seen.size())) << grain;
  }
}

TEST(ParallelTest, ParallelRangesCoverEveryIndexOnceInContiguousRanges) {
  for (size_t n : {0, 1, 1023, 1024, 5000, 100000}) {
    for (int workers : {1, 2, 5}) {
      std::vector<int> seen(n, 0);
      ParallelRanges(n, workers, 1024, [&](size_t begin, size_t end, int) {
        EXPECT_LE(begin, end);
        for (size_t i = begin; i < end; ++i) ++seen[i];
      });
      EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), static_cast<long>(n)) << n << " " << workers;
    }
  }
}

}  // namespace
}  // namespace dubare::base
