// Copyright 2026 The Dubare Authors.
//
// SketchParams, the exact overlap reference, and the value encoding.

#include <algorithm>
#include <iterator>
#include <random>
#include <set>
#include <vector>

#include "dubare/shingle.h"
#include "dubare/sketch.h"
#include "gtest/gtest.h"

namespace dubare {
namespace {

TEST(SketchParamsTest, DefaultsAreValidAndPrintAsDocumented) {
  SketchParams p;
  EXPECT_TRUE(p.Validate().ok());
  EXPECT_EQ(p.ToString(),
            "v1 norm2 keep_spaces=1 word:2 shingle_seed=0x64756261726530 minhash=classic "
            "k=128 seed=1");
}

TEST(SketchParamsTest, ToStringParsesBack) {
  SketchParams p;
  p.shingle.kind = ShingleKind::kChar;
  p.shingle.size = 5;
  p.shingle.ignore_spaces = false;
  p.shingle.seed = 0xFFFFFFFFFFFFFFFFull;
  p.method = MinHashMethod::kOnePerm;
  p.num_perm = 1024;
  p.seed = 123456789012345ull;
  p.match_key_keep_spaces = false;
  absl::StatusOr<SketchParams> q = SketchParams::Parse(p.ToString());
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(*q, p);
  ASSERT_TRUE(SketchParams::Parse(SketchParams().ToString()).ok());
  EXPECT_EQ(*SketchParams::Parse(SketchParams().ToString()), SketchParams());
}

TEST(SketchParamsTest, ParseRejectsMalformedText) {
  for (const char* bad : {"", "v1", "v2 norm2 keep_spaces=1 word:3 shingle_seed=0x1 minhash=classic k=128 seed=1",
                          "v1 norm2 keep_spaces=2 word:3 shingle_seed=0x1 minhash=classic k=128 seed=1",
                          "v1 norm2 keep_spaces=1 word:99 shingle_seed=0x1 minhash=classic k=128 seed=1",
                          "v1 norm2 keep_spaces=1 word:3 shingle_seed=zz minhash=classic k=128 seed=1",
                          "v1 norm2 keep_spaces=1 word:3 shingle_seed=0x1 minhash=super k=128 seed=1",
                          "v1 norm2 keep_spaces=1 word:3 shingle_seed=0x1 minhash=classic k=32 seed=1",
                          "v1 norm2 keep_spaces=1 word:3 shingle_seed=0x1 minhash=classic k=128 seed=x"}) {
    absl::StatusOr<SketchParams> p = SketchParams::Parse(bad);
    EXPECT_FALSE(p.ok()) << bad;
    if (!p.ok()) {
      EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST(SketchParamsTest, ValidateChecksRanges) {
  SketchParams p;
  p.num_perm = 63;
  EXPECT_FALSE(p.Validate().ok());
  p.num_perm = 1025;
  EXPECT_FALSE(p.Validate().ok());
  p.num_perm = 64;
  EXPECT_TRUE(p.Validate().ok());
  p.shingle.size = 0;
  EXPECT_FALSE(p.Validate().ok());
}

TEST(SketchParamsTest, CheckCompatibleNamesTheDifference) {
  const SketchParams p;
  EXPECT_TRUE(p.CheckCompatible(p).ok());
  struct Case {
    void (*change)(SketchParams*);
    const char* field;
  } cases[] = {
      {[](SketchParams* q) { q->normalizer_version++; }, "normalizer"},
      {[](SketchParams* q) { q->match_key_keep_spaces = false; }, "keep_spaces"},
      {[](SketchParams* q) { q->shingle.size = 5; }, "shingle"},
      {[](SketchParams* q) { q->shingle.kind = ShingleKind::kChar; }, "shingle"},
      {[](SketchParams* q) { q->shingle.seed = 9; }, "shingle seed"},
      {[](SketchParams* q) { q->method = MinHashMethod::kOnePerm; }, "method"},
      {[](SketchParams* q) { q->num_perm = 256; }, "num_perm"},
      {[](SketchParams* q) { q->seed = 2; }, "MinHash seed"},
  };
  for (const Case& c : cases) {
    SketchParams q = p;
    c.change(&q);
    const absl::Status s = p.CheckCompatible(q);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << c.field;
    EXPECT_NE(s.message().find(c.field), std::string::npos) << s;
  }
  // ignore_spaces means nothing for word shingles.
  SketchParams q = p;
  q.shingle.ignore_spaces = !q.shingle.ignore_spaces;
  EXPECT_TRUE(p.CheckCompatible(q).ok());
}

TEST(ExactOverlapTest, MatchesStdSetIntersection) {
  std::mt19937_64 rng(21);
  for (int trial = 0; trial < 100; ++trial) {
    std::vector<uint64_t> a(rng() % 300), b(rng() % 300);
    for (uint64_t& x : a) x = rng() % 400;
    for (uint64_t& x : b) x = rng() % 400;
    SortUnique(&a);
    SortUnique(&b);
    std::vector<uint64_t> common;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
    const SetOverlap o = ExactOverlap(a, b);
    EXPECT_EQ(o.intersection, common.size());
    if (!a.empty() || !b.empty()) {
      EXPECT_DOUBLE_EQ(o.jaccard(), double(common.size()) / (a.size() + b.size() - common.size()));
    }
    if (!a.empty()) {
      EXPECT_DOUBLE_EQ(o.containment_a(), double(common.size()) / a.size());
    }
    if (!b.empty()) {
      EXPECT_DOUBLE_EQ(o.containment_b(), double(common.size()) / b.size());
    }
  }
}

TEST(ExactOverlapTest, EmptySets) {
  const std::vector<uint64_t> none, one = {5};
  EXPECT_EQ(ExactOverlap(none, none).jaccard(), 1.0);
  EXPECT_EQ(ExactOverlap(none, one).jaccard(), 0.0);
  EXPECT_EQ(ExactOverlap(none, one).containment_a(), 0.0);
  EXPECT_EQ(ExactOverlap(one, one).containment_b(), 1.0);
}

TEST(EncodeValuesTest, RoundTripsLittleEndian) {
  const std::vector<uint32_t> v = {0, 1, 0x01020304, 0xFFFFFFFF};
  const std::string bytes = EncodeValues(v);
  ASSERT_EQ(bytes.size(), 16u);
  EXPECT_EQ(bytes.substr(8, 4), std::string("\x04\x03\x02\x01", 4));
  absl::StatusOr<std::vector<uint32_t>> back = DecodeValues(bytes, v.size());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, v);
  EXPECT_FALSE(DecodeValues(bytes, 3).ok());
  EXPECT_FALSE(DecodeValues(bytes.substr(1), 4).ok());
}

}  // namespace
}  // namespace dubare
