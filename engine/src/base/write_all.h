// Copyright 2026 The Dubare Authors.
//
// write_all.h (private): the one loop that writes a buffer to a descriptor,
// and the one that copies a byte range between descriptors.
//
// Thread safety: a pure function of its arguments (and the descriptor).

#ifndef DUBARE_BASE_WRITE_ALL_H_
#define DUBARE_BASE_WRITE_ALL_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dubare::base {

// Writes all of `data` to `fd`, retrying on EINTR and short writes; errors
// name `name` (ErrnoError).
absl::Status WriteAll(int fd, absl::string_view data, absl::string_view name);
// The same at `offset` (pwrite): threads may write distinct ranges of one
// file at once.
absl::Status WriteAllAt(int fd, absl::string_view data, uint64_t offset, absl::string_view name);

// Copies `size` bytes at `in_offset` of `in_fd` to `out_offset` of `out_fd`:
// in the kernel (copy_file_range: no copy through this process, a shared
// extent where the file system can) when it can, else through a buffer.
// Fewer than `size` bytes in the input is kDataLoss. Errors name in_name or
// out_name.
absl::Status CopyRange(int in_fd, absl::string_view in_name, uint64_t in_offset, int out_fd,
                       absl::string_view out_name, uint64_t out_offset, uint64_t size);

}  // namespace dubare::base

#endif  // DUBARE_BASE_WRITE_ALL_H_
