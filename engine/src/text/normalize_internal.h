// Copyright 2026 The Dubare Authors.
//
// normalize_internal.h: access to dubare::Normalizer for its own tests.

#ifndef DUBARE_TEXT_NORMALIZE_INTERNAL_H_
#define DUBARE_TEXT_NORMALIZE_INTERNAL_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "dubare/normalize.h"

namespace dubare::text_internal {

class NormalizerPeer {
 public:
  // Normalizer::Normalize, with the fast path (Run::FastRun) on or off: the
  // general path alone is the reference the fast path is tested against.
  static absl::Status Run(const Normalizer& normalizer, absl::string_view input,
                          NormalizedText* out, bool fast_runs);
};

}  // namespace dubare::text_internal

#endif  // DUBARE_TEXT_NORMALIZE_INTERNAL_H_
