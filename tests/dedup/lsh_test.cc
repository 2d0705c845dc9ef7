// Copyright 2026 The Dubare Authors.
//
// LSH parameters, band keys and candidate generation against slow, obvious
// references: numeric integration by the midpoint rule, exhaustive parameter
// search, and all-pairs comparison.

#include "dubare/lsh.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lsh/key_groups.h"

namespace dubare {
namespace {

// ---- Parameters ------------------------------------------------------------

double MidpointIntegral(double lo, double hi, int steps, auto f) {
  const double h = (hi - lo) / steps;
  double sum = 0;
  for (int i = 0; i < steps; ++i) sum += f(lo + (i + 0.5) * h);
  return sum * h;
}

double ReferenceP(double s, int b, int r) {
  // 1 - (1 - s^r)^b, with the powers spelled out as products.
  double sr = 1;
  for (int i = 0; i < r; ++i) sr *= s;
  double miss = 1;
  for (int i = 0; i < b; ++i) miss *= 1 - sr;
  return 1 - miss;
}

double ReferenceFp(double t, int b, int r) {
  return MidpointIntegral(0, t, 20000, [&](double s) { return ReferenceP(s, b, r); });
}
double ReferenceFn(double t, int b, int r) {
  return MidpointIntegral(t, 1, 20000, [&](double s) { return 1 - ReferenceP(s, b, r); });
}

TEST(LshParamsTest, ErrorAreasMatchMidpointIntegration) {
  for (double t : {0.2, 0.5, 0.85}) {
    for (auto [b, r] : {std::pair{1, 1}, {4, 8}, {20, 6}, {64, 2}, {128, 1}, {2, 64}}) {
      SCOPED_TRACE(::testing::Message() << "t=" << t << " b=" << b << " r=" << r);
      EXPECT_NEAR(FalsePositiveArea(t, b, r), ReferenceFp(t, b, r), 1e-6);
      EXPECT_NEAR(FalseNegativeArea(t, b, r), ReferenceFn(t, b, r), 1e-6);
    }
  }
}

TEST(LshParamsTest, OptimalParamsMinimiseWeightedErrorLikeExhaustiveSearch) {
  constexpr uint32_t kNumPerm = 64;
  for (double t : {0.3, 0.5, 0.8}) {
    for (LshWeights w : {LshWeights{0.5, 0.5}, LshWeights{0.2, 0.8}}) {
      SCOPED_TRACE(::testing::Message() << "t=" << t << " w_fp=" << w.false_positive);
      double best = 1e9;
      for (int b = 1; b <= kNumPerm; ++b) {
        for (int r = 1; b * r <= kNumPerm; ++r) {
          best = std::min(best, w.false_positive * ReferenceFp(t, b, r) +
                                    w.false_negative * ReferenceFn(t, b, r));
        }
      }
      absl::StatusOr<LshParams> p = OptimalLshParams(t, kNumPerm, w);
      ASSERT_TRUE(p.ok()) << p.status();
      ASSERT_TRUE(p->Validate(kNumPerm).ok());
      const double chosen = w.false_positive * ReferenceFp(t, p->bands, p->rows) +
                            w.false_negative * ReferenceFn(t, p->bands, p->rows);
      EXPECT_NEAR(chosen, best, 1e-6) << p->ToString();
    }
  }
}

// OptimalLshParams screens layouts on a coarse grid before integrating the
// best few adaptively; the reference integrates every layout adaptively.
// They must choose the same layout (ties: smaller bands, then rows).
TEST(LshParamsTest, ScreenedSearchChoosesAsExhaustiveAdaptiveSearch) {
  int checked = 0;
  for (uint32_t k : {16u, 64u, 128u, 256u}) {
    for (int percent = 2; percent <= 98; percent += (k == 256 ? 8 : 2)) {
      const double t = percent / 100.0;
      for (LshWeights w : {LshWeights{0.5, 0.5}, LshWeights{0.1, 0.9}, LshWeights{0.9, 0.1}}) {
        LshParams want;
        double best = std::numeric_limits<double>::infinity();
        for (uint32_t b = 1; b <= k; ++b) {
          for (uint32_t r = 1; r <= k / b; ++r) {
            const double e = w.false_positive * FalsePositiveArea(t, b, r) +
                             w.false_negative * FalseNegativeArea(t, b, r);
            if (e < best) {
              best = e;
              want.bands = b;
              want.rows = r;
            }
          }
        }
        absl::StatusOr<LshParams> got = OptimalLshParams(t, k, w);
        ASSERT_TRUE(got.ok()) << got.status();
        ASSERT_EQ(got->ToString(), want.ToString())
            << "k=" << k << " t=" << t << " w_fp=" << w.false_positive;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 3 * (3 * 49 + 13));
}

TEST(LshParamsTest, HigherThresholdGivesLongerBands) {
  absl::StatusOr<LshParams> low = OptimalLshParams(0.3, 128);
  absl::StatusOr<LshParams> high = OptimalLshParams(0.9, 128);
  ASSERT_TRUE(low.ok() && high.ok());
  EXPECT_LT(low->rows, high->rows);
  EXPECT_GT(low->bands, high->bands);
}

TEST(LshParamsTest, RejectsBadArguments) {
  EXPECT_FALSE(OptimalLshParams(0.0, 128).ok());
  EXPECT_FALSE(OptimalLshParams(1.0, 128).ok());
  EXPECT_FALSE(OptimalLshParams(0.5, 0).ok());
  EXPECT_FALSE(OptimalLshParams(0.5, 128, {0, 0}).ok());
  LshParams p;
  p.bands = 16;
  p.rows = 9;
  EXPECT_FALSE(p.Validate(128).ok());
  p.rows = 8;
  EXPECT_TRUE(p.Validate(128).ok());
  p.band_key_version = 99;
  EXPECT_FALSE(p.Validate(128).ok());
}

TEST(LshParamsTest, TextFormRoundTrips) {
  LshParams p;
  p.bands = 21;
  p.rows = 6;
  p.seed = 12345678901234ull;
  absl::StatusOr<LshParams> back = LshParams::Parse(p.ToString());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, p);
  EXPECT_FALSE(LshParams::Parse("lsh1 bands=3").ok());
  EXPECT_FALSE(LshParams::Parse("lsh1 bands=x rows=2 seed=1").ok());
}

// ---- Band keys -------------------------------------------------------------

// Every row count: 1-4 have their own compiled path in BandKeys.
TEST(BandKeyTest, IsSeededXxh3OfLittleEndianBandValues) {
  std::mt19937 rng(7);
  for (uint32_t rows = 1; rows <= 6; ++rows) {
    LshParams p;
    p.bands = 5;
    p.rows = rows;
    std::vector<uint32_t> sig(p.bands * rows);
    for (uint32_t& v : sig) v = rng();
    std::vector<uint64_t> keys(p.bands);
    BandKeys(sig, p, absl::MakeSpan(keys));
    for (uint32_t band = 0; band < p.bands; ++band) {
      std::vector<unsigned char> bytes;
      for (uint32_t i = 0; i < p.rows; ++i) {
        const uint32_t v = sig[band * p.rows + i];
        for (int shift = 0; shift < 32; shift += 8) bytes.push_back((v >> shift) & 0xFF);
      }
      EXPECT_EQ(keys[band], XXH3_64bits_withSeed(bytes.data(), bytes.size(), p.seed + band))
          << rows;
      EXPECT_EQ(keys[band], BandKey(sig, band, p)) << rows;
    }
  }
}

TEST(BandKeyTest, EqualBandsInDifferentPositionsGetDifferentKeys) {
  std::vector<uint32_t> sig(8, 42);
  LshParams p;
  p.bands = 2;
  p.rows = 4;
  EXPECT_NE(BandKey(sig, 0, p), BandKey(sig, 1, p));
}

// ---- MinHash candidates ----------------------------------------------------

// Signatures over a tiny alphabet, so that bands collide often.
std::vector<uint32_t> RandomSignatures(size_t n, size_t k, uint32_t alphabet, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint32_t> sigs(n * k);
  for (uint32_t& v : sigs) v = rng() % alphabet;
  return sigs;
}

std::vector<CandidatePair> BruteForceCandidates(const std::vector<uint32_t>& sigs, size_t k,
                                                const LshParams& p) {
  const size_t n = sigs.size() / k;
  std::vector<CandidatePair> out;
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = a + 1; b < n; ++b) {
      for (uint32_t band = 0; band < p.bands; ++band) {
        bool equal = true;
        for (uint32_t r = 0; r < p.rows && equal; ++r) {
          equal = sigs[a * k + band * p.rows + r] == sigs[b * k + band * p.rows + r];
        }
        if (equal) {
          out.push_back({a, b});
          break;
        }
      }
    }
  }
  return out;
}

std::vector<uint64_t> KeysOf(const std::vector<uint32_t>& sigs, size_t k, const LshParams& p) {
  const size_t n = sigs.size() / k;
  std::vector<uint64_t> keys(n * p.bands);
  for (size_t d = 0; d < n; ++d) {
    BandKeys(absl::MakeConstSpan(sigs).subspan(d * k, k), p,
             absl::MakeSpan(keys).subspan(d * p.bands, p.bands));
  }
  return keys;
}

TEST(FindCandidatesTest, EqualsAllPairsSharingABand) {
  constexpr size_t kK = 12;
  for (auto [bands, rows, alphabet] : {std::tuple{6, 2, 5u}, {4, 3, 3u}, {12, 1, 40u}}) {
    LshParams p;
    p.bands = bands;
    p.rows = rows;
    const std::vector<uint32_t> sigs = RandomSignatures(400, kK, alphabet, bands * 31 + rows);
    const std::vector<CandidatePair> want = BruteForceCandidates(sigs, kK, p);
    ASSERT_FALSE(want.empty());
    CandidateOptions options;
    options.max_bucket_size = 1000;  // no capping here
    for (int threads : {1, 3}) {
      options.threads = threads;
      CandidateStats stats;
      EXPECT_EQ(FindCandidates(KeysOf(sigs, kK, p), p.bands, options, &stats), want)
          << "bands=" << bands << " rows=" << rows << " threads=" << threads;
      EXPECT_EQ(stats.capped_buckets, 0u);
      EXPECT_GE(stats.raw_pairs, want.size());
    }
  }
}

TEST(FindCandidatesTest, OversizedBucketBecomesStarAroundSmallestDocument) {
  // Documents 2, 5, 7, 8, 9 share their only band key; the rest are unique.
  std::vector<uint64_t> keys = {100, 101, 7, 102, 103, 7, 104, 7, 7, 7};
  CandidateOptions options;
  options.max_bucket_size = 4;
  CandidateStats stats;
  EXPECT_THAT(FindCandidates(keys, 1, options, &stats),
              ::testing::ElementsAre(CandidatePair{2, 5}, CandidatePair{2, 7}, CandidatePair{2, 8},
                                   CandidatePair{2, 9}));
  EXPECT_EQ(stats.capped_buckets, 1u);
  options.max_bucket_size = 5;
  EXPECT_EQ(FindCandidates(keys, 1, options).size(), 10u);  // all 5·4/2 pairs
}

// Containment bands: with sizes, exactly the pairs of the plain search whose
// smaller size is at most max_size_ratio of the larger (the per-bucket
// binary search against the obvious filter), capped buckets included.
TEST(FindCandidatesTest, SizesKeepOnlyPairsOfDifferentSize) {
  constexpr size_t kK = 12;
  LshParams p;
  p.bands = 6;
  p.rows = 2;
  const std::vector<uint32_t> sigs = RandomSignatures(500, kK, 4, 99);
  const std::vector<uint64_t> keys = KeysOf(sigs, kK, p);
  std::mt19937 rng(5);
  std::vector<uint32_t> sizes(500);
  for (uint32_t& s : sizes) s = 1 + rng() % 300;
  sizes[3] = sizes[4] = 0;  // empty sizes: 0 <= ratio * 0
  for (uint32_t cap : {1000u, 20u}) {
    for (double ratio : {0.6, 0.25, 1.0}) {
      CandidateOptions plain;
      plain.max_bucket_size = cap;
      std::vector<CandidatePair> want;
      for (const CandidatePair& c : FindCandidates(keys, p.bands, plain)) {
        const uint32_t small = std::min(sizes[c.a], sizes[c.b]);
        const uint32_t large = std::max(sizes[c.a], sizes[c.b]);
        if (small <= ratio * large) want.push_back(c);
      }
      ASSERT_FALSE(want.empty());
      CandidateOptions o = plain;
      o.sizes = sizes;
      o.max_size_ratio = ratio;
      for (int threads : {1, 2}) {
        o.threads = threads;
        EXPECT_EQ(FindCandidates(keys, p.bands, o), want) << cap << " " << ratio;
      }
    }
  }
}

// GroupByKey against the obvious: sort by (key, document) and take the runs
// of two or more (the order between groups is free).
TEST(GroupByKeyTest, GroupsOfSharedKeysInDocumentOrderAsSortingGives) {
  using lsh_internal::KeyDoc;
  auto groups_by_sorting = [](std::vector<KeyDoc> v) {
    std::sort(v.begin(), v.end(), [](const KeyDoc& x, const KeyDoc& y) {
      return x.key != y.key ? x.key < y.key : x.doc < y.doc;
    });
    std::vector<std::vector<uint32_t>> groups;
    for (size_t i = 0; i < v.size();) {
      size_t j = i;
      std::vector<uint32_t> docs;
      for (; j < v.size() && v[j].key == v[i].key; ++j) docs.push_back(v[j].doc);
      if (docs.size() > 1) groups.push_back(docs);
      i = j;
    }
    std::sort(groups.begin(), groups.end());
    return groups;
  };
  std::mt19937_64 rng(7);
  std::vector<KeyDoc> scratch;
  std::vector<uint32_t> counts, multi;
  lsh_internal::KeyGroups got;
  // Sizes under and over the small-input cut; hashed keys, few distinct keys
  // (big buckets), masked keys whose top bits are all zero (SimHash tables),
  // one key for all, and keys repeated about once each (mostly buckets of
  // two); documents in order, and shuffled (as the size-ranked tables give
  // them).
  for (size_t n : {0, 1, 2, 63, 64, 65, 1000, 100000}) {
    for (int kind = 0; kind < 5; ++kind) {
      for (const bool shuffled : {false, true}) {
        std::vector<KeyDoc> v(n);
        for (size_t d = 0; d < n; ++d) {
          uint64_t key = rng();
          if (kind == 1) key %= 37;
          if (kind == 2) key &= 0xFFFF0000ull;
          if (kind == 3) key = 42;
          if (kind == 4) key = d > 0 && rng() % 2 == 0 ? v[rng() % d].key : key;
          v[d] = {key, static_cast<uint32_t>(d)};
        }
        if (shuffled) std::shuffle(v.begin(), v.end(), rng);
        const std::vector<KeyDoc> before = v;
        lsh_internal::GroupByKey(v, &scratch, &counts, &multi, &got);
        ASSERT_EQ(got.ends.empty() ? 0 : got.ends.back(), got.docs.size());
        std::vector<std::vector<uint32_t>> groups;
        uint32_t begin = 0;
        for (const uint32_t end : got.ends) {
          groups.emplace_back(got.docs.begin() + begin, got.docs.begin() + end);
          EXPECT_TRUE(std::is_sorted(groups.back().begin(), groups.back().end()));
          begin = end;
        }
        std::sort(groups.begin(), groups.end());
        EXPECT_EQ(groups, groups_by_sorting(v)) << n << " " << kind << " " << shuffled;
        EXPECT_TRUE(std::equal(v.begin(), v.end(), before.begin(), [](auto& x, auto& y) {
          return x.key == y.key && x.doc == y.doc;
        }));
      }
    }
  }
}

// Candidates straight from signatures in place equal those of the stored
// band-key matrix, for every row count (1-4 have their own compiled key), a
// subset of documents in any order, sizes and a cap.
TEST(FindCandidatesTest, FromSignaturesEqualsFromTheKeyMatrix) {
  constexpr uint32_t kK = 24;
  const std::vector<uint32_t> sigs = RandomSignatures(400, kK, 3, 21);
  std::vector<uint32_t> docs;
  for (uint32_t d = 0; d < 400; d += 1 + d % 3) docs.push_back(d);
  std::reverse(docs.begin() + 10, docs.begin() + 40);
  std::mt19937 rng(8);
  std::vector<uint32_t> sizes(docs.size());
  for (uint32_t& s : sizes) s = 1 + rng() % 100;
  for (uint32_t rows = 1; rows <= 6; ++rows) {
    LshParams p;
    p.rows = rows;
    p.bands = kK / rows;
    p.seed = 77;
    const std::vector<uint64_t> keys = ComputeBandKeys(sigs, kK, docs, p);
    for (bool with_sizes : {false, true}) {
      CandidateOptions o;
      o.max_bucket_size = 30;
      o.threads = 2;
      if (with_sizes) {
        o.sizes = sizes;
        o.max_size_ratio = 0.5;
      }
      CandidateStats want_stats, got_stats;
      const std::vector<CandidatePair> want = FindCandidates(keys, p.bands, o, &want_stats);
      ASSERT_FALSE(want.empty()) << rows;
      std::vector<const uint32_t*> in_place;
      for (uint32_t d : docs) in_place.push_back(sigs.data() + size_t{d} * kK);
      EXPECT_EQ(FindCandidates(in_place, p, o, &got_stats), want) << rows << with_sizes;
      EXPECT_EQ(got_stats.capped_buckets, want_stats.capped_buckets) << rows;
      EXPECT_EQ(got_stats.raw_pairs, want_stats.raw_pairs) << rows;
    }
  }
}

// SortUniquePairs against std::sort and std::unique: many repeats (a pair
// from many bands), one document in a crowd of pairs (a capped bucket's
// star), sizes under and over the small-input cut, and documents near 2^32.
TEST(SortUniquePairsTest, EqualsSortAndUnique) {
  std::mt19937_64 rng(11);
  std::vector<uint64_t> scratch;
  std::vector<uint32_t> counts;
  for (uint32_t num_docs : {1u, 7u, 1000u, 70000u, 0xFFFFFFFFu}) {
    for (size_t n : {0, 1, 255, 256, 257, 5000, 200000}) {
      for (int kind = 0; kind < 3; ++kind) {
        std::vector<uint64_t> v(n);
        for (uint64_t& p : v) {
          uint32_t a = static_cast<uint32_t>(rng() % num_docs);
          uint32_t b = static_cast<uint32_t>(rng() % num_docs);
          if (kind == 1) a %= 3, b %= 50;  // few pairs, each many times
          if (kind == 2 && rng() % 2) a = 0;  // a star around document 0
          if (a > b) std::swap(a, b);
          p = uint64_t{a} << 32 | b;
        }
        std::vector<uint64_t> want = v;
        std::sort(want.begin(), want.end());
        want.erase(std::unique(want.begin(), want.end()), want.end());
        lsh_internal::SortUniquePairs(&v, num_docs == 0xFFFFFFFFu ? 0 : num_docs, &scratch,
                                      &counts);
        EXPECT_EQ(v, want) << num_docs << " " << n << " " << kind;
      }
    }
  }
}

TEST(FindCandidatesTest, NoDocumentsNoPairs) {
  EXPECT_TRUE(FindCandidates({}, 4).empty());
}

// ---- SimHash search --------------------------------------------------------

// Random fingerprints plus, for every third one, a neighbour with a few bits
// flipped, so that pairs at every distance up to about 8 exist.
std::vector<uint64_t> ClusteredFingerprints(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> f;
  while (f.size() < n) {
    const uint64_t base = rng();
    f.push_back(base);
    if (f.size() % 3 == 0 && f.size() < n) {
      uint64_t near = base;
      const int flips = rng() % 9;
      for (int i = 0; i < flips; ++i) near ^= uint64_t{1} << (rng() % 64);
      f.push_back(near);
    }
  }
  return f;
}

TEST(SimHashSearchTest, EqualsBruteForceHammingPairs) {
  const std::vector<uint64_t> f = ClusteredFingerprints(1500, 11);
  for (int k : {0, 1, 3, 6}) {
    std::vector<CandidatePair> want;
    for (uint32_t a = 0; a < f.size(); ++a) {
      for (uint32_t b = a + 1; b < f.size(); ++b) {
        if (std::popcount(f[a] ^ f[b]) <= k) want.push_back({a, b});
      }
    }
    ASSERT_FALSE(want.empty()) << k;
    for (int blocks : {0, k + 3}) {
      for (int threads : {1, 2}) {
        SimHashSearchOptions options;
        options.max_distance = k;
        options.blocks = blocks;
        options.threads = threads;
        absl::StatusOr<std::vector<CandidatePair>> got = FindSimHashCandidates(f, options);
        ASSERT_TRUE(got.ok()) << got.status();
        EXPECT_EQ(*got, want) << "k=" << k << " blocks=" << blocks << " threads=" << threads;
      }
    }
  }
}

TEST(SimHashSearchTest, RejectsImpossibleBlockCounts) {
  const std::vector<uint64_t> f = {1, 2, 3};
  SimHashSearchOptions options;
  options.max_distance = 3;
  options.blocks = 3;  // fewer than k + 1: pigeonhole fails
  EXPECT_FALSE(FindSimHashCandidates(f, options).ok());
  options.max_distance = 40;
  options.blocks = 0;
  EXPECT_FALSE(FindSimHashCandidates(f, options).ok());
}

TEST(SimHashSearchTest, SimilarityCountsAgreeingBits) {
  EXPECT_EQ(SimHashSimilarity(0, 0), 1.0);
  EXPECT_EQ(SimHashSimilarity(0, ~uint64_t{0}), 0.0);
  EXPECT_EQ(SimHashSimilarity(0b1011, 0), 1.0 - 3.0 / 64);
}

// ---- Containment -----------------------------------------------------------

TEST(ContainmentTest, JaccardOfContainedSetMatchesCounting) {
  // A: 100 items, B: 400 items, 80 of A in B.
  const double ratio = 100.0 / 400, c = 0.8;
  const double union_size = 100 + 400 - 80;
  EXPECT_NEAR(ContainmentToJaccard(c, ratio), 80 / union_size, 1e-12);
  EXPECT_NEAR(ContainmentToJaccard(1.0, 1.0), 1.0, 1e-12);
}

}  // namespace
}  // namespace dubare
