// Copyright 2026 The Dubare Authors.
//
// word_pairs.h (private): word 2-grams without spans, the default shingles,
// and the simple loop they are tested against. The Shingler calls WordPairs
// for them; the general roller (any k, spans) is in shingle.cc.
//
// WordPairs is the general roller with the window known to be one token, so
// a shingle is one rotate, two xors and Mix64, in three passes:
//   * the word scan writes each word's place into `out` (begin << 32 | size);
//   * the words are hashed a chunk at a time in the order of XXH3's length
//     classes (1-3, 4-8, 9-16, 17-32, 33+ bytes). XXH3 branches on them, and
//     the match key's words fall 12, 22, 46 and 20 % into the first four at
//     random, so hashed in text order, about every other word mispredicted;
//     grouped, the words of 4-32 bytes are hashed eight at a time where the
//     CPU has AVX-512 (HashTokens, token_hash_x8.h);
//   * each pair's ShingleKey overwrites the place of its first word, and
//     Mix64All finishes them eight at a time (Mix64's two dependent
//     multiplies per shingle were a sixth of the loop).
// WordPairsInTextOrder is the same in one pass, in text order: the
// reference, and the path for texts of 4 GiB or more (whose places do not
// fit in 32 bits).
//
// Both append to out->hashes. Thread safety: no shared state.

#ifndef DUBARE_SKETCH_WORD_PAIRS_H_
#define DUBARE_SKETCH_WORD_PAIRS_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "dubare/shingle.h"

namespace dubare::sketch_internal {

void WordPairs(uint64_t seed, absl::string_view text, Shingles* out);
void WordPairsInTextOrder(uint64_t seed, absl::string_view text, Shingles* out);

}  // namespace dubare::sketch_internal

#endif  // DUBARE_SKETCH_WORD_PAIRS_H_
