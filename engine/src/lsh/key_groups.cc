// Copyright 2026 The Dubare Authors.

#include "lsh/key_groups.h"

#include <algorithm>
#include <cstddef>

namespace dubare::lsh_internal {
namespace {

bool KeyDocLess(const KeyDoc& x, const KeyDoc& y) {
  return x.key != y.key ? x.key < y.key : x.doc < y.doc;
}

// Appends the runs of two or more equal keys of out[0, n), which is ordered
// by (key, document), to *groups.
void AppendRuns(const KeyDoc* out, size_t n, KeyGroups* groups) {
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && out[j].key == out[i].key) ++j;
    if (j - i > 1) {
      for (size_t x = i; x < j; ++x) groups->docs.push_back(out[x].doc);
      groups->ends.push_back(static_cast<uint32_t>(groups->docs.size()));
    }
    i = j;
  }
}

void SortSmall(KeyDoc* begin, KeyDoc* end) {
  if (end - begin > 16) {
    std::sort(begin, end, KeyDocLess);
    return;
  }
  for (KeyDoc* i = begin + 1; i < end; ++i) {
    const KeyDoc t = *i;
    KeyDoc* j = i;
    for (; j > begin && KeyDocLess(t, j[-1]); --j) *j = j[-1];
    *j = t;
  }
}

}  // namespace

void GroupByKey(const std::vector<KeyDoc>& tuples, std::vector<KeyDoc>* scratch,
                std::vector<uint32_t>* counts, std::vector<uint32_t>* multi, KeyGroups* groups) {
  groups->docs.clear();
  groups->ends.clear();
  const size_t n = tuples.size();
  if (n < 64) {
    scratch->assign(tuples.begin(), tuples.end());
    std::sort(scratch->begin(), scratch->end(), KeyDocLess);
    AppendRuns(scratch->data(), n, groups);
    return;
  }
  // 2^bits buckets, n to 2n: most keys of a table are unique, and only the
  // buckets that receive two or more tuples (about one in ten to one in
  // four) are looked into; the others cost one step of the prefix sum. Band
  // keys are hashes already, but SimHash tables key by masked fingerprint
  // bits, so the bucket is taken from the top bits of a multiplicative mix
  // of the key.
  int bits = 1;
  while (bits < 24 && (size_t{1} << bits) < n) ++bits;
  const int shift = 64 - bits;
  const size_t buckets = size_t{1} << bits;
  auto bucket = [shift](uint64_t key) {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift);
  };
  counts->assign(buckets + 1, 0);
  uint32_t* c = counts->data();
  for (const KeyDoc& t : tuples) ++c[bucket(t.key) + 1];
  // The prefix sum also lists the buckets of two or more, without a branch
  // (which would mispredict on every such bucket).
  multi->resize(buckets);
  uint32_t* m = multi->data();
  size_t num_multi = 0;
  for (size_t b = 1; b <= buckets; ++b) {
    m[num_multi] = static_cast<uint32_t>(b - 1);
    num_multi += c[b] >= 2;
    c[b] += c[b - 1];  // c[b]: where bucket b starts
  }
  scratch->resize(n);
  KeyDoc* out = scratch->data();
  for (const KeyDoc& t : tuples) out[c[bucket(t.key)]++] = t;  // stable
  // Now c[b] is where bucket b ends, and c[b - 1] where it starts.
  for (size_t i = 0; i < num_multi; ++i) {
    const uint32_t b = m[i];
    KeyDoc* begin = out + (b == 0 ? 0 : c[b - 1]);
    KeyDoc* end = out + c[b];
    if (end - begin == 2) {
      // The usual multi bucket: a pair.
      if (begin[0].key == begin[1].key) {
        groups->docs.push_back(std::min(begin[0].doc, begin[1].doc));
        groups->docs.push_back(std::max(begin[0].doc, begin[1].doc));
        groups->ends.push_back(static_cast<uint32_t>(groups->docs.size()));
      }
      continue;
    }
    SortSmall(begin, end);
    AppendRuns(begin, end - begin, groups);
  }
}

void SortUniquePairs(std::vector<uint64_t>* pairs, uint32_t num_docs,
                     std::vector<uint64_t>* scratch, std::vector<uint32_t>* counts) {
  const size_t n = pairs->size();
  // Few pairs among many documents: the counters would cost more than sorting.
  if (n < 256 || num_docs == 0 || num_docs / 8 > n) {
    std::sort(pairs->begin(), pairs->end());
    pairs->erase(std::unique(pairs->begin(), pairs->end()), pairs->end());
    return;
  }
  counts->assign(size_t{num_docs} + 1, 0);
  uint32_t* c = counts->data();
  for (const uint64_t p : *pairs) ++c[(p >> 32) + 1];
  for (size_t a = 1; a <= num_docs; ++a) c[a] += c[a - 1];  // c[a]: where a's pairs start
  scratch->resize(n);
  uint64_t* out = scratch->data();
  for (const uint64_t p : *pairs) out[c[p >> 32]++] = p;
  // Now c[a] is where a's pairs end. Each run holds one a: order by b, keep one of each.
  uint64_t* kept = pairs->data();
  size_t k = 0, begin = 0;
  for (size_t a = 0; a < num_docs; ++a) {
    const size_t end = c[a];
    if (end - begin > 16) {
      std::sort(out + begin, out + end);
    } else {
      for (size_t i = begin + 1; i < end; ++i) {
        const uint64_t t = out[i];
        size_t j = i;
        for (; j > begin && t < out[j - 1]; --j) out[j] = out[j - 1];
        out[j] = t;
      }
    }
    for (size_t i = begin; i < end; ++i) {
      if (k == 0 || kept[k - 1] != out[i]) kept[k++] = out[i];
    }
    begin = end;
  }
  pairs->resize(k);
}

}  // namespace dubare::lsh_internal
