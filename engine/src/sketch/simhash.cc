// Copyright 2026 The Dubare Authors.

#include <algorithm>

#include "dubare/sketch.h"
#include "sketch/hash_util.h"
#include "sketch/kernels.h"

namespace dubare {

using sketch_internal::FeatureHash;
using sketch_internal::Mix64;

namespace {
uint64_t SeedKey(uint64_t seed) { return Mix64(seed ^ 0x53696D4861736821ull); }  // "SimHash!"
}  // namespace

uint64_t SimHash(absl::Span<const uint64_t> features, const SimHashOptions& options) {
  // Summing +1/-1 over every occurrence is the term-frequency weighting; a
  // bit is set when more than half of the occurrences set it.
  uint64_t counts[64] = {};
  sketch_internal::SimHashCounts(SeedKey(options.seed), features.data(), features.size(), counts);
  uint64_t fp = 0;
  for (int b = 0; b < 64; ++b) fp |= uint64_t{2 * counts[b] > features.size()} << b;
  return fp;
}

uint64_t SimHashWeighted(absl::Span<const uint64_t> features, absl::Span<const float> weights,
                         const SimHashOptions& options) {
  const size_t n = std::min(features.size(), weights.size());
  const uint64_t key = SeedKey(options.seed);
  double acc[64] = {};
  for (size_t j = 0; j < n; ++j) {
    const uint64_t y = FeatureHash(key, features[j]);
    const double w = weights[j];
    for (int b = 0; b < 64; ++b) acc[b] += ((y >> b) & 1) ? w : -w;
  }
  uint64_t fp = 0;
  for (int b = 0; b < 64; ++b) fp |= uint64_t{acc[b] > 0} << b;
  return fp;
}

}  // namespace dubare
