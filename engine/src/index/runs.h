// Copyright 2026 The Dubare Authors.
//
// runs.h: the band-key store of the index, a log-structured merge of sorted
// runs kept in SQLite tables.
//
// Each committed batch writes its (key, doc) entries -- one per LSH band plus
// one for the document id -- as a new sorted run instead of inserting them
// into one big B-tree: a B-tree with random 64-bit keys dirties one page per
// entry, and at a million documents such inserts ran at ~2,600 documents/s
// (docs/index.md). A run is stored as chunks of kChunkEntries entries (one
// page each, rowid = run << 24 | chunk number) plus, in the `runs` row, the
// first key of every chunk (fences) and a blocked Bloom filter. Both are held
// in memory, so a lookup probes each run's filter and reads one chunk only
// where the filter says the key may be.
//
// Runs are immutable and identified by AUTOINCREMENT ids, so a reader that
// cached a run can keep it until the run disappears. Runs are merged by size
// tiers (level = floor(log4(entries))): when the kMergeFanout newest runs
// share a level they become one run of a higher level, and a run larger than
// the one before it is merged into it. Each entry is rewritten about
// log4(n / batch) times, always by a sequential write, and there are at most
// (kMergeFanout - 1) runs per level.
//
// Ownership: a RunStore borrows the Db it is given and owns its cached
// filters and fences. Thread safety: thread-compatible.

#ifndef DUBARE_SRC_INDEX_RUNS_H_
#define DUBARE_SRC_INDEX_RUNS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "index/sqlite.h"

namespace dubare::index_internal {

struct Entry {
  uint64_t key = 0;
  uint32_t doc = 0;
  friend bool operator==(const Entry&, const Entry&) = default;
  friend auto operator<=>(const Entry&, const Entry&) = default;
};

// A blocked Bloom filter: each key sets kProbes bits in one 512-bit block,
// so a probe touches one cache line. Keys must already be uniform hashes.
class BloomFilter {
 public:
  static constexpr int kBitsPerKey = 16;  // ~0.2% false positives
  BloomFilter() = default;
  explicit BloomFilter(size_t num_keys);
  void Add(uint64_t key);
  bool MayContain(uint64_t key) const { return BlockContains(Block(key), key); }
  // The two halves of MayContain, so that a caller can prefetch the blocks
  // of many keys before testing them.
  const uint64_t* Block(uint64_t key) const;
  static bool BlockContains(const uint64_t* block, uint64_t key);
  std::string Encode() const;
  static absl::StatusOr<BloomFilter> Decode(absl::string_view bytes);
  size_t bytes() const { return words_.size() * sizeof(uint64_t); }

 private:
  static constexpr int kProbes = 7;
  std::vector<uint64_t> words_;  // 8 words per block
};

// Entries per chunk: 4 + 12 * 320 bytes fit one 4 KiB table-leaf page.
inline constexpr uint32_t kChunkEntries = 320;
inline constexpr size_t kMergeFanout = 4;

// Sorts entries by (key, doc) when they arrive in non-decreasing doc order
// (as a batch appends them): a stable LSD radix sort on the key.
void SortByKey(std::vector<Entry>* entries);

// Encodes into *out (replacing its contents).
void EncodeChunk(absl::Span<const Entry> entries, std::string* out);
// Appends the chunk's entries to *out; kDataLoss on a malformed chunk.
absl::Status DecodeChunk(absl::string_view bytes, std::vector<Entry>* out);

class RunStore {
 public:
  // Creates the tables (inside the caller's transaction).
  static absl::Status CreateSchema(Db* db);
  explicit RunStore(Db* db) : db_(db) {}

  // Brings the cached run list up to date with the database (call inside a
  // transaction). Cheap when nothing changed.
  absl::Status Sync();
  // Forgets the cache, e.g. after a rolled-back transaction.
  void Invalidate() { runs_.clear(); }

  // Appends to (*docs)[i] the documents of every entry with key keys[i].
  absl::Status Lookup(absl::Span<const uint64_t> keys, std::vector<std::vector<uint32_t>>* docs);

  // Writes `entries` (sorted) as a new run and merges runs as described
  // above. Call inside a write transaction.
  absl::Status Append(std::vector<Entry> entries);

  size_t num_runs() const { return runs_.size(); }
  uint64_t num_entries() const;
  size_t memory_bytes() const;
  // Every entry of every run, checked to be sorted (for integrity checks).
  absl::StatusOr<std::vector<Entry>> ReadAll();

 private:
  struct Run {
    uint64_t entries = 0;
    uint32_t chunks = 0;
    std::vector<uint64_t> fences;  // first key of each chunk
    BloomFilter bloom;
  };
  absl::Status LoadRun(int64_t id);
  absl::Status ReadRun(int64_t id, const Run& run, std::vector<Entry>* out);
  absl::Status WriteRun(absl::Span<const Entry> entries);
  absl::Status DeleteRun(int64_t id);
  absl::Status LookupInRun(int64_t id, const Run& run, uint64_t key, std::vector<uint32_t>* docs);
  // Merges the newest `count` runs into one.
  absl::Status MergeNewest(size_t count);
  absl::Status Prepare();

  Db* db_;
  std::map<int64_t, Run> runs_;  // by id: oldest first
  bool prepared_ = false;
  std::string chunk_buffer_;
  Stmt list_runs_, load_run_, read_chunk_, read_run_chunks_, insert_run_, insert_chunk_,
      delete_run_, delete_chunks_;
};

}  // namespace dubare::index_internal

#endif  // DUBARE_SRC_INDEX_RUNS_H_
