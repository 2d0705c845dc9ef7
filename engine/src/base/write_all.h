// Copyright 2026 The Dubare Authors.
//
// write_all.h (private): the one loop that writes a buffer to a descriptor.
//
// Thread safety: a pure function of its arguments (and the descriptor).

#ifndef DUBARE_BASE_WRITE_ALL_H_
#define DUBARE_BASE_WRITE_ALL_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dubare::base {

// Writes all of `data` to `fd`, retrying on EINTR and short writes; errors
// name `name` (ErrnoError).
absl::Status WriteAll(int fd, absl::string_view data, absl::string_view name);

}  // namespace dubare::base

#endif  // DUBARE_BASE_WRITE_ALL_H_
