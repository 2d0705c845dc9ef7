// Copyright 2026 The Dubare Authors.
//
// hash_util.h (private): the hashing primitives shared by the shingler, the
// sketches and their tests, so that a slow test reference can apply exactly
// the same rules as the fast paths.

#ifndef DUBARE_SKETCH_HASH_UTIL_H_
#define DUBARE_SKETCH_HASH_UTIL_H_

#include <cstddef>
#include <cstdint>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace dubare::sketch_internal {

inline uint64_t Rotl64(uint64_t x, unsigned r) {
  r &= 63;
  return r == 0 ? x : (x << r) | (x >> (64 - r));
}

// A bijective 64-bit finalizer (Pelle Evensen's rrmxmx variant): every input
// bit affects every output bit, so linear combinations of token hashes do not
// leak their structure into shingle hashes.
inline uint64_t Mix64(uint64_t x) {
  x ^= Rotl64(x, 49) ^ Rotl64(x, 24);
  x *= 0x9FB21C651E98DF25ull;
  x ^= x >> 28;
  x *= 0x9FB21C651E98DF25ull;
  return x ^ (x >> 28);
}

// The hash of one token (a word, or the UTF-8 bytes of one code point).
inline uint64_t TokenHash(const char* data, size_t size, uint64_t seed) {
  return XXH3_64bits_withSeed(data, size, seed);
}

// A shingle of n tokens t[0..n) (oldest first) is
//   Finish(rotl(t[0], n-1) ^ rotl(t[1], n-2) ^ ... ^ t[n-1], n),
// a cyclic polynomial: sliding the window one token costs one rotate and two
// xors (drop rotl(t_old, n), add t_new), whatever n is. n <= 64 keeps every
// token at a distinct rotation.
inline uint64_t ShingleKey(uint64_t combined, unsigned n) {
  return combined ^ (uint64_t{n} * 0xD6E8FEB86659FD93ull);
}
inline uint64_t FinishShingle(uint64_t combined, unsigned n) {
  return Mix64(ShingleKey(combined, n));
}

// h[i] = Mix64(h[i]) for i < n: FinishShingle's second half for a whole
// array of ShingleKeys, eight at a time where the CPU has AVX-512 DQ.
void Mix64All(uint64_t* h, size_t n);

// 64-bit shingle hash → 32-bit MinHash input (see minhash_kernels.h).
inline uint32_t Fold32(uint64_t h) { return static_cast<uint32_t>(h ^ (h >> 32)); }

// splitmix64: expands one seed into a stream of table entries.
inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace dubare::sketch_internal

#endif  // DUBARE_SKETCH_HASH_UTIL_H_
