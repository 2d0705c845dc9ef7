// Copyright 2026 The Dubare Authors.

#include "jobs/spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/write_all.h"
#include "dubare/status.h"

namespace dubare::jobs_internal {
namespace {

constexpr size_t kBufferSize = size_t{1} << 20;

}  // namespace

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
  // Processes of one distributed run on different hosts may share a pid and
  // the directory: O_EXCL and a random part keep their spools apart.
  std::string name = absl::StrCat(dir, "/.dubare-spool.", ::getpid(), ".", std::random_device()());
  int fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
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
  absl::Status s = base::WriteAll(fd_, buffer_, name_);
  buffer_.clear();
  return s;
}

absl::StatusOr<uint64_t> Spool::Append(absl::string_view data) {
  const uint64_t offset = size_;
  size_ += data.size();
  if (buffer_.size() + data.size() > kBufferSize) {
    if (absl::Status s = Flush(); !s.ok()) return s;
    if (data.size() > kBufferSize) {
      if (absl::Status s = base::WriteAll(fd_, data, name_); !s.ok()) return s;
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

}  // namespace dubare::jobs_internal
