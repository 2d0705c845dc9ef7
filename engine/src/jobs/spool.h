// Copyright 2026 The Dubare Authors.
//
// spool.h (private): an anonymous spool for records read back later, and a
// reader of records by offset.
//
// Spool keeps the raw records of a corpus on disk instead of in memory: it is
// an unlinked temporary file, written once, then read back in increasing
// offset order. RecordReader reads records back, from a spool or from an
// input file.
//
// Thread safety: thread-compatible (one thread at a time); after
// FinishWriting, fd() may be read with pread from several threads.

#ifndef DUBARE_JOBS_SPOOL_H_
#define DUBARE_JOBS_SPOOL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dubare::jobs_internal {

// Reads records of a file in increasing offset order through a window, so
// that a pass over many small records makes few system calls.
class RecordReader {
 public:
  // Opens a regular file; `name` is used in messages.
  static absl::StatusOr<std::unique_ptr<RecordReader>> Open(const std::string& path);
  // Reads through `fd` (not owned), `size` bytes long.
  RecordReader(std::string name, int fd, uint64_t size, bool owns_fd);
  ~RecordReader();
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // The `size` bytes at `offset`; offsets must not decrease from call to
  // call. The view lives until the next Read().
  absl::StatusOr<absl::string_view> Read(uint64_t offset, uint64_t size);

 private:
  std::string name_;
  int fd_;
  uint64_t size_;
  bool owns_fd_;
  std::string window_;
  uint64_t window_offset_ = 0;
};

class Spool {
 public:
  // Creates the unlinked file in `dir`.
  static absl::StatusOr<std::unique_ptr<Spool>> Create(const std::string& dir);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Appends `data`; returns its offset.
  absl::StatusOr<uint64_t> Append(absl::string_view data);
  // Ends writing; Read() may follow.
  absl::Status FinishWriting();
  uint64_t size() const { return size_; }
  // As RecordReader::Read.
  absl::StatusOr<absl::string_view> Read(uint64_t offset, uint64_t size);
  // The file, for pread from any thread once writing has ended; its name
  // for messages.
  int fd() const { return fd_; }
  const std::string& name() const { return name_; }

 private:
  Spool(std::string name, int fd);
  absl::Status Flush();

  std::string name_;  // for messages
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string buffer_;
  std::unique_ptr<RecordReader> reader_;
};

}  // namespace dubare::jobs_internal

#endif  // DUBARE_JOBS_SPOOL_H_
