// Copyright 2026 The Dubare Authors.
//
// Grouping the (band key, document) tuples of one LSH table: the step every
// candidate search repeats once per band; and sorting the candidate pairs
// the tables emit. Only equal keys need to meet, so
// the tuples are grouped, not sorted: a counting pass on a mixed hash of the
// key spreads them over n to 2n buckets, and only the buckets that received
// two or more tuples are looked into. That is linear in the tuples where
// std::sort is n log n, and it was 10% of `dubare dedup`'s CPU.
// Internal to the library; not thread-safe on shared buffers (each worker
// passes its own).

#ifndef DUBARE_ENGINE_SRC_LSH_KEY_GROUPS_H_
#define DUBARE_ENGINE_SRC_LSH_KEY_GROUPS_H_

#include <cstdint>
#include <vector>

namespace dubare::lsh_internal {

struct KeyDoc {
  uint64_t key;
  uint32_t doc;
};

// The groups of `tuples` that share a key, for every key held by two or
// more tuples: group g's documents are docs[ends[g - 1] .. ends[g]) (from 0
// for g = 0), ascending; groups come in no particular order. Keys held once
// give nothing. `tuples` is left as it was; `scratch`, `counts` and `multi`
// are buffers the caller may keep between calls (their contents are not
// used).
struct KeyGroups {
  std::vector<uint32_t> docs;
  std::vector<uint32_t> ends;
};
void GroupByKey(const std::vector<KeyDoc>& tuples, std::vector<KeyDoc>* scratch,
                std::vector<uint32_t>* counts, std::vector<uint32_t>* multi, KeyGroups* groups);

// Sorts `pairs` (a << 32 | b, a < num_docs) ascending and drops repeats.
// A near-duplicate pair is emitted by most of its bands, so the candidate
// buffers are mostly repeats: a counting pass on a (each document's pairs
// together) and a small sort of each document's b is linear where std::sort
// of the whole buffer is n log n (std::sort when there are fewer than
// num_docs / 8 pairs). `scratch` and `counts` as above.
void SortUniquePairs(std::vector<uint64_t>* pairs, uint32_t num_docs,
                     std::vector<uint64_t>* scratch, std::vector<uint32_t>* counts);

}  // namespace dubare::lsh_internal

#endif  // DUBARE_ENGINE_SRC_LSH_KEY_GROUPS_H_
