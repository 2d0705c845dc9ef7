// Copyright 2026 The Dubare Authors.
//
// chain.h (private): anchors of one document pair grouped into chains along
// diagonals, and the alignment band around a chain.
//
// Thread safety: free functions.

#ifndef DUBARE_PASSAGES_CHAIN_H_
#define DUBARE_PASSAGES_CHAIN_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "passages/align.h"

namespace dubare::passages_internal {

// A shared fingerprint: the word where it starts in document A and in B.
struct Anchor {
  uint32_t a = 0;
  uint32_t b = 0;
  friend bool operator==(const Anchor&, const Anchor&) = default;
};

// Groups `anchors` (sorted by a, then b) into chains. An anchor joins the
// open chain whose last anchor (la, lb) has la <= a <= la + max_gap,
// lb <= b <= lb + max_gap and the smallest drift |(b - lb) - (a - la)|, if
// that drift is at most max_drift; otherwise it starts a chain. Each chain
// lists its anchors in order; chains come in the order they were started.
std::vector<std::vector<Anchor>> ChainAnchors(absl::Span<const Anchor> anchors, int max_gap,
                                              int max_drift);

// The part of the two documents to align for a chain and the band in it:
// A words [a_begin, a_end), B words [b_begin, b_end), band rows for A.
struct Region {
  uint32_t a_begin = 0, a_end = 0, b_begin = 0, b_end = 0;
  Band band;
};

// The region around `chain` (non-empty, in chain order): `margin` words
// before the first anchor and after the last on A, and on B the columns
// within `half_width` words of the line through the anchors (continued with
// slope 1 past both ends). Documents have a_words and b_words words. With
// same_doc, B words stay strictly after the A words they align with.
Region RegionAround(absl::Span<const Anchor> chain, uint32_t a_words, uint32_t b_words,
                    int margin, int half_width, bool same_doc);

}  // namespace dubare::passages_internal

#endif  // DUBARE_PASSAGES_CHAIN_H_
