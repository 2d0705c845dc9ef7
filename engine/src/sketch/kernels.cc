// Copyright 2026 The Dubare Authors.

#include "sketch/kernels.h"

#include <immintrin.h>

#include <algorithm>

namespace dubare::sketch_internal {
namespace {

// The classic kernel body, compiled once per target below. Four hashes share
// each pass over the tables, so a table load and a min-store serve four
// shingles; the inner loop over slots is what the compiler vectorizes.
__attribute__((always_inline)) inline void ClassicBody(const ClassicTables& t,
                                                       const uint64_t* hashes, size_t n,
                                                       uint32_t* __restrict mins) {
  const uint32_t* __restrict alo = t.alo;
  const uint32_t* __restrict ahi = t.ahi;
  const uint32_t* __restrict blo = t.blo;
  const uint32_t* __restrict bhi = t.bhi;
  const size_t k = t.k;
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const uint32_t x0 = Fold32(hashes[j]), x1 = Fold32(hashes[j + 1]);
    const uint32_t x2 = Fold32(hashes[j + 2]), x3 = Fold32(hashes[j + 3]);
    for (size_t i = 0; i < k; ++i) {
      const uint64_t al = alo[i], bl = blo[i];
      const uint32_t ah = ahi[i], bh = bhi[i];
      uint32_t v0 = static_cast<uint32_t>((al * x0 + bl) >> 32) + ah * x0 + bh;
      uint32_t v1 = static_cast<uint32_t>((al * x1 + bl) >> 32) + ah * x1 + bh;
      uint32_t v2 = static_cast<uint32_t>((al * x2 + bl) >> 32) + ah * x2 + bh;
      uint32_t v3 = static_cast<uint32_t>((al * x3 + bl) >> 32) + ah * x3 + bh;
      v0 = std::min(v0, v1);
      v2 = std::min(v2, v3);
      mins[i] = std::min(mins[i], std::min(v0, v2));
    }
  }
  for (; j < n; ++j) {
    const uint32_t x = Fold32(hashes[j]);
    for (size_t i = 0; i < k; ++i) {
      const uint32_t v = static_cast<uint32_t>((uint64_t{alo[i]} * x + blo[i]) >> 32) +
                         ahi[i] * x + bhi[i];
      mins[i] = std::min(mins[i], v);
    }
  }
}

// The reference: the definition, one slot at a time, with 64-bit a and b.
void ClassicScalar(const ClassicTables& t, const uint64_t* hashes, size_t n, uint32_t* mins) {
  for (size_t j = 0; j < n; ++j) {
    const uint64_t x = Fold32(hashes[j]);
    for (size_t i = 0; i < t.k; ++i) {
      const uint64_t a = (uint64_t{t.ahi[i]} << 32) | t.alo[i];
      const uint64_t b = (uint64_t{t.bhi[i]} << 32) | t.blo[i];
      const uint32_t v = static_cast<uint32_t>((a * x + b) >> 32);
      if (v < mins[i]) mins[i] = v;
    }
  }
}

void ClassicBaseline(const ClassicTables& t, const uint64_t* hashes, size_t n, uint32_t* mins) {
  ClassicBody(t, hashes, n, mins);
}

// AVX2 by hand: the compiler's version of ClassicBody shuffles 64-bit
// products back into 32-bit lanes; here the even slots' high halves are
// shifted down and the odd slots' high halves blended in place, so eight
// slots cost two vpmuludq, one vpmulld and seven cheap operations.
// Eight slot values of one folded hash x (broadcast in every 32-bit lane).
__attribute__((target("avx2"), always_inline)) inline __m256i Avx2Slots(
    __m256i a, __m256i a_odd, __m256i b_even, __m256i b_odd, __m256i ah, __m256i bh, __m256i x) {
  const __m256i even = _mm256_add_epi64(_mm256_mul_epu32(a, x), b_even);
  const __m256i odd = _mm256_add_epi64(_mm256_mul_epu32(a_odd, x), b_odd);
  const __m256i hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  return _mm256_add_epi32(hi, _mm256_add_epi32(_mm256_mullo_epi32(ah, x), bh));
}

__attribute__((target("avx2"))) void ClassicAvx2(const ClassicTables& t, const uint64_t* hashes,
                                                 size_t n, uint32_t* mins) {
  const size_t k = t.k, k8 = k & ~size_t{7};
  const __m256i lo_mask = _mm256_set1_epi64x(0xFFFFFFFF);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const __m256i x0 = _mm256_set1_epi32(static_cast<int>(Fold32(hashes[j])));
    const __m256i x1 = _mm256_set1_epi32(static_cast<int>(Fold32(hashes[j + 1])));
    const __m256i x2 = _mm256_set1_epi32(static_cast<int>(Fold32(hashes[j + 2])));
    const __m256i x3 = _mm256_set1_epi32(static_cast<int>(Fold32(hashes[j + 3])));
    for (size_t i = 0; i < k8; i += 8) {
      const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.alo + i));
      const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.blo + i));
      const __m256i ah = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.ahi + i));
      const __m256i bh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.bhi + i));
      const __m256i a_odd = _mm256_srli_epi64(a, 32);
      const __m256i b_even = _mm256_and_si256(b, lo_mask);
      const __m256i b_odd = _mm256_srli_epi64(b, 32);
      const __m256i v = _mm256_min_epu32(
          _mm256_min_epu32(Avx2Slots(a, a_odd, b_even, b_odd, ah, bh, x0),
                           Avx2Slots(a, a_odd, b_even, b_odd, ah, bh, x1)),
          _mm256_min_epu32(Avx2Slots(a, a_odd, b_even, b_odd, ah, bh, x2),
                           Avx2Slots(a, a_odd, b_even, b_odd, ah, bh, x3)));
      __m256i* m = reinterpret_cast<__m256i*>(mins + i);
      _mm256_storeu_si256(m, _mm256_min_epu32(_mm256_loadu_si256(m), v));
    }
  }
  // The remaining hashes, and slots beyond a multiple of eight.
  const ClassicTables tail{t.alo + k8, t.ahi + k8, t.blo + k8, t.bhi + k8, k - k8};
  if (k8 < k) ClassicBody(tail, hashes, j, mins + k8);
  ClassicBody(t, hashes + j, n - j, mins);
}

// AVX-512 by hand, as Avx2Slots for sixteen slots: the compiler's version of
// ClassicBody widens to 64-bit lanes and multiplies with vpmullq.
__attribute__((target("avx512f"), always_inline)) inline __m512i Avx512Slots(
    __m512i a, __m512i a_odd, __m512i b_even, __m512i b_odd, __m512i ah, __m512i bh, __m512i x) {
  const __m512i even = _mm512_add_epi64(_mm512_mul_epu32(a, x), b_even);
  const __m512i odd = _mm512_add_epi64(_mm512_mul_epu32(a_odd, x), b_odd);
  const __m512i hi = _mm512_mask_mov_epi32(_mm512_srli_epi64(even, 32), 0xAAAA, odd);
  return _mm512_add_epi32(hi, _mm512_add_epi32(_mm512_mullo_epi32(ah, x), bh));
}

// Sixteen slots stay in registers while every hash of a chunk passes by, so
// the minima are loaded and stored once per chunk, not once per hash.
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl"))) void ClassicAvx512(
    const ClassicTables& t, const uint64_t* hashes, size_t n, uint32_t* mins) {
  const size_t k = t.k, k16 = k & ~size_t{15};
  constexpr size_t kChunk = 512;
  alignas(64) uint32_t folded[kChunk];
  const __m512i lo_mask = _mm512_set1_epi64(0xFFFFFFFF);
  for (size_t start = 0; start < n; start += kChunk) {
    const size_t m = std::min(kChunk, n - start);
    for (size_t j = 0; j < m; ++j) folded[j] = Fold32(hashes[start + j]);
    for (size_t i = 0; i < k16; i += 16) {
      const __m512i a = _mm512_loadu_si512(t.alo + i);
      const __m512i b = _mm512_loadu_si512(t.blo + i);
      const __m512i ah = _mm512_loadu_si512(t.ahi + i);
      const __m512i bh = _mm512_loadu_si512(t.bhi + i);
      const __m512i a_odd = _mm512_srli_epi64(a, 32);
      const __m512i b_even = _mm512_and_si512(b, lo_mask);
      const __m512i b_odd = _mm512_srli_epi64(b, 32);
      __m512i acc0 = _mm512_loadu_si512(mins + i);
      __m512i acc1 = _mm512_set1_epi32(-1);
      size_t j = 0;
      for (; j + 2 <= m; j += 2) {
        const __m512i x0 = _mm512_set1_epi32(static_cast<int>(folded[j]));
        const __m512i x1 = _mm512_set1_epi32(static_cast<int>(folded[j + 1]));
        acc0 = _mm512_min_epu32(acc0, Avx512Slots(a, a_odd, b_even, b_odd, ah, bh, x0));
        acc1 = _mm512_min_epu32(acc1, Avx512Slots(a, a_odd, b_even, b_odd, ah, bh, x1));
      }
      if (j < m) {
        const __m512i x0 = _mm512_set1_epi32(static_cast<int>(folded[j]));
        acc0 = _mm512_min_epu32(acc0, Avx512Slots(a, a_odd, b_even, b_odd, ah, bh, x0));
      }
      _mm512_storeu_si512(mins + i, _mm512_min_epu32(acc0, acc1));
    }
  }
  // Slots beyond a multiple of sixteen.
  if (k16 < k) {
    const ClassicTables tail{t.alo + k16, t.ahi + k16, t.blo + k16, t.bhi + k16, k - k16};
    ClassicBody(tail, hashes, n, mins + k16);
  }
}

}  // namespace

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kBaseline: return "baseline";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "?";
}

bool IsaSupported(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
    case Isa::kBaseline: return true;
    case Isa::kAvx2: return __builtin_cpu_supports("avx2");
    case Isa::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  }
  return false;
}

Isa BestIsa() {
  static const Isa best = IsaSupported(Isa::kAvx512) ? Isa::kAvx512
                          : IsaSupported(Isa::kAvx2) ? Isa::kAvx2
                                                     : Isa::kBaseline;
  return best;
}

ClassicKernel GetClassicKernel(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return ClassicScalar;
    case Isa::kBaseline: return ClassicBaseline;
    case Isa::kAvx2: return ClassicAvx2;
    case Isa::kAvx512: return ClassicAvx512;
  }
  return ClassicBaseline;
}

void OnePermBins(uint64_t seed_key, const uint64_t* hashes, size_t n, uint32_t k,
                 uint32_t* mins) {
  for (size_t j = 0; j < n; ++j) {
    const uint64_t y = FeatureHash(seed_key, hashes[j]);
    // Lemire's multiply-shift range reduction of the high half picks the bin.
    const uint32_t bin = static_cast<uint32_t>(((y >> 32) * k) >> 32);
    const uint32_t v = static_cast<uint32_t>(y);
    mins[bin] = std::min(mins[bin], v);
  }
}

void SimHashCountsReference(uint64_t seed_key, const uint64_t* hashes, size_t n,
                            uint64_t counts[64]) {
  for (size_t j = 0; j < n; ++j) {
    const uint64_t y = FeatureHash(seed_key, hashes[j]);
    for (int b = 0; b < 64; ++b) counts[b] += (y >> b) & 1;
  }
}

void SimHashCounts(uint64_t seed_key, const uint64_t* hashes, size_t n, uint64_t counts[64]) {
  // c[l] holds bit l of a per-position counter for up to 255 words; adding a
  // word is a ripple of carries through the eight levels.
  constexpr size_t kBlock = 255;
  for (size_t start = 0; start < n; start += kBlock) {
    const size_t end = std::min(n, start + kBlock);
    uint64_t c[8] = {};
    for (size_t j = start; j < end; ++j) {
      uint64_t carry = FeatureHash(seed_key, hashes[j]);
      for (int l = 0; l < 8; ++l) {
        const uint64_t next = c[l] & carry;
        c[l] ^= carry;
        carry = next;
      }
    }
    for (int b = 0; b < 64; ++b) {
      uint64_t v = 0;
      for (int l = 0; l < 8; ++l) v |= ((c[l] >> b) & 1) << l;
      counts[b] += v;
    }
  }
}

}  // namespace dubare::sketch_internal
