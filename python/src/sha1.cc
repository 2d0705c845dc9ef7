// Copyright 2026 The Dubare Authors.

#include "sha1.h"

// SHA1_Init/Update/Final are deprecated in OpenSSL 3 but are its fast path.
#define OPENSSL_SUPPRESS_DEPRECATED

#include <cpuid.h>
#include <immintrin.h>
#include <openssl/sha.h>

#include <cstring>
#include <utility>

namespace dubare::python {
namespace {

// One group of four rounds: the schedule's words for group G (computed from
// the four before it once G >= 4), E folded in, then SHA1RNDS4 with the
// round function of rounds 4G..4G+3.
template <int G>
__attribute__((target("sha,sse4.1,ssse3"), always_inline)) inline void Group(
    __m128i* abcd, __m128i* prev, __m128i* e, __m128i m[4]) {
  if constexpr (G >= 4) {
    m[G % 4] = _mm_sha1msg2_epu32(
        _mm_xor_si128(_mm_sha1msg1_epu32(m[G % 4], m[(G + 1) % 4]), m[(G + 2) % 4]),
        m[(G + 3) % 4]);
  }
  const __m128i e_plus = G == 0 ? _mm_add_epi32(*e, m[0]) : _mm_sha1nexte_epu32(*prev, m[G % 4]);
  *prev = *abcd;
  *abcd = _mm_sha1rnds4_epu32(*abcd, e_plus, G / 5);
}

template <size_t... G>
__attribute__((target("sha,sse4.1,ssse3"), always_inline)) inline void Rounds(
    __m128i* abcd, __m128i* prev, __m128i* e, __m128i m[4], std::index_sequence<G...>) {
  (Group<static_cast<int>(G)>(abcd, prev, e, m), ...);
}

// The SHA-1 compression of `blocks` 64-byte blocks into state[5].
__attribute__((target("sha,sse4.1,ssse3"))) void Blocks(uint32_t state[5],
                                                        const unsigned char* data,
                                                        size_t blocks) {
  // Big-endian words, the first in the highest lane.
  const __m128i reverse = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
  __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)), 0x1B);
  __m128i e = _mm_set_epi32(static_cast<int>(state[4]), 0, 0, 0);
  for (; blocks > 0; --blocks, data += 64) {
    const __m128i abcd_save = abcd, e_save = e;
    __m128i m[4];
    for (int i = 0; i < 4; ++i) {
      m[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i)),
                              reverse);
    }
    __m128i prev = abcd;
    Rounds(&abcd, &prev, &e, m, std::make_index_sequence<20>());
    e = _mm_sha1nexte_epu32(prev, e_save);  // E after 80 rounds: A of four rounds before, rotated
    abcd = _mm_add_epi32(abcd, abcd_save);
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_shuffle_epi32(abcd, 0x1B));
  state[4] = static_cast<uint32_t>(_mm_extract_epi32(e, 3));
}

uint32_t WithExtensions(const unsigned char* data, size_t len) {
  uint32_t state[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
  const size_t full = len / 64, rest = len % 64;
  Blocks(state, data, full);
  // The padding: 0x80, zeros, the length in bits as a big-endian uint64.
  unsigned char tail[128];
  const size_t tail_blocks = rest < 56 ? 1 : 2;
  std::memset(tail, 0, tail_blocks * 64);
  std::memcpy(tail, data + full * 64, rest);
  tail[rest] = 0x80;
  const uint64_t bits = uint64_t{len} * 8;
  for (int i = 0; i < 8; ++i) tail[tail_blocks * 64 - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  Blocks(state, tail, tail_blocks);
  return __builtin_bswap32(state[0]);  // digest bytes 0..3, read little-endian
}

uint32_t WithOpenSsl(const unsigned char* data, size_t len) {
  // The SHA1_* functions, not the one-shot SHA1() or EVP: OpenSSL 3 routes
  // those through a provider fetch per call, 5-10x slower for short items.
  SHA_CTX ctx;
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1_Init(&ctx);
  SHA1_Update(&ctx, data, len);
  SHA1_Final(digest, &ctx);
  return uint32_t{digest[0]} | uint32_t{digest[1]} << 8 | uint32_t{digest[2]} << 16 |
         uint32_t{digest[3]} << 24;
}

}  // namespace

bool Sha1ExtensionsAvailable() {
  static const bool available = [] {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
    return ((b >> 29) & 1) != 0 && __builtin_cpu_supports("sse4.1") &&
           __builtin_cpu_supports("ssse3");
  }();
  return available;
}

uint32_t Sha1Hash32(const unsigned char* data, size_t len, bool use_extensions) {
  return use_extensions && Sha1ExtensionsAvailable() ? WithExtensions(data, len)
                                                     : WithOpenSsl(data, len);
}

}  // namespace dubare::python
