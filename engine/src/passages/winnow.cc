// Copyright 2026 The Dubare Authors.

#include "passages/winnow.h"

#include <algorithm>

namespace dubare::passages_internal {

void Winnow(absl::Span<const uint64_t> hashes, int window, std::vector<uint32_t>* out) {
  out->clear();
  const size_t n = hashes.size();
  if (n == 0) return;
  const size_t w = std::min<size_t>(std::max(window, 1), n);
  // A monotone queue of positions whose hashes increase strictly from front
  // to back: the front is the rightmost minimum of the current window.
  std::vector<uint32_t> queue(n);
  size_t head = 0, tail = 0;
  for (size_t i = 0; i < n; ++i) {
    while (tail > head && hashes[queue[tail - 1]] >= hashes[i]) --tail;
    queue[tail++] = static_cast<uint32_t>(i);
    if (i + 1 < w) continue;
    while (queue[head] + w <= i) ++head;
    if (out->empty() || out->back() != queue[head]) out->push_back(queue[head]);
  }
}

std::vector<uint32_t> WinnowReference(absl::Span<const uint64_t> hashes, int window) {
  std::vector<uint32_t> out;
  const size_t n = hashes.size();
  if (n == 0) return out;
  const size_t w = std::min<size_t>(std::max(window, 1), n);
  for (size_t start = 0; start + w <= n; ++start) {
    size_t best = start;
    for (size_t i = start; i < start + w; ++i) {
      if (hashes[i] <= hashes[best]) best = i;
    }
    if (out.empty() || out.back() != best) out.push_back(static_cast<uint32_t>(best));
  }
  return out;
}

}  // namespace dubare::passages_internal
