// Copyright 2026 The Dubare Authors.
//
// input_stream.h: a byte stream from a file or standard input that decodes
// gzip and zstd on the fly. Compression is recognized by the magic bytes at
// the start of the stream (gzip 1f 8b, zstd 28 b5 2f fd), never by the name,
// so a mislabeled file still reads correctly and a pipe can carry either.
//
// Thread safety: thread-compatible.

#ifndef DUBARE_IO_INPUT_STREAM_H_
#define DUBARE_IO_INPUT_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace dubare::io {

enum class Compression { kNone, kGzip, kZstd };

class InputStream {
 public:
  virtual ~InputStream() = default;
  // Reads up to `n` decoded bytes into `buf`; 0 means the end of the stream.
  // Errors name the path: a read error (kInternal) or corrupt or truncated
  // compressed data (kDataLoss).
  virtual absl::StatusOr<size_t> Read(char* buf, size_t n) = 0;
  virtual Compression compression() const = 0;
};

// Opens `path` ("-" is standard input, which is never closed). Errors are
// those of open(2), naming the path.
absl::StatusOr<std::unique_ptr<InputStream>> OpenInputStream(const std::string& path);
// The plain bytes of file `path` from byte `offset` on, not decoded: for a
// file known to be uncompressed, read from the middle (a share of it).
absl::StatusOr<std::unique_ptr<InputStream>> OpenInputStreamAt(const std::string& path,
                                                              uint64_t offset);
// The compression of file `path`, by its magic bytes.
absl::StatusOr<Compression> SniffCompression(const std::string& path);

}  // namespace dubare::io

#endif  // DUBARE_IO_INPUT_STREAM_H_
