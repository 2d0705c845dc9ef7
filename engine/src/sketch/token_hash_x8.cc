// Copyright 2026 The Dubare Authors.

#include "sketch/token_hash_x8.h"

#include <cstring>

#include "sketch/hash_util.h"  // xxhash.h, inlined: XXH3_kSecret is the default secret

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace dubare::sketch_internal {

#if defined(__x86_64__)

namespace {

// The default secret's 64-bit words, as XXH3 reads them (little-endian).
uint64_t SecretWord(size_t offset) {
  uint64_t v;
  std::memcpy(&v, XXH3_kSecret + offset, sizeof(v));
  return v;
}

// XXH3's length class of a token (size >= 1): 0 for 1-3 bytes, 1 for 4-8,
// 2 for 9-16, 3 for 17-32, 4 for more.
int TokenClass(uint32_t size) { return (size > 3) + (size > 8) + (size > 16) + (size > 32); }

bool HashTokensX8Available() {
  // Everything the target region below is compiled for.
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
                         __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("bmi2");
  return ok;
}

}  // namespace

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512bw,avx512vl,avx512vbmi2,bmi2")
namespace {

__m512i Splat(uint64_t v) { return _mm512_set1_epi64(static_cast<long long>(v)); }

// XXH3_mul128_fold64 in each lane: the low and high halves of the 128-bit
// product, xored, from four 32 x 32 -> 64-bit products.
__m512i Mul128Fold64(__m512i a, __m512i b) {
  const __m512i low32 = Splat(0xFFFFFFFFull);
  const __m512i a_hi = _mm512_srli_epi64(a, 32), b_hi = _mm512_srli_epi64(b, 32);
  const __m512i p00 = _mm512_mul_epu32(a, b), p01 = _mm512_mul_epu32(a, b_hi);
  const __m512i p10 = _mm512_mul_epu32(a_hi, b), p11 = _mm512_mul_epu32(a_hi, b_hi);
  const __m512i mid =
      _mm512_add_epi64(_mm512_add_epi64(_mm512_srli_epi64(p00, 32), _mm512_and_si512(p01, low32)),
                       _mm512_and_si512(p10, low32));
  const __m512i hi =
      _mm512_add_epi64(_mm512_add_epi64(p11, _mm512_srli_epi64(p01, 32)),
                       _mm512_add_epi64(_mm512_srli_epi64(p10, 32), _mm512_srli_epi64(mid, 32)));
  const __m512i lo = _mm512_or_si512(_mm512_slli_epi64(mid, 32), _mm512_and_si512(p00, low32));
  return _mm512_xor_si512(lo, hi);
}

// XXH3_avalanche.
__m512i Avalanche(__m512i h) {
  h = _mm512_xor_si512(h, _mm512_srli_epi64(h, 37));
  h = _mm512_mullo_epi64(h, Splat(0x165667919E3779F9ull));
  return _mm512_xor_si512(h, _mm512_srli_epi64(h, 32));
}

__m512i Gather64(__m512i offsets, const char* data) {
  return _mm512_i64gather_epi64(offsets, data, 1);
}

// For the eight tokens i = index[0..8), all of class `cls` (1, 2 or 3):
// hash[i] = TokenHash of token i.
inline void TokenHashX8(int cls, const char* data, const uint64_t* place, const uint16_t index[8],
                        uint64_t seed, uint64_t* hash) {
  // Gathered rather than copied into a buffer: eight stores and a vector
  // load of them stall on store forwarding.
  const __m256i lanes =
      _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(index)));
  const __m512i p = _mm512_i32gather_epi64(lanes, place, 8);
  const __m512i begin = _mm512_srli_epi64(p, 32);
  const __m512i len = _mm512_and_si512(p, Splat(0xFFFFFFFFull));
  const __m512i end = _mm512_add_epi64(begin, len);
  __m512i h;
  if (cls == 1) {  // XXH3_len_4to8_64b
    const uint64_t s = seed ^ (uint64_t{__builtin_bswap32(static_cast<uint32_t>(seed))} << 32);
    const uint64_t bitflip = (SecretWord(8) ^ SecretWord(16)) - s;
    const __m512i in1 = _mm512_cvtepu32_epi64(_mm512_i64gather_epi32(begin, data, 1));
    const __m512i in2 =
        _mm512_cvtepu32_epi64(_mm512_i64gather_epi32(_mm512_sub_epi64(end, Splat(4)), data, 1));
    h = _mm512_xor_si512(_mm512_add_epi64(in2, _mm512_slli_epi64(in1, 32)), Splat(bitflip));
    // XXH3_rrmxmx(h, len)
    h = _mm512_xor_si512(h, _mm512_xor_si512(_mm512_rol_epi64(h, 49), _mm512_rol_epi64(h, 24)));
    h = _mm512_mullo_epi64(h, Splat(0x9FB21C651E98DF25ull));
    h = _mm512_xor_si512(h, _mm512_add_epi64(_mm512_srli_epi64(h, 35), len));
    h = _mm512_mullo_epi64(h, Splat(0x9FB21C651E98DF25ull));
    h = _mm512_xor_si512(h, _mm512_srli_epi64(h, 28));
  } else if (cls == 2) {  // XXH3_len_9to16_64b
    const __m512i lo =
        _mm512_xor_si512(Gather64(begin, data), Splat((SecretWord(24) ^ SecretWord(32)) + seed));
    const __m512i hi = _mm512_xor_si512(Gather64(_mm512_sub_epi64(end, Splat(8)), data),
                                        Splat((SecretWord(40) ^ SecretWord(48)) - seed));
    // XXH_swap64 of each lane: its bytes reversed.
    const __m512i reverse =
        _mm512_set_epi8(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                        14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4,
                        5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
    __m512i acc = _mm512_add_epi64(len, _mm512_shuffle_epi8(lo, reverse));
    acc = _mm512_add_epi64(acc, hi);
    acc = _mm512_add_epi64(acc, Mul128Fold64(lo, hi));
    h = Avalanche(acc);
  } else {  // cls == 3: XXH3_len_17to128_64b for 17-32 bytes, two XXH3_mix16B
    __m512i acc = _mm512_mullo_epi64(len, Splat(XXH_PRIME64_1));
    const __m512i first =
        Mul128Fold64(_mm512_xor_si512(Gather64(begin, data), Splat(SecretWord(0) + seed)),
                     _mm512_xor_si512(Gather64(_mm512_add_epi64(begin, Splat(8)), data),
                                      Splat(SecretWord(8) - seed)));
    const __m512i last =
        Mul128Fold64(_mm512_xor_si512(Gather64(_mm512_sub_epi64(end, Splat(16)), data),
                                      Splat(SecretWord(16) + seed)),
                     _mm512_xor_si512(Gather64(_mm512_sub_epi64(end, Splat(8)), data),
                                      Splat(SecretWord(24) - seed)));
    acc = _mm512_add_epi64(acc, _mm512_add_epi64(first, last));
    h = Avalanche(acc);
  }
  _mm512_i32scatter_epi64(hash, lanes, h, 8);
}

void HashTokensX8(const char* data, const uint64_t* place, size_t n, uint64_t seed,
                  uint64_t* hash) {
  constexpr int kClasses = 5;
  alignas(64) uint8_t cls[kTokenChunk + 32];
  for (size_t i = 0; i < n; ++i) {
    cls[i] = static_cast<uint8_t>(TokenClass(static_cast<uint32_t>(place[i])));
  }
  // The chunk's indices of each class, compressed 32 at a time.
  alignas(64) uint16_t index[kTokenChunk + 32];
  alignas(64) static constexpr uint16_t kIota[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                                     11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                                                     22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
  const __m512i iota = _mm512_load_si512(kIota);
  for (int c = 0; c < kClasses; ++c) {
    size_t count = 0;
    for (size_t i0 = 0; i0 < n; i0 += 32) {
      const __mmask32 valid = n - i0 >= 32 ? ~__mmask32{0} : (__mmask32{1} << (n - i0)) - 1;
      const __mmask32 of_class = _mm256_mask_cmpeq_epi8_mask(
          valid, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cls + i0)),
          _mm256_set1_epi8(static_cast<char>(c)));
      const __m512i indices = _mm512_add_epi16(iota, _mm512_set1_epi16(static_cast<short>(i0)));
      _mm512_storeu_si512(index + count, _mm512_maskz_compress_epi16(of_class, indices));
      count += static_cast<size_t>(__builtin_popcount(of_class));
    }
    size_t k = 0;
    if (c >= 1 && c <= 3) {
      for (; k + 8 <= count; k += 8) TokenHashX8(c, data, place, index + k, seed, hash);
    }
    for (; k < count; ++k) {
      const uint64_t p = place[index[k]];
      hash[index[k]] = TokenHash(data + (p >> 32), static_cast<uint32_t>(p), seed);
    }
  }
}

}  // namespace
#pragma GCC pop_options

#endif  // __x86_64__

void HashTokensInOrder(const char* data, const uint64_t* place, size_t n, uint64_t seed,
                       uint64_t* hash) {
  for (size_t i = 0; i < n; ++i) {
    hash[i] = TokenHash(data + (place[i] >> 32), static_cast<uint32_t>(place[i]), seed);
  }
}

void HashTokens(const char* data, const uint64_t* place, size_t n, uint64_t seed, uint64_t* hash) {
#if defined(__x86_64__)
  if (HashTokensX8Available()) return HashTokensX8(data, place, n, seed, hash);
#endif
  HashTokensInOrder(data, place, n, seed, hash);
}

}  // namespace dubare::sketch_internal
