// Copyright 2026 The Dubare Authors.

#include "dubare/file.h"
#include "dubare/status.h"
#include "base/write_all.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace dubare {
absl::Status ErrnoError(absl::string_view context, absl::string_view what, int err) {
  std::string msg = what.empty() ? absl::StrCat(context, ": ", std::strerror(err))
                                 : absl::StrCat(context, ": ", what, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(msg);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

namespace base {

absl::Status WriteAll(int fd, absl::string_view data, absl::string_view name) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(name, "write failed", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace base

namespace {
constexpr size_t kBufferSize = size_t{1} << 20;
}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  const bool is_stdin = path == "-";
  int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(path, "cannot open", errno);
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    if (!is_stdin) ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat(path, ": is a directory"));
  }
  std::string data;
  if (S_ISREG(st.st_mode) && st.st_size > 0) data.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      if (!is_stdin) ::close(fd);
      return ErrnoError(path, "read failed", err);
    }
    data.append(buf, static_cast<size_t>(n));
  }
  if (!is_stdin) ::close(fd);
  return data;
}

// ---- OutputFile ------------------------------------------------------------

absl::StatusOr<std::unique_ptr<OutputFile>> OutputFile::Create(std::string path, bool sync) {
  std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(path, "cannot create", errno);
  return std::unique_ptr<OutputFile>(new OutputFile(std::move(path), std::move(tmp), fd, sync));
}

OutputFile::OutputFile(std::string path, std::string tmp, int fd, bool sync)
    : path_(std::move(path)), tmp_(std::move(tmp)), fd_(fd), sync_(sync) {}

OutputFile::~OutputFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

absl::Status OutputFile::Flush() {
  absl::Status s = base::WriteAll(fd_, buffer_, path_);
  buffer_.clear();
  return s;
}

absl::Status OutputFile::Append(absl::string_view data) {
  if (buffer_.size() + data.size() > kBufferSize) {
    if (absl::Status s = Flush(); !s.ok()) return s;
    if (data.size() > kBufferSize) return base::WriteAll(fd_, data, path_);
  }
  buffer_.append(data.data(), data.size());
  return absl::OkStatus();
}

absl::Status OutputFile::Commit() {
  if (absl::Status s = Flush(); !s.ok()) return s;
  const int fd = std::exchange(fd_, -1);
  if ((sync_ && ::fsync(fd) != 0) | (::close(fd) != 0)) {
    int err = errno;
    ::unlink(tmp_.c_str());
    return ErrnoError(path_, "write failed", err);
  }
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp_.c_str());
    return ErrnoError(path_, "cannot rename into place", err);
  }
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view data) {
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> out, OutputFile::Create(path, /*sync=*/true));
  DUBARE_RETURN_IF_ERROR(out->Append(data));
  return out->Commit();
}

}  // namespace dubare
