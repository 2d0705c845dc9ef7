// Copyright 2026 The Dubare Authors.
//
// The verification scores of lsh.h. Kept apart from lsh.cc because they are
// the only part that needs the sketch library.

#include <algorithm>

#include "base/enum_names.h"
#include "dubare/lsh.h"
#include "dubare/sketch.h"

namespace dubare {

namespace {
constexpr base::EnumName<VerifyMode> kVerifyModes[] = {
    {VerifyMode::kEstimate, "estimate"},
    {VerifyMode::kExact, "exact"},
    {VerifyMode::kContainment, "containment"},
    {VerifyMode::kJaccardOrContainment, "jaccard+containment"},
    {VerifyMode::kEstimateOrContainment, "estimate+containment"}};
}  // namespace

absl::string_view VerifyModeName(VerifyMode mode) { return base::NameOf(mode, kVerifyModes); }
absl::StatusOr<VerifyMode> ParseVerifyMode(absl::string_view name) {
  return base::ParseName("verify mode", name, kVerifyModes);
}

double ScorePair(VerifyMode mode, const DocumentFeatures& a, const DocumentFeatures& b) {
  switch (mode) {
    case VerifyMode::kEstimate:
    case VerifyMode::kEstimateOrContainment:
      return EstimateJaccard(a.minhash, b.minhash);
    case VerifyMode::kExact:
    case VerifyMode::kJaccardOrContainment:
      return ExactOverlap(a.shingles, b.shingles).jaccard();
    case VerifyMode::kContainment: {
      const SetOverlap o = ExactOverlap(a.shingles, b.shingles);
      return std::max(o.containment_a(), o.containment_b());
    }
  }
  return 0;
}

}  // namespace dubare
