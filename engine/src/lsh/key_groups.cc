// Copyright 2026 The Dubare Authors.

#include "lsh/key_groups.h"

#include <algorithm>
#include <cstddef>

namespace dubare::lsh_internal {
namespace {

bool KeyDocLess(const KeyDoc& x, const KeyDoc& y) {
  return x.key != y.key ? x.key < y.key : x.doc < y.doc;
}

}  // namespace

void GroupByKey(std::vector<KeyDoc>* tuples, std::vector<KeyDoc>* scratch,
                std::vector<uint32_t>* counts) {
  const size_t n = tuples->size();
  if (n < 64) {
    std::sort(tuples->begin(), tuples->end(), KeyDocLess);
    return;
  }
  // 2^bits buckets, about n/4. Band keys are hashes already, but SimHash
  // tables key by masked fingerprint bits, so the bucket is taken from the
  // top bits of a multiplicative mix of the key.
  int bits = 1;
  while (bits < 24 && (size_t{1} << (bits + 2)) < n) ++bits;
  const int shift = 64 - bits;
  const size_t buckets = size_t{1} << bits;
  auto bucket = [shift](uint64_t key) {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift);
  };
  counts->assign(buckets + 1, 0);
  uint32_t* c = counts->data();
  for (const KeyDoc& t : *tuples) ++c[bucket(t.key) + 1];
  for (size_t b = 1; b <= buckets; ++b) c[b] += c[b - 1];  // c[b]: where bucket b starts
  scratch->resize(n);
  KeyDoc* out = scratch->data();
  for (const KeyDoc& t : *tuples) out[c[bucket(t.key)]++] = t;  // stable
  // Now c[b] is where bucket b ends.
  size_t begin = 0;
  for (size_t b = 0; b < buckets; ++b) {
    const size_t end = c[b];
    if (end - begin > 16) {
      std::sort(out + begin, out + end, KeyDocLess);
    } else {
      for (size_t i = begin + 1; i < end; ++i) {
        const KeyDoc t = out[i];
        size_t j = i;
        for (; j > begin && KeyDocLess(t, out[j - 1]); --j) out[j] = out[j - 1];
        out[j] = t;
      }
    }
    begin = end;
  }
  tuples->swap(*scratch);
}

}  // namespace dubare::lsh_internal
