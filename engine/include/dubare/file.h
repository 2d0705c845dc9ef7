// Copyright 2026 The Dubare Authors.
//
// file.h: whole-file reads and atomic writes with errors that name the path.
//
// Thread safety: free functions without shared state.

#ifndef DUBARE_FILE_H_
#define DUBARE_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dubare {

// Reads all of `path` ("-" is standard input). Errors: kNotFound,
// kPermissionDenied, kFailedPrecondition for a directory, kInternal for a
// read error; every message starts with the path.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Writes `data` to `path` through a temporary file in the same directory and
// a rename, so readers see the old or the new file, never half of one.
// A full disk or a failed write is reported and leaves the old file in place.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view data);

}  // namespace dubare

#endif  // DUBARE_FILE_H_
