// Copyright 2026 The Dubare Authors.
//
// MinHash: accuracy over random set pairs of known Jaccard, every SIMD kernel
// against the scalar definition, determinism, and the parameter checks.

#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include "dubare/sketch.h"
#include "gtest/gtest.h"
#include "sketch/kernels.h"

namespace dubare {
namespace {

using sketch_internal::Isa;

// Two sets of random 64-bit hashes with exactly `union_size` elements in the
// union and round(j * union_size) in common; returns the exact Jaccard.
double MakePair(std::mt19937_64& rng, double j, size_t union_size, std::vector<uint64_t>* a,
                std::vector<uint64_t>* b) {
  const size_t common = static_cast<size_t>(std::lround(j * union_size));
  const size_t only = union_size - common;
  a->clear();
  b->clear();
  for (size_t i = 0; i < common; ++i) {
    const uint64_t x = rng();
    a->push_back(x);
    b->push_back(x);
  }
  for (size_t i = 0; i < only; ++i) (i % 2 ? a : b)->push_back(rng());
  return static_cast<double>(common) / static_cast<double>(union_size);
}

struct ErrorStats {
  double mean = 0, sd = 0;
};

ErrorStats MeasureError(MinHashMethod method, uint32_t k, double j, size_t union_size,
                        int trials, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> a, b;
  double sum = 0, sum2 = 0;
  for (int t = 0; t < trials; ++t) {
    SketchParams p;
    p.method = method;
    p.num_perm = k;
    p.seed = seed * 1000 + t;  // a fresh family of hash functions per trial
    const double exact = MakePair(rng, j, union_size, &a, &b);
    MinHasher h(p);
    const double est = *EstimateJaccard(h.Sketch(a), h.Sketch(b));
    sum += est - exact;
    sum2 += (est - exact) * (est - exact);
  }
  ErrorStats s;
  s.mean = sum / trials;
  s.sd = std::sqrt(std::max(0.0, sum2 / trials - s.mean * s.mean));
  return s;
}

// Unbiased within 3 standard errors, spread within `factor` of the ideal
// sqrt(J(1-J)/K) of K independent permutations.
void ExpectAccuracy(MinHashMethod method, uint32_t k, size_t union_size, double factor) {
  constexpr int kTrials = 400;
  for (double j : {0.1, 0.3, 0.5, 0.7, 0.9}) {
    const ErrorStats s = MeasureError(method, k, j, union_size, kTrials, 17 + k);
    const double ideal = std::sqrt(j * (1 - j) / k);
    std::printf("  %s K=%u |A u B|=%zu J=%.1f: mean error %+.4f, sd %.4f = %.2f x ideal\n",
                std::string(MinHashMethodName(method)).c_str(), k, union_size, j, s.mean, s.sd,
                s.sd / ideal);
    EXPECT_LE(std::abs(s.mean), 3 * s.sd / std::sqrt(kTrials) + 1e-12)
        << "biased: J=" << j << " K=" << k << " mean error " << s.mean;
    EXPECT_LE(s.sd, factor * ideal)
        << "J=" << j << " K=" << k << " sd " << s.sd << " ideal " << ideal;
  }
}

TEST(MinHashAccuracyTest, ClassicIsUnbiasedWithinIdealSpread) {
  for (uint32_t k : {64u, 128u, 256u}) ExpectAccuracy(MinHashMethod::kClassic, k, 1000, 1.25);
}

TEST(MinHashAccuracyTest, OnePermIsUnbiasedWithinIdealSpreadOnLargeSets) {
  // With several elements per bin, one-permutation hashing samples without
  // replacement and is no worse than K independent permutations.
  for (uint32_t k : {64u, 128u, 256u}) ExpectAccuracy(MinHashMethod::kOnePerm, k, 1000, 1.25);
}

TEST(MinHashAccuracyTest, OnePermDensifiedSmallSetsStayUnbiased) {
  // Sets smaller than K leave most bins empty; optimal densification keeps
  // the estimate unbiased and its spread within 1.3x of the ideal.
  ExpectAccuracy(MinHashMethod::kOnePerm, 128, 40, 1.3);
}

std::vector<uint64_t> RandomHashes(std::mt19937_64& rng, size_t n) {
  std::vector<uint64_t> v(n);
  for (uint64_t& x : v) x = rng();
  return v;
}

TEST(MinHashKernelTest, EveryIsaMatchesScalarDefinition) {
  std::mt19937_64 rng(5);
  std::vector<uint32_t> alo(1024), ahi(1024), blo(1024), bhi(1024);
  for (size_t i = 0; i < 1024; ++i) {
    alo[i] = rng() | 1;
    ahi[i] = rng();
    blo[i] = rng();
    bhi[i] = rng();
  }
  int checked = 0;
  for (Isa isa : {Isa::kBaseline, Isa::kAvx2, Isa::kAvx512}) {
    if (!sketch_internal::IsaSupported(isa)) {
      std::printf("  (skipping %s: not supported by this CPU)\n", sketch_internal::IsaName(isa));
      continue;
    }
    ++checked;
    for (size_t k : {64u, 65u, 128u, 200u, 1024u}) {
      for (size_t n : {0u, 1u, 3u, 4u, 7u, 100u, 1001u}) {
        const sketch_internal::ClassicTables t{alo.data(), ahi.data(), blo.data(), bhi.data(), k};
        const std::vector<uint64_t> h = RandomHashes(rng, n);
        std::vector<uint32_t> want(k, 0xFFFFFFFFu), got(k, 0xFFFFFFFFu);
        sketch_internal::GetClassicKernel(Isa::kScalar)(t, h.data(), n, want.data());
        sketch_internal::GetClassicKernel(isa)(t, h.data(), n, got.data());
        ASSERT_EQ(got, want) << sketch_internal::IsaName(isa) << " k=" << k << " n=" << n;
      }
    }
  }
  EXPECT_GE(checked, 1);
}

TEST(MinHashTest, EstimateJaccardCountsEqualSlots) {
  std::mt19937_64 rng(10);
  for (size_t k : {1u, 7u, 64u, 100u, 1024u}) {
    std::vector<uint32_t> a(k), b(k);
    size_t equal = 0;
    for (size_t i = 0; i < k; ++i) {
      a[i] = rng() % 3;
      b[i] = rng() % 3;
      equal += a[i] == b[i];
    }
    EXPECT_DOUBLE_EQ(EstimateJaccard(a, b), double(equal) / k) << k;
  }
  EXPECT_EQ(EstimateJaccard(absl::Span<const uint32_t>(), absl::Span<const uint32_t>()), 0.0);
}

TEST(MinHashTest, DuplicatesAndOrderDoNotChangeTheSignature) {
  std::mt19937_64 rng(6);
  for (MinHashMethod m : {MinHashMethod::kClassic, MinHashMethod::kOnePerm}) {
    SketchParams p;
    p.method = m;
    MinHasher h(p);
    std::vector<uint64_t> v = RandomHashes(rng, 300);
    const MinHashSignature base = h.Sketch(v);
    std::vector<uint64_t> w = v;
    w.insert(w.end(), v.begin(), v.begin() + 100);
    std::shuffle(w.begin(), w.end(), rng);
    EXPECT_EQ(h.Sketch(w).values, base.values);
  }
}

TEST(MinHashTest, EmptySetGivesAllOnes) {
  for (MinHashMethod m : {MinHashMethod::kClassic, MinHashMethod::kOnePerm}) {
    SketchParams p;
    p.method = m;
    const MinHashSignature s = MinHasher(p).Sketch({});
    ASSERT_EQ(s.values.size(), 128u);
    for (uint32_t v : s.values) EXPECT_EQ(v, 0xFFFFFFFFu);
  }
}

TEST(MinHashTest, OnePermFillsEveryBinOfANonEmptySet) {
  SketchParams p;
  p.method = MinHashMethod::kOnePerm;
  p.num_perm = 1024;
  const MinHashSignature s = MinHasher(p).Sketch(std::vector<uint64_t>{42});
  for (uint32_t v : s.values) EXPECT_EQ(v, s.values[0]);
  EXPECT_NE(s.values[0], 0xFFFFFFFFu);
}

TEST(MinHashTest, DeterministicAcrossInstancesAndThreads) {
  std::mt19937_64 rng(7);
  const std::vector<uint64_t> v = RandomHashes(rng, 2000);
  for (MinHashMethod m : {MinHashMethod::kClassic, MinHashMethod::kOnePerm}) {
    SketchParams p;
    p.method = m;
    p.num_perm = 256;
    const std::vector<uint32_t> want = MinHasher(p).Sketch(v).values;
    const MinHasher shared(p);
    std::vector<std::vector<uint32_t>> got(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int r = 0; r < 20; ++r) got[t] = shared.Sketch(v).values;
      });
    }
    for (auto& th : threads) th.join();
    for (const auto& g : got) EXPECT_EQ(g, want);
  }
}

TEST(MinHashTest, SeedAndMethodChangeTheValues) {
  std::mt19937_64 rng(8);
  const std::vector<uint64_t> v = RandomHashes(rng, 100);
  SketchParams p;
  const auto base = MinHasher(p).Sketch(v).values;
  p.seed = 2;
  EXPECT_NE(MinHasher(p).Sketch(v).values, base);
  p.seed = 1;
  p.method = MinHashMethod::kOnePerm;
  EXPECT_NE(MinHasher(p).Sketch(v).values, base);
}

TEST(MinHashTest, ComparingIncompatibleSignaturesIsAnError) {
  std::mt19937_64 rng(9);
  const std::vector<uint64_t> v = RandomHashes(rng, 100);
  SketchParams p;
  const MinHashSignature a = MinHasher(p).Sketch(v);
  SketchParams q = p;
  q.seed = 7;
  absl::StatusOr<double> r = EstimateJaccard(a, MinHasher(q).Sketch(v));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("seed"), std::string::npos) << r.status();
  q = p;
  q.shingle.size = 4;
  r = EstimateJaccard(a, MinHasher(q).Sketch(v));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("word:4"), std::string::npos) << r.status();
  q = p;
  q.normalizer_version = kNormalizerVersion + 1;
  EXPECT_FALSE(EstimateJaccard(a, MinHasher(q).Sketch(v)).ok());
  // A truncated signature is an error too.
  MinHashSignature b = a;
  b.values.pop_back();
  EXPECT_FALSE(EstimateJaccard(a, b).ok());
  EXPECT_DOUBLE_EQ(*EstimateJaccard(a, a), 1.0);
}

}  // namespace
}  // namespace dubare
