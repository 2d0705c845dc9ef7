// Copyright 2026 The Dubare Authors.

#include <string>

#include "absl/strings/str_cat.h"
#include "dubare/sketch.h"
#include "dubare/status.h"

namespace dubare {

absl::StatusOr<DocumentComparison> CompareDocuments(absl::string_view a, absl::string_view b,
                                                    const SketchParams& params,
                                                    double threshold, absl::string_view name_a,
                                                    absl::string_view name_b) {
  DUBARE_RETURN_IF_ERROR(params.Validate());
  DocumentSketcher sketcher(params);
  DocumentSketch sa, sb;
  DUBARE_RETURN_IF_ERROR(Annotate(sketcher.Sketch(a, &sa), name_a));
  DUBARE_RETURN_IF_ERROR(Annotate(sketcher.Sketch(b, &sb), name_b));
  DocumentComparison c;
  c.params = params;
  c.threshold = threshold;
  c.exact = ExactOverlap(sa.shingles, sb.shingles);
  c.minhash_estimate = EstimateJaccard(absl::MakeConstSpan(sa.minhash), absl::MakeConstSpan(sb.minhash));
  c.simhash_distance = HammingDistance(sa.simhash, sb.simhash);
  return c;
}

}  // namespace dubare
