// Copyright 2026 The Dubare Authors.
//
// winnow.h (private): winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003),
// the selection of anchor fingerprints out of a document's k-gram hashes.
//
// From every window of `w` consecutive hashes the minimum is kept (the
// rightmost one on ties), and a position is reported once even when it is the
// minimum of several windows. Two texts that share a run of w + k - 1 units
// therefore share at least one kept fingerprint, while only about 2/(w+1) of
// the positions are kept. The choice depends only on the hashes inside a
// window, so a shared passage selects the same fingerprints in both texts.
//
// Thread safety: free functions.

#ifndef DUBARE_PASSAGES_WINNOW_H_
#define DUBARE_PASSAGES_WINNOW_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace dubare::passages_internal {

// Appends the kept positions (increasing) to *out after clearing it. With
// fewer than `window` hashes the minimum of all of them is kept. window >= 1.
void Winnow(absl::Span<const uint64_t> hashes, int window, std::vector<uint32_t>* out);

// Window by window, the obvious way (for tests).
std::vector<uint32_t> WinnowReference(absl::Span<const uint64_t> hashes, int window);

}  // namespace dubare::passages_internal

#endif  // DUBARE_PASSAGES_WINNOW_H_
