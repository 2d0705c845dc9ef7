// Copyright 2026 The Dubare Authors.
//
// utf8.h: the UTF-8 decoding step shared by the reader's validator and the
// JSON writer's repair of invalid input.

#ifndef DUBARE_IO_UTF8_H_
#define DUBARE_IO_UTF8_H_

#include <cstddef>

namespace dubare::io {

// Length of the valid UTF-8 sequence starting at p[0] (p[0] >= 0x80), or 0
// when it is invalid (overlong, surrogate, above U+10FFFF, truncated, or a
// stray continuation byte). `n` is the number of bytes available.
inline size_t ValidSequenceLength(const unsigned char* p, size_t n) {
  const unsigned char c = p[0];
  if (c < 0xC2) return 0;  // continuation byte or overlong 2-byte lead
  if (c < 0xE0) return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c < 0xF0) {
    if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && p[1] >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c > 0xF4 || n < 4) return 0;
  if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
  if (c == 0xF0 && p[1] < 0x90) return 0;  // overlong
  if (c == 0xF4 && p[1] >= 0x90) return 0;  // above U+10FFFF
  return 4;
}

}  // namespace dubare::io

#endif  // DUBARE_IO_UTF8_H_
