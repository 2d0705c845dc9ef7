// Copyright 2026 The Dubare Authors.

#include "dubare/file.h"
#include "dubare/status.h"
#include "base/write_all.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
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

absl::Status WriteAllAt(int fd, absl::string_view data, uint64_t offset, absl::string_view name) {
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError(name, "write failed", n < 0 ? errno : EIO);
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return absl::OkStatus();
}

absl::Status CopyRange(int in_fd, absl::string_view in_name, uint64_t in_offset, int out_fd,
                       absl::string_view out_name, uint64_t out_offset, uint64_t size) {
  loff_t in_at = static_cast<loff_t>(in_offset);
  loff_t out_at = static_cast<loff_t>(out_offset);
  const loff_t end = static_cast<loff_t>(in_offset + size);
  auto short_input = [&] {
    return absl::DataLossError(absl::StrCat(in_name, ": ", end - in_at, " bytes at offset ",
                                            in_at, " are past the end; did the file change?"));
  };
  while (in_at < end) {
    const ssize_t n = ::copy_file_range(in_fd, &in_at, out_fd, &out_at, end - in_at, 0);
    if (n > 0) continue;
    if (n == 0) return short_input();
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP && errno != EINVAL) {
      return ErrnoError(out_name, "copy failed", errno);
    }
    // No in-kernel copy between these two (another file system): through a
    // buffer.
    std::string buffer(std::min<uint64_t>(end - in_at, uint64_t{1} << 20), '\0');
    while (in_at < end) {
      const ssize_t r = ::pread(in_fd, buffer.data(),
                                std::min<uint64_t>(buffer.size(), end - in_at), in_at);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return ErrnoError(in_name, "read failed", errno);
      if (r == 0) return short_input();
      const absl::string_view data(buffer.data(), static_cast<size_t>(r));
      DUBARE_RETURN_IF_ERROR(WriteAllAt(out_fd, data, static_cast<uint64_t>(out_at), out_name));
      out_at += r;
      in_at += r;
    }
  }
  return absl::OkStatus();
}

}  // namespace base

namespace {
constexpr size_t kBufferSize = size_t{1} << 20;
}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  const bool is_stdin = path == "-";
  int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(path, "cannot open", errno);
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    if (!is_stdin) ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat(path, ": is a directory"));
  }
  std::string data;
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
    if (!is_stdin) ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", st.st_size, " bytes, over the limit of ",
                                                   max_bytes, " (--max-document-bytes)"));
  }
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
    if (data.size() > max_bytes) {
      if (!is_stdin) ::close(fd);
      return absl::InvalidArgumentError(absl::StrCat(
          path == "-" ? "<stdin>" : path, ": more than ", max_bytes,
          " bytes, over the limit (--max-document-bytes)"));
    }
  }
  if (!is_stdin) ::close(fd);
  return data;
}

// ---- OutputFile ------------------------------------------------------------

absl::StatusOr<std::unique_ptr<OutputFile>> OutputFile::Create(std::string path, bool sync) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    // A link is written through: the file it names is replaced, the link
    // stays a link.
    char* target = ::realpath(path.c_str(), nullptr);
    if (target != nullptr) {
      path = target;
      std::free(target);
    }
  }
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) return ErrnoError(path, "cannot write", EISDIR);
    // A device or a pipe (/dev/stdout, /dev/null, a FIFO): written directly,
    // never replaced by a regular file.
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError(path, "cannot open", errno);
    return std::unique_ptr<OutputFile>(new OutputFile(std::move(path), "", fd, false));
  }
  std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(path, "cannot create", errno);
  return std::unique_ptr<OutputFile>(new OutputFile(std::move(path), std::move(tmp), fd, sync));
}

OutputFile::OutputFile(std::string path, std::string tmp, int fd, bool sync)
    : path_(std::move(path)),
      tmp_(std::move(tmp)),
      fd_(fd),
      buffer_(new char[kBufferSize]),  // uninitialized: written before it is read
      sync_(sync) {}

OutputFile::~OutputFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
  }
}

absl::Status OutputFile::Flush() {
  absl::Status s = base::WriteAll(fd_, absl::string_view(buffer_.get(), used_), path_);
  used_ = 0;
  return s;
}

absl::Status OutputFile::Append(absl::string_view data) {
  if (used_ + data.size() > kBufferSize) {
    if (absl::Status s = Flush(); !s.ok()) return s;
    if (data.size() > kBufferSize) return base::WriteAll(fd_, data, path_);
  }
  std::memcpy(buffer_.get() + used_, data.data(), data.size());
  used_ += data.size();
  return absl::OkStatus();
}

absl::Status OutputFile::WriteAt(uint64_t offset, absl::string_view data) {
  return base::WriteAllAt(fd_, data, offset, path_);
}

absl::Status OutputFile::Commit() {
  if (absl::Status s = Flush(); !s.ok()) return s;
  const int fd = std::exchange(fd_, -1);
  if ((sync_ && ::fsync(fd) != 0) | (::close(fd) != 0)) {
    int err = errno;
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
    return ErrnoError(path_, "write failed", err);
  }
  if (tmp_.empty()) return absl::OkStatus();  // written in place
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp_.c_str());
    return ErrnoError(path_, "cannot rename into place", err);
  }
  return absl::OkStatus();
}

namespace {

// Removes the "<dir>.partial.<pid>" directories of processes that are gone.
void RemoveStalePartials(const std::filesystem::path& dir) {
  const std::string prefix = dir.filename().string() + ".partial.";
  std::error_code ec;
  const std::filesystem::path parent = dir.has_parent_path() ? dir.parent_path() : ".";
  for (const auto& entry : std::filesystem::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    int pid = 0;
    if (name.rfind(prefix, 0) != 0 || !absl::SimpleAtoi(name.substr(prefix.size()), &pid) ||
        pid <= 0 || pid == ::getpid()) {
      continue;
    }
    if (::kill(pid, 0) == 0 || errno == EPERM) continue;  // still running
    std::error_code ignored;
    std::filesystem::remove_all(entry.path(), ignored);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<OutputDir>> OutputDir::Create(const std::string& dir_arg,
                                                             const std::string& marker) {
  std::string dir = dir_arg;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  struct stat st;
  if (::lstat(dir.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) {  // the directory it names is replaced, not the link
      char* target = ::realpath(dir.c_str(), nullptr);
      if (target == nullptr) return ErrnoError(dir, "cannot resolve", errno);
      dir = target;
      std::free(target);
      if (::stat(dir.c_str(), &st) != 0) return ErrnoError(dir, "cannot use", errno);
    }
    if (!S_ISDIR(st.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat(dir, ": exists and is not a directory"));
    }
    std::error_code ec;
    const bool empty = std::filesystem::is_empty(dir, ec);
    if (ec) return ErrnoError(dir, "cannot read", ec.value());
    if (!empty && !std::filesystem::exists(std::filesystem::path(dir) / marker, ec)) {
      return absl::FailedPreconditionError(absl::StrCat(
          dir, ": not empty and not an earlier output of this command (it has no ", marker,
          " file); give another output directory or remove this one"));
    }
  } else if (errno != ENOENT) {
    return ErrnoError(dir, "cannot use", errno);
  }
  const std::filesystem::path path(dir);
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return ErrnoError(path.parent_path().string(), "cannot create", ec.value());
  }
  RemoveStalePartials(path);
  std::string partial = absl::StrCat(dir, ".partial.", ::getpid());
  std::error_code ignored;
  std::filesystem::remove_all(partial, ignored);
  if (::mkdir(partial.c_str(), 0755) != 0) return ErrnoError(partial, "cannot create", errno);
  std::unique_ptr<OutputDir> out(new OutputDir(dir, std::move(partial)));
  DUBARE_RETURN_IF_ERROR(
      WriteFileAtomically(out->partial_ + "/" + marker, "written by dubare; a complete output\n"));
  return out;
}

OutputDir::~OutputDir() {
  if (committed_) return;
  std::error_code ignored;
  std::filesystem::remove_all(partial_, ignored);
}

absl::Status OutputDir::Commit() {
  struct stat st;
  if (::stat(dir_.c_str(), &st) != 0) {
    if (::rename(partial_.c_str(), dir_.c_str()) != 0) {
      return ErrnoError(dir_, "cannot rename into place", errno);
    }
  } else if (::renameat2(AT_FDCWD, partial_.c_str(), AT_FDCWD, dir_.c_str(), RENAME_EXCHANGE) ==
             0) {
    // partial_ now holds the previous outputs.
  } else if (errno == EINVAL || errno == ENOSYS) {
    // No atomic exchange on this file system: a brief moment without dir_.
    const std::string old = absl::StrCat(dir_, ".old.", ::getpid());
    if (::rename(dir_.c_str(), old.c_str()) != 0) return ErrnoError(dir_, "cannot replace", errno);
    if (::rename(partial_.c_str(), dir_.c_str()) != 0) {
      const int err = errno;
      ::rename(old.c_str(), dir_.c_str());
      return ErrnoError(dir_, "cannot rename into place", err);
    }
    partial_ = old;
  } else {
    return ErrnoError(dir_, "cannot replace", errno);
  }
  committed_ = true;
  std::error_code ignored;
  std::filesystem::remove_all(partial_, ignored);
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view data) {
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> out, OutputFile::Create(path, /*sync=*/true));
  DUBARE_RETURN_IF_ERROR(out->Append(data));
  return out->Commit();
}

}  // namespace dubare
