// Copyright 2026 The Dubare Authors.
//
// line_reader.h: splits an InputStream into lines in constant memory.
//
// Lines are views into an internal buffer, valid until the next call, and are
// followed by at least kLinePadding readable bytes (what simdjson needs to
// parse a line in place). A line longer than the limit is not kept: it is
// skipped to its end and reported with its length only.
//
// Thread safety: thread-compatible.

#ifndef DUBARE_IO_LINE_READER_H_
#define DUBARE_IO_LINE_READER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "io/input_stream.h"

namespace dubare::io {

inline constexpr size_t kLinePadding = 64;  // >= SIMDJSON_PADDING

struct Line {
  absl::string_view text;  // without "\n" or "\r\n"; empty when too_long
  uint64_t number = 0;     // 1-based
  uint64_t offset = 0;     // byte offset of the line in the stream
  uint64_t length = 0;     // bytes without the line end (also for a too-long line)
  bool too_long = false;
};

class LineReader {
 public:
  LineReader(InputStream* stream, size_t max_line_bytes);

  // Sets *line to the next line and returns true, or returns false at the
  // end of the stream. A final line without "\n" is still a line; an empty
  // stream has none. A UTF-8 byte order mark at the start is skipped.
  absl::StatusOr<bool> Next(Line* line);

  // The first byte that is not ASCII white space, reading ahead as needed
  // (up to the line limit); -1 if there is none. Does not consume anything.
  absl::StatusOr<int> PeekFirstNonBlank();

  // Makes the stream's first byte byte `offset` of line `first_line` (a
  // stream opened at a line start in the middle of a file). Call before Next().
  void StartAt(uint64_t offset, uint64_t first_line) {
    started_ = true;  // no byte order mark in the middle
    consumed_ = offset;
    line_number_ = first_line - 1;
  }
  uint64_t bytes_read() const { return bytes_read_; }
  // Called about every 64 MiB skipped in an over-long line, with
  // bytes_read().
  void set_on_skipping(std::function<void(uint64_t)> fn) { on_skipping_ = std::move(fn); }
  uint64_t line_number() const { return line_number_; }
  // Where the line that the last Next() returned, or failed in the middle of,
  // starts: what an error from Next() is reported at.
  uint64_t current_line_number() const { return current_number_; }
  uint64_t current_line_offset() const { return current_offset_; }

 private:
  // Reads more data after end_, compacting and growing the buffer first.
  // Returns false at the end of the stream.
  absl::StatusOr<bool> Fill();
  // Skips to the end of an over-long line; returns its total length.
  absl::StatusOr<uint64_t> SkipRestOfLine(uint64_t already);

  InputStream* stream_;
  size_t max_line_bytes_;
  std::function<void(uint64_t)> on_skipping_;
  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;  // usable bytes; kLinePadding more are allocated
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  bool started_ = false;
  uint64_t bytes_read_ = 0;
  uint64_t consumed_ = 0;  // stream offset of buf_[begin_]
  uint64_t line_number_ = 0;
  uint64_t current_number_ = 0, current_offset_ = 0;
};

}  // namespace dubare::io

#endif  // DUBARE_IO_LINE_READER_H_
