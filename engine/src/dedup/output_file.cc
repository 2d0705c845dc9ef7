// Copyright 2026 The Dubare Authors.

#include "dedup/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace dubare::dedup_internal {
namespace {

constexpr size_t kBufferSize = size_t{1} << 20;

absl::Status ErrnoError(absl::string_view path, absl::string_view what, int err) {
  std::string msg = absl::StrCat(path, ": ", what, ": ", std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(msg);
  if (err == ENOENT) return absl::NotFoundError(msg);
  return absl::InternalError(msg);
}

absl::Status WriteAll(int fd, absl::string_view data, absl::string_view path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(path, "write failed", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

// ---- OutputFile ------------------------------------------------------------

absl::StatusOr<std::unique_ptr<OutputFile>> OutputFile::Create(std::string path) {
  std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(path, "cannot create", errno);
  return std::unique_ptr<OutputFile>(new OutputFile(std::move(path), std::move(tmp), fd));
}

OutputFile::OutputFile(std::string path, std::string tmp, int fd)
    : path_(std::move(path)), tmp_(std::move(tmp)), fd_(fd) {}

OutputFile::~OutputFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

absl::Status OutputFile::Flush() {
  absl::Status s = WriteAll(fd_, buffer_, path_);
  buffer_.clear();
  return s;
}

absl::Status OutputFile::Append(absl::string_view data) {
  if (buffer_.size() + data.size() > kBufferSize) {
    if (absl::Status s = Flush(); !s.ok()) return s;
    if (data.size() > kBufferSize) return WriteAll(fd_, data, path_);
  }
  buffer_.append(data.data(), data.size());
  return absl::OkStatus();
}

absl::Status OutputFile::Commit() {
  if (absl::Status s = Flush(); !s.ok()) return s;
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) {
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

// ---- RecordReader ----------------------------------------------------------

absl::StatusOr<std::unique_ptr<RecordReader>> RecordReader::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(path, "cannot open", errno);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat(path, ": not a regular file"));
  }
  return std::make_unique<RecordReader>(path, fd, static_cast<uint64_t>(st.st_size), true);
}

RecordReader::RecordReader(std::string name, int fd, uint64_t size, bool owns_fd)
    : name_(std::move(name)), fd_(fd), size_(size), owns_fd_(owns_fd) {}

RecordReader::~RecordReader() {
  if (owns_fd_) ::close(fd_);
}

absl::StatusOr<absl::string_view> RecordReader::Read(uint64_t offset, uint64_t size) {
  if (offset < window_offset_) {
    return absl::InternalError(absl::StrCat(name_, ": records read out of order"));
  }
  if (offset + size > size_) {
    return absl::DataLossError(absl::StrCat(name_, ": ", size, " bytes at offset ", offset,
                                            " are past the end (", size_,
                                            " bytes); did the file change?"));
  }
  if (offset + size > window_offset_ + window_.size()) {
    // Refill from `offset`: a buffer's worth, or the whole record.
    const uint64_t want = std::min<uint64_t>(std::max<uint64_t>(size, kBufferSize), size_ - offset);
    window_.resize(want);
    uint64_t got = 0;
    while (got < want) {
      ssize_t n = ::pread(fd_, window_.data() + got, want - got, offset + got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return ErrnoError(name_, "read failed", n < 0 ? errno : EIO);
      got += static_cast<uint64_t>(n);
    }
    window_offset_ = offset;
  }
  return absl::string_view(window_.data() + (offset - window_offset_), size);
}

// ---- Spool -----------------------------------------------------------------

absl::StatusOr<std::unique_ptr<Spool>> Spool::Create(const std::string& dir) {
  std::string name = absl::StrCat(dir, "/.dubare-spool.", ::getpid());
  int fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError(name, "cannot create", errno);
  ::unlink(name.c_str());  // removed by the system however the run ends
  return std::unique_ptr<Spool>(new Spool(std::move(name), fd));
}

Spool::Spool(std::string name, int fd) : name_(std::move(name)), fd_(fd) {}

Spool::~Spool() {
  reader_.reset();
  ::close(fd_);
}

absl::Status Spool::Flush() {
  absl::Status s = WriteAll(fd_, buffer_, name_);
  buffer_.clear();
  return s;
}

absl::StatusOr<uint64_t> Spool::Append(absl::string_view data) {
  const uint64_t offset = size_;
  size_ += data.size();
  if (buffer_.size() + data.size() > kBufferSize) {
    if (absl::Status s = Flush(); !s.ok()) return s;
    if (data.size() > kBufferSize) {
      if (absl::Status s = WriteAll(fd_, data, name_); !s.ok()) return s;
      return offset;
    }
  }
  buffer_.append(data.data(), data.size());
  return offset;
}

absl::Status Spool::FinishWriting() {
  absl::Status s = Flush();
  std::string().swap(buffer_);
  reader_ = std::make_unique<RecordReader>(name_, fd_, size_, false);
  return s;
}

absl::StatusOr<absl::string_view> Spool::Read(uint64_t offset, uint64_t size) {
  if (reader_ == nullptr) return absl::InternalError(absl::StrCat(name_, ": read before end of writing"));
  return reader_->Read(offset, size);
}

}  // namespace dubare::dedup_internal
