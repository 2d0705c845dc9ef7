// Copyright 2026 The Dubare Authors.
//
// datasketch's default hash, sha1_hash32: the first four bytes of SHA-1 as a
// little-endian uint32. On x86 CPUs with the SHA extensions it is computed
// here, one compression per 64-byte block and no per-call setup; elsewhere by
// OpenSSL. OpenSSL's SHA1_Init/Update/Final cost about 150 ns per short
// token on this project's machines, most of MinHash.update_batch; the direct
// path about a quarter of that. Both give the same values (tested against
// hashlib for every length up to 300 bytes). Stateless and thread-safe.

#ifndef DUBARE_PYTHON_SRC_SHA1_H_
#define DUBARE_PYTHON_SRC_SHA1_H_

#include <cstddef>
#include <cstdint>

namespace dubare::python {

// Whether the CPU has the SHA extensions (and SSSE3/SSE4.1 with them).
bool Sha1ExtensionsAvailable();

// sha1_hash32 of data[0, len). With `use_extensions` (only when available)
// by the SHA-extension path, else by OpenSSL.
uint32_t Sha1Hash32(const unsigned char* data, size_t len, bool use_extensions);

}  // namespace dubare::python

#endif  // DUBARE_PYTHON_SRC_SHA1_H_
