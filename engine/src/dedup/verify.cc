// Copyright 2026 The Dubare Authors.
//
// The verification scores of lsh.h. Kept apart from lsh.cc because they are
// the only part that needs the sketch library.

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "dubare/lsh.h"
#include "dubare/sketch.h"

namespace dubare {

const char* VerifyModeName(VerifyMode mode) {
  switch (mode) {
    case VerifyMode::kEstimate:
      return "estimate";
    case VerifyMode::kExact:
      return "exact";
    case VerifyMode::kContainment:
      return "containment";
  }
  return "unknown";
}

absl::StatusOr<VerifyMode> ParseVerifyMode(absl::string_view name) {
  for (VerifyMode mode : {VerifyMode::kEstimate, VerifyMode::kExact, VerifyMode::kContainment}) {
    if (name == VerifyModeName(mode)) return mode;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("verify mode '", name, "' is not one of estimate, exact, containment"));
}

double ScorePair(VerifyMode mode, const DocumentFeatures& a, const DocumentFeatures& b) {
  switch (mode) {
    case VerifyMode::kEstimate:
      return EstimateJaccard(a.minhash, b.minhash);
    case VerifyMode::kExact:
      return ExactOverlap(a.shingles, b.shingles).jaccard();
    case VerifyMode::kContainment: {
      const SetOverlap o = ExactOverlap(a.shingles, b.shingles);
      return std::max(o.containment_a(), o.containment_b());
    }
  }
  return 0;
}

}  // namespace dubare
