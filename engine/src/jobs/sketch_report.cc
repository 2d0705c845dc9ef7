// Copyright 2026 The Dubare Authors.
//
// What `dubare compare` and `dubare sketch` print (jobs.h).

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dubare/jobs.h"
#include "dubare/json_writer.h"

namespace dubare {

std::string FormatComparison(const DocumentComparison& c, absl::string_view name_a,
                             absl::string_view name_b) {
  std::string out;
  absl::StrAppendFormat(&out, "A: %s (%d shingles)\n", name_a, c.exact.a_size);
  absl::StrAppendFormat(&out, "B: %s (%d shingles)\n", name_b, c.exact.b_size);
  absl::StrAppendFormat(&out, "params:            %s\n", c.params.ToString());
  absl::StrAppendFormat(&out, "shared shingles:   %d\n", c.exact.intersection);
  absl::StrAppendFormat(&out, "exact Jaccard:     %.4f\n", c.exact.jaccard());
  absl::StrAppendFormat(&out, "containment A in B: %.4f\n", c.exact.containment_a());
  absl::StrAppendFormat(&out, "containment B in A: %.4f\n", c.exact.containment_b());
  absl::StrAppendFormat(&out, "MinHash estimate:  %.4f (k=%d)\n", c.minhash_estimate,
                        c.params.num_perm);
  absl::StrAppendFormat(&out, "SimHash distance:  %d of 64 bits\n", c.simhash_distance);
  absl::StrAppendFormat(&out, "verdict:           %s (exact Jaccard %s %.2f)\n",
                        c.duplicate() ? "near-duplicates" : "not near-duplicates",
                        c.duplicate() ? ">=" : "<", c.threshold);
  return out;
}

std::string FormatComparisonJson(const DocumentComparison& c, absl::string_view name_a,
                                 absl::string_view name_b) {
  std::string out;
  JsonObjectWriter(&out)
      .Field("a", name_a)
      .Field("b", name_b)
      .Field("params", c.params.ToString())
      .Field("a_shingles", static_cast<uint64_t>(c.exact.a_size))
      .Field("b_shingles", static_cast<uint64_t>(c.exact.b_size))
      .Field("shared_shingles", static_cast<uint64_t>(c.exact.intersection))
      .Field("jaccard", c.exact.jaccard())
      .Field("containment_a_in_b", c.exact.containment_a())
      .Field("containment_b_in_a", c.exact.containment_b())
      .Field("minhash_estimate", c.minhash_estimate)
      .Field("simhash_distance", static_cast<uint64_t>(c.simhash_distance))
      .Field("threshold", c.threshold)
      .Field("duplicate", c.duplicate())
      .Close();
  out += '\n';
  return out;
}

std::string FormatSketchJson(absl::string_view id, const DocumentSketch& sketch,
                             const SketchParams& params, SignatureKind kind) {
  std::string out = "{\"id\":";
  AppendJsonString(id, &out);
  absl::StrAppend(&out, ",\"shingles\":", sketch.shingles.size(), ",\"params\":");
  AppendJsonString(params.ToString(), &out);
  if (kind == SignatureKind::kMinHash) {
    absl::StrAppend(&out, ",\"method\":\"minhash\",\"signature\":\"",
                    absl::Base64Escape(EncodeValues(sketch.minhash)), "\"}");
  } else {
    absl::StrAppendFormat(&out, ",\"method\":\"simhash\",\"signature\":\"%016x\"}",
                          sketch.simhash);
  }
  return out;
}

}  // namespace dubare
