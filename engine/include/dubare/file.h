// Copyright 2026 The Dubare Authors.
//
// file.h: whole-file reads and atomic writes with errors that name the path.
//
// OutputFile is the library's one way to write a file: it writes to
// "<path>.tmp.<pid>" through a buffer and renames it to <path> on Commit(),
// so a reader sees the old file or the whole new one, never a part;
// destroying an uncommitted OutputFile removes the temporary. A symbolic
// link is written through (its target is replaced, the link stays); a
// device or a pipe (/dev/stdout, /dev/null, a FIFO) is written in place,
// never replaced by a regular file. Every error (full disk included) names
// <path>.
//
// OutputDir does the same for a directory of outputs: they are written into
// a fresh sibling directory and swapped into place at once on Commit().
//
// Thread safety: free functions without shared state; an OutputFile is
// thread-compatible (one thread at a time), except that WriteAt may be
// called from several threads at once.

#ifndef DUBARE_FILE_H_
#define DUBARE_FILE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dubare {

// Reads all of `path` ("-" is standard input). Errors: kNotFound,
// kPermissionDenied, kFailedPrecondition for a directory, kInternal for a
// read error; every message starts with the path.
// kInvalidArgument naming the path when it holds more than max_bytes (read
// no further than that: an endless input such as /dev/zero ends there).
absl::StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes = SIZE_MAX);

class OutputFile {
 public:
  // `sync`: Commit() also waits for the data to reach the disk (fsync).
  static absl::StatusOr<std::unique_ptr<OutputFile>> Create(std::string path, bool sync = false);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  absl::Status Append(absl::string_view data);
  // Writes `data` at `offset` of the file, past the buffer: for writers that
  // know where every byte goes. Distinct ranges may be written from several
  // threads at once; not to be mixed with Append. A pipe or device target
  // fails (it has no offsets).
  absl::Status WriteAt(uint64_t offset, absl::string_view data);
  // Flushes, closes and renames into place.
  absl::Status Commit();
  const std::string& path() const { return path_; }

 private:
  OutputFile(std::string path, std::string tmp, int fd, bool sync);
  absl::Status Flush();

  std::string path_;
  std::string tmp_;
  int fd_ = -1;
  std::unique_ptr<char[]> buffer_;  // kBufferSize bytes
  size_t used_ = 0;
  bool sync_ = false;
};

// A directory of outputs published all at once. Files are written into
// "<dir>.partial.<pid>" (path()); Commit() swaps it with <dir> in one
// renameat2(RENAME_EXCHANGE) and removes the previous contents, so <dir>
// holds the old run or the whole new one, never a mix. Destroying an
// uncommitted OutputDir removes the partial directory; one left by a killed
// process is removed by the next Create() for <dir>.
//
// Create refuses (kFailedPrecondition) a <dir> that exists, is not empty
// and has no file named `marker`: it is not an earlier output of this kind,
// and replacing it would lose someone's files. The marker is written into
// every new output.
class OutputDir {
 public:
  static absl::StatusOr<std::unique_ptr<OutputDir>> Create(const std::string& dir,
                                                           const std::string& marker);
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  // Where to write until Commit().
  const std::string& path() const { return partial_; }
  // Where the outputs appear.
  const std::string& final_path() const { return dir_; }
  absl::Status Commit();

 private:
  OutputDir(std::string dir, std::string partial) : dir_(std::move(dir)), partial_(std::move(partial)) {}
  std::string dir_;
  std::string partial_;
  bool committed_ = false;
};

// Writes `data` to `path` through a temporary file in the same directory and
// a rename, so readers see the old or the new file, never half of one.
// A full disk or a failed write is reported and leaves the old file in place.
// (An OutputFile with sync, written at once.)
absl::Status WriteFileAtomically(const std::string& path, absl::string_view data);

}  // namespace dubare

#endif  // DUBARE_FILE_H_
