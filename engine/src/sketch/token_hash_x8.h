// Copyright 2026 The Dubare Authors.
//
// token_hash_x8.h (private): TokenHash (XXH3-64 with a seed) of a chunk of
// tokens, eight of one length class at a time where the CPU has AVX-512.
//
// XXH3 takes a different path for each length class of its input (1-3,
// 4-8, 9-16, 17-32 bytes, ...). Word by word in text order that branch
// mispredicts about every other Sorani word. HashTokens sorts a chunk by
// class (VBMI2 compress) and computes the classes 4-8, 9-16 and 17-32 bytes
// (88 % of the match key's words) in 64-bit lanes, the 128-bit products of
// 9-32 from four 32-bit ones; the other tokens go through TokenHash. Tested
// equal to XXH3_64bits_withSeed for every length to 64.
//
// Thread safety: no shared state.

#ifndef DUBARE_SKETCH_TOKEN_HASH_X8_H_
#define DUBARE_SKETCH_TOKEN_HASH_X8_H_

#include <cstddef>
#include <cstdint>

namespace dubare::sketch_internal {

inline constexpr size_t kTokenChunk = 256;

// hash[i] = TokenHash(data + (place[i] >> 32), place[i] & 0xFFFFFFFF, seed)
// for i < n <= kTokenChunk. Reads only the tokens' bytes.
void HashTokens(const char* data, const uint64_t* place, size_t n, uint64_t seed, uint64_t* hash);

// The same one token at a time, in order: the reference, and the path on
// CPUs without AVX-512 (F, DQ, BW, VBMI2).
void HashTokensInOrder(const char* data, const uint64_t* place, size_t n, uint64_t seed,
                       uint64_t* hash);

}  // namespace dubare::sketch_internal

#endif  // DUBARE_SKETCH_TOKEN_HASH_X8_H_
