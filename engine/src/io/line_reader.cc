// Copyright 2026 The Dubare Authors.

#include "io/line_reader.h"

#include <algorithm>
#include <cstring>

namespace dubare::io {
namespace {

constexpr size_t kInitialCapacity = size_t{1} << 20;
constexpr size_t kReadSize = size_t{1} << 18;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

LineReader::LineReader(InputStream* stream, size_t max_line_bytes)
    : stream_(stream), max_line_bytes_(max_line_bytes) {}

absl::StatusOr<bool> LineReader::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (capacity_ - end_ < kReadSize) {
    // Room for one read past the longest line we keep, plus its line end.
    const size_t longest = std::min(max_line_bytes_, size_t{1} << 40);
    const size_t limit = std::max(kInitialCapacity, longest + 2 + kReadSize);
    size_t new_capacity = std::min(limit, std::max(kInitialCapacity, capacity_ * 2));
    if (new_capacity > capacity_) {
      std::unique_ptr<char[]> bigger(new char[new_capacity + kLinePadding]);
      if (end_ > 0) std::memcpy(bigger.get(), buf_.get(), end_);
      buf_ = std::move(bigger);
      capacity_ = new_capacity;
    }
  }
  absl::StatusOr<size_t> n = stream_->Read(buf_.get() + end_, capacity_ - end_);
  if (!n.ok()) return n.status();
  if (*n == 0) {
    eof_ = true;
    return false;
  }
  end_ += *n;
  bytes_read_ += *n;
  std::memset(buf_.get() + end_, ' ', kLinePadding);
  if (!started_) {
    started_ = true;
    if (end_ >= 3 && std::memcmp(buf_.get(), "\xEF\xBB\xBF", 3) == 0) {
      begin_ = 3;
      consumed_ = 3;
    }
  }
  return true;
}

absl::StatusOr<int> LineReader::PeekFirstNonBlank() {
  size_t scanned = begin_;
  for (;;) {
    for (size_t i = scanned; i < end_; ++i) {
      if (!IsBlank(buf_[i])) return static_cast<unsigned char>(buf_[i]);
    }
    scanned = end_ - begin_;  // Fill() may move the data to the front
    if (end_ - begin_ > max_line_bytes_) return -1;
    absl::StatusOr<bool> more = Fill();
    if (!more.ok()) return more.status();
    if (!*more) return -1;
    scanned += begin_;
  }
}

absl::StatusOr<uint64_t> LineReader::SkipRestOfLine(uint64_t already) {
  uint64_t length = already;
  uint64_t reported = bytes_read_;
  for (;;) {
    if (on_skipping_ && bytes_read_ - reported >= (uint64_t{64} << 20)) {
      reported = bytes_read_;
      on_skipping_(bytes_read_);
    }
    const char* nl = static_cast<const char*>(std::memchr(buf_.get() + begin_, '\n', end_ - begin_));
    if (nl != nullptr) {
      size_t n = static_cast<size_t>(nl - (buf_.get() + begin_));
      length += n;
      consumed_ += n + 1;
      begin_ += n + 1;
      return length;
    }
    length += end_ - begin_;
    consumed_ += end_ - begin_;
    begin_ = end_ = 0;
    absl::StatusOr<bool> more = Fill();
    if (!more.ok()) return more.status();
    if (!*more) return length;
  }
}

absl::StatusOr<bool> LineReader::Next(Line* line) {
  size_t searched = 0;  // bytes after begin_ known to hold no '\n'
  current_number_ = line_number_ + 1;
  current_offset_ = consumed_;
  for (;;) {
    const char* start = buf_ ? buf_.get() + begin_ : nullptr;
    const size_t avail = end_ - begin_;
    const char* nl =
        avail > searched ? static_cast<const char*>(std::memchr(start + searched, '\n', avail - searched))
                         : nullptr;
    if (nl != nullptr || (eof_ && avail > 0) || avail > max_line_bytes_) {
      size_t len = nl != nullptr ? static_cast<size_t>(nl - start) : avail;
      line->number = ++line_number_;
      line->offset = consumed_;
      if (len > max_line_bytes_) {
        line->too_long = true;
        line->text = {};
        if (nl != nullptr) {
          begin_ += len + 1;
          consumed_ += len + 1;
          line->length = len;
          return true;
        }
        consumed_ += avail;
        begin_ = end_ = 0;
        absl::StatusOr<uint64_t> total = SkipRestOfLine(avail);
        if (!total.ok()) return total.status();
        line->length = *total;
        return true;
      }
      const size_t advance = nl != nullptr ? len + 1 : len;
      begin_ += advance;
      consumed_ += advance;
      if (len > 0 && start[len - 1] == '\r') --len;
      line->too_long = false;
      line->text = absl::string_view(start, len);
      line->length = len;
      return true;
    }
    if (eof_) return false;
    searched = avail;
    const size_t old_begin = begin_;
    absl::StatusOr<bool> more = Fill();
    if (!more.ok()) return more.status();
    // A BOM skipped by the first Fill() moves begin_ forward.
    if (begin_ != 0 || old_begin != 0) searched = 0;
  }
}

}  // namespace dubare::io
