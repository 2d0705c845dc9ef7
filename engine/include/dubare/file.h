// Copyright 2026 The Dubare Authors.
//
// file.h: whole-file reads and atomic writes with errors that name the path.
//
// OutputFile is the library's one way to write a file: it writes to
// "<path>.tmp.<pid>" through a buffer and renames it to <path> on Commit(),
// so a reader sees the old file or the whole new one, never a part;
// destroying an uncommitted OutputFile removes the temporary. Every error
// (full disk included) names <path>.
//
// Thread safety: free functions without shared state; an OutputFile is
// thread-compatible (one thread at a time).

#ifndef DUBARE_FILE_H_
#define DUBARE_FILE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dubare {

// Reads all of `path` ("-" is standard input). Errors: kNotFound,
// kPermissionDenied, kFailedPrecondition for a directory, kInternal for a
// read error; every message starts with the path.
absl::StatusOr<std::string> ReadFile(const std::string& path);

class OutputFile {
 public:
  // `sync`: Commit() also waits for the data to reach the disk (fsync).
  static absl::StatusOr<std::unique_ptr<OutputFile>> Create(std::string path, bool sync = false);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  absl::Status Append(absl::string_view data);
  // Flushes, closes and renames into place.
  absl::Status Commit();
  const std::string& path() const { return path_; }

 private:
  OutputFile(std::string path, std::string tmp, int fd, bool sync);
  absl::Status Flush();

  std::string path_;
  std::string tmp_;
  int fd_ = -1;
  std::string buffer_;
  bool sync_ = false;
};

// Writes `data` to `path` through a temporary file in the same directory and
// a rename, so readers see the old or the new file, never half of one.
// A full disk or a failed write is reported and leaves the old file in place.
// (An OutputFile with sync, written at once.)
absl::Status WriteFileAtomically(const std::string& path, absl::string_view data);

}  // namespace dubare

#endif  // DUBARE_FILE_H_
