// Copyright 2026 The Dubare Authors.
//
// Signatures are persisted (index files, sketch output), so the hash of a
// given text under given SketchParams must never change silently: not across
// runs, builds, compilers or CPUs. These values were recorded once; if a
// change to the shingler or the sketches alters them, that change must bump
// SketchParams::kFormatVersion (and update the values here).

#include <vector>

#include "dubare/shingle.h"
#include "dubare/sketch.h"
#include "gtest/gtest.h"

namespace dubare {
namespace {

const char kStabilityText[] = "ئەمڕۆ شەممە شاندی حکومەتی Kurdistan";

TEST(StabilityTest, ShingleHashesAreThoseRecordedForFormatVersion1) {
  ASSERT_EQ(SketchParams::kFormatVersion, 1u) << "record new values for the new format";
  Shingles s;
  Shingler().Shingle(kStabilityText, &s);
  const std::vector<uint64_t> want = {0x2d6a0ef5e227553bull, 0x6b3d70e2622fec4cull,
                                     0xbfa57cb1ec606e3cull, 0xacb07141efc86111ull};
  EXPECT_EQ(s.hashes, want);
}

TEST(StabilityTest, SignaturesAreThoseRecordedForFormatVersion1) {
  Shingles s;
  Shingler().Shingle(kStabilityText, &s);
  std::vector<uint64_t> set = s.hashes;
  SortUnique(&set);
  SketchParams p;
  p.num_perm = 64;
  const std::vector<uint32_t> classic = MinHasher(p).Sketch(set).values;
  p.method = MinHashMethod::kOnePerm;
  const std::vector<uint32_t> oneperm = MinHasher(p).Sketch(set).values;
  EXPECT_EQ(std::vector<uint32_t>(classic.begin(), classic.begin() + 4),
            (std::vector<uint32_t>{0x13459f51u, 0x3278d755u, 0x2a0e6a58u, 0x1790417eu}));
  EXPECT_EQ(std::vector<uint32_t>(oneperm.begin(), oneperm.begin() + 4),
            (std::vector<uint32_t>{0x34e75eabu, 0xe4977973u, 0x34e75eabu, 0x6d9ca044u}));
  EXPECT_EQ(SimHash(s.hashes), 0xa2d8f04650121501ull);
}

}  // namespace
}  // namespace dubare
