// Copyright 2026 The Dubare Authors.
//
// normalize_internal.h (private): the normalizer's general path, the
// reference its fast path is tested against, and the bulk writer of an
// OffsetMap that the normalizer's hot loop uses.

#ifndef DUBARE_TEXT_NORMALIZE_INTERNAL_H_
#define DUBARE_TEXT_NORMALIZE_INTERNAL_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "dubare/normalize.h"

namespace dubare::text_internal {

// Normalizer(options).Normalize(input, out), with the fast path (runs of
// characters the table maps to themselves) on or off: the general path
// alone is the reference the fast path is tested against. `wide_blocks`
// lets the block path take 64 bytes at a time where the CPU can (AVX-512
// VBMI), else 16: both are tested.
absl::Status NormalizeWith(const NormalizeOptions& options, absl::string_view input,
                           NormalizedText* out, bool fast_runs, bool wide_blocks = true);
// Whether this CPU runs the 64-byte block path.
bool WideBlocksSupported();

// Sets both ends of `map` to `n` entries (capacity kept across calls) that
// the producer then writes through the pointers.
class OffsetMapWriter {
 public:
  static void Resize(OffsetMap* map, size_t n) {
    map->begin_.resize(n);
    map->end_.resize(n);
  }
  static uint32_t* begins(OffsetMap* map) { return map->begin_.data(); }
  static uint32_t* ends(OffsetMap* map) { return map->end_.data(); }
};

}  // namespace dubare::text_internal

#endif  // DUBARE_TEXT_NORMALIZE_INTERNAL_H_
