// Copyright 2026 The Dubare Authors.
//
// kernels.h (private): the inner loops of MinHash and SimHash, one function
// per instruction set, so tests can check every variant the CPU supports
// against the slow obvious reference and benchmarks can compare them.
//
// Classic MinHash slot i of a shingle hash h is
//   v_i(x) = ((a_i * x + b_i) mod 2^64) >> 32,   x = Fold32(h), a_i odd,
// Dietzfelbinger's multiply-add-shift: strongly universal from 32 to 32 bits.
// With a = ahi:alo and b = bhi:blo (32-bit halves) it equals
//   hi32(alo * x + blo) + ahi * x + bhi   (mod 2^32),
// which needs only one 32x32->64 multiply and one 32-bit multiply per slot,
// the form the vector units do fastest.

#ifndef DUBARE_SKETCH_KERNELS_H_
#define DUBARE_SKETCH_KERNELS_H_

#include <cstddef>
#include <cstdint>

#include "sketch/hash_util.h"

namespace dubare::sketch_internal {

enum class Isa { kScalar, kBaseline, kAvx2, kAvx512 };
const char* IsaName(Isa isa);
bool IsaSupported(Isa isa);
// The fastest supported variant (never kScalar).
Isa BestIsa();

// The classic MinHash tables, structure-of-arrays, k entries each.
struct ClassicTables {
  const uint32_t* alo;
  const uint32_t* ahi;
  const uint32_t* blo;
  const uint32_t* bhi;
  size_t k;
};

// Lowers mins[0..k) to the per-slot minimum over hashes[0..n).
using ClassicKernel = void (*)(const ClassicTables& t, const uint64_t* hashes, size_t n,
                               uint32_t* mins);
ClassicKernel GetClassicKernel(Isa isa);

// One-permutation hashing: for each hash, bin = slot of its mixed value and
// the low 32 bits compete for the bin's minimum. `mins` must hold k values,
// initialized to 0xFFFFFFFF; densification is done by the caller.
void OnePermBins(uint64_t seed_key, const uint64_t* hashes, size_t n, uint32_t k, uint32_t* mins);

// SimHash bit counts: counts[b] += number of hashes whose mixed value has bit
// b set. The reference adds bit by bit; the fast form uses bit-sliced
// counters (eight words of carry-save adders) and is exact.
void SimHashCountsReference(uint64_t seed_key, const uint64_t* hashes, size_t n,
                            uint64_t counts[64]);
void SimHashCounts(uint64_t seed_key, const uint64_t* hashes, size_t n, uint64_t counts[64]);

// The per-feature rehash of SimHash and one-permutation hashing: shingle
// hashes are already uniform, the seed only has to give a fresh permutation.
inline uint64_t FeatureHash(uint64_t seed_key, uint64_t h) { return Mix64(h ^ seed_key); }

}  // namespace dubare::sketch_internal

#endif  // DUBARE_SKETCH_KERNELS_H_
