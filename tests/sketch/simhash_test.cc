// Copyright 2026 The Dubare Authors.

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "dubare/sketch.h"
#include "gtest/gtest.h"
#include "sketch/kernels.h"

namespace dubare {
namespace {

TEST(SimHashKernelTest, BitSlicedCountsEqualReference) {
  std::mt19937_64 rng(11);
  for (size_t n : {0u, 1u, 254u, 255u, 256u, 1000u, 5000u}) {
    std::vector<uint64_t> v(n);
    for (uint64_t& x : v) x = rng() % 50;  // many repeats
    uint64_t want[64] = {}, got[64] = {};
    sketch_internal::SimHashCountsReference(77, v.data(), n, want);
    sketch_internal::SimHashCounts(77, v.data(), n, got);
    for (int b = 0; b < 64; ++b) ASSERT_EQ(got[b], want[b]) << "n=" << n << " bit " << b;
  }
}

TEST(SimHashTest, IdenticalMultisetsGiveIdenticalFingerprints) {
  std::mt19937_64 rng(12);
  std::vector<uint64_t> v(500);
  for (uint64_t& x : v) x = rng() % 200;
  const uint64_t fp = SimHash(v);
  for (int r = 0; r < 10; ++r) {
    std::shuffle(v.begin(), v.end(), rng);
    EXPECT_EQ(SimHash(v), fp);
  }
  // Term frequency counts: doubling one feature's count can move bits, but
  // doubling every count changes nothing.
  std::vector<uint64_t> twice = v;
  twice.insert(twice.end(), v.begin(), v.end());
  EXPECT_EQ(SimHash(twice), fp);
}

TEST(SimHashTest, UnitWeightsEqualTermFrequency) {
  std::mt19937_64 rng(13);
  std::vector<uint64_t> v(300);
  for (uint64_t& x : v) x = rng() % 100;
  std::vector<float> ones(v.size(), 1.0f);
  EXPECT_EQ(SimHashWeighted(v, ones), SimHash(v));
  SimHashOptions other;
  other.seed = 3;
  EXPECT_NE(SimHash(v, other), SimHash(v));
}

double Spearman(const std::vector<double>& x, const std::vector<double>& y) {
  auto ranks = [](const std::vector<double>& v) {
    std::vector<size_t> idx(v.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (size_t i = 0; i < idx.size();) {  // average ranks of ties
      size_t j = i;
      while (j < idx.size() && v[idx[j]] == v[idx[i]]) ++j;
      for (size_t m = i; m < j; ++m) r[idx[m]] = (i + j - 1) / 2.0;
      i = j;
    }
    return r;
  };
  const std::vector<double> rx = ranks(x), ry = ranks(y);
  const double n = x.size();
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += rx[i], my += ry[i];
  mx /= n;
  my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) * (rx[i] - mx);
    syy += (ry[i] - my) * (ry[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

TEST(SimHashTest, HammingDistanceGrowsAsCosineFalls) {
  std::mt19937_64 rng(14);
  std::vector<double> cosines, distances;
  for (int pair = 0; pair < 300; ++pair) {
    // A multiset of 200 features, and a copy with a random fraction replaced.
    std::vector<uint64_t> a(200);
    for (uint64_t& x : a) x = rng();
    std::vector<uint64_t> b = a;
    const double frac = (pair % 30) / 30.0;
    for (uint64_t& x : b) {
      if (std::uniform_real_distribution<double>(0, 1)(rng) < frac) x = rng();
    }
    std::map<uint64_t, double> ca, cb;
    for (uint64_t x : a) ca[x] += 1;
    for (uint64_t x : b) cb[x] += 1;
    double dot = 0, na = 0, nb = 0;
    for (auto& [x, c] : ca) {
      na += c * c;
      if (auto it = cb.find(x); it != cb.end()) dot += c * it->second;
    }
    for (auto& [x, c] : cb) nb += c * c;
    cosines.push_back(dot / std::sqrt(na * nb));
    distances.push_back(HammingDistance(SimHash(a), SimHash(b)));
  }
  const double rho = Spearman(cosines, distances);
  EXPECT_LT(rho, -0.8) << "Hamming distance should fall as cosine rises";
}

TEST(SimHashTest, HammingIsPopcountOfXor) {
  EXPECT_EQ(HammingDistance(0, 0), 0);
  EXPECT_EQ(HammingDistance(0, ~0ull), 64);
  EXPECT_EQ(HammingDistance(0b1011, 0b0001), 2);
}

}  // namespace
}  // namespace dubare
