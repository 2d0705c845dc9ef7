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
// first key of every chunk (fences); its blocked Bloom filter is stored in
// pieces of the same size in the same rowid range. Both are held in memory, so a
// lookup probes each run's filter and reads one chunk only where the filter
// says the key may be.
//
// Runs are immutable and identified by AUTOINCREMENT ids, so a reader that
// cached a run can keep it until the run disappears. Runs are merged by size
// tiers (level = floor(log_F(entries)), F = kMergeFanout): F complete runs of
// one level become one run of the next. Each entry is rewritten about
// log_F(n / batch) times, always by a sequential write, and there are at most
// F - 1 idle runs per level.
//
// A merge never runs inside the transaction that appends a batch. It is a
// streaming k-way merge written in steps, each its own short transaction of
// at most `step_chunks` chunks, into a run whose `runs` row is flagged as
// being written (state 1): readers list complete runs only, so they never see
// a half-written run. The filter is written as the merge goes (it is filled
// in key order). The last step writes the run's fences and the rest of its
// filter, flags it complete and its inputs obsolete (state 2), in one
// transaction; later steps delete obsolete runs, step_chunks rows at a time.
// A merge that dies with its process leaves a flagged row and its chunks;
// the next writer flags them obsolete, and so deletes them (the rows of run
// r are the rowid range [r << 24, (r + 1) << 24)).
// Two writers on one file may merge the same inputs; the first to finish
// wins and the other notices at its next step (an input vanished) and drops
// its output.
//
// A merge of runs held in memory reads its inputs from there, and keeps its
// output there when it fits (resident_bytes).
//
// Removed documents are listed in the `removed` table; merges drop their
// entries, and a merge of every complete run (Compact) also clears the
// removed documents it has purged.
//
// Ownership: a RunStore borrows the Db it is given and owns its cached
// filters and fences and the state of its merges in progress. Thread safety:
// thread-compatible; LookupSorted searches the runs held in memory on
// threads of its own, which it joins before it returns.

#ifndef DUBARE_SRC_INDEX_RUNS_H_
#define DUBARE_SRC_INDEX_RUNS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
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
  // The block a key maps to; non-decreasing in the key, so a filter filled
  // in key order is final below the block of the last key added.
  size_t BlockIndex(uint64_t key) const;

  // The raw bytes (kBlockBytes per block), for storing a filter in pieces.
  static constexpr size_t kBlockBytes = 64;
  size_t bytes() const { return words_.size() * sizeof(uint64_t); }
  absl::string_view Bytes(size_t offset, size_t n) const;
  // A filter of `bytes` zero bytes to read stored pieces into; kDataLoss
  // unless a positive multiple of kBlockBytes.
  static absl::StatusOr<BloomFilter> OfBytes(uint64_t bytes);
  char* mutable_bytes() { return reinterpret_cast<char*>(words_.data()); }

 private:
  static constexpr int kProbes = 7;
  std::vector<uint64_t> words_;  // 8 words per block
};

// Memory of one entry of a run held in memory (its key and its document).
inline constexpr uint64_t kHeldEntryBytes = sizeof(uint64_t) + sizeof(uint32_t);

// Entries per chunk: 4 + 12 * 320 bytes fit a 4 KiB table-leaf page (a
// schema-1 file's page size; new files have 16 KiB pages, four chunks each).
inline constexpr uint32_t kChunkEntries = 320;
// The rows of run r are r << 24 | n: data chunks from n = 0, then the
// pieces of its Bloom filter (kBloomPieceBytes each) from n = kBloomFirstRow.
inline constexpr int kChunkShift = 24;
inline constexpr uint32_t kBloomFirstRow = 1u << 23;
inline constexpr size_t kBloomPieceBytes = 63 * BloomFilter::kBlockBytes;  // fits a page
inline constexpr size_t kMergeFanout = 8;
// Chunks written by one merge transaction unless told otherwise (~4 MB).
inline constexpr uint32_t kDefaultStepChunks = 1024;

// std::lower_bound over sorted keys[begin, end), starting from where the
// key would be if the keys were spread evenly between lo and hi (band keys
// are hashes; a run's fences bound a chunk's keys without reading them):
// about one cache line instead of one per halving. Any lo and hi give the
// right answer; good ones give it fast.
size_t InterpolatedLowerBound(const uint64_t* keys, size_t begin, size_t end, uint64_t key,
                              uint64_t lo, uint64_t hi);

// floor(log_F(entries)), F = kMergeFanout.
int RunLevel(uint64_t entries);

// Sorts entries by (key, doc). `scratch` is working memory (its contents are
// replaced), kept by a caller that sorts often so that sorts do not allocate.
void SortByKey(std::vector<Entry>* entries, std::vector<Entry>* scratch);

// Encodes into *out (replacing its contents).
void EncodeChunk(absl::Span<const Entry> entries, std::string* out);
// Appends the chunk's entries to *out; kDataLoss on a malformed chunk.
absl::Status DecodeChunk(absl::string_view bytes, std::vector<Entry>* out);

class RunStore {
 public:
  // Creates the tables (inside the caller's transaction).
  static absl::Status CreateSchema(Db* db);
  // Schema 1 -> 2: the state column of runs and the removed table (inside the
  // caller's transaction; the caller fills `removed`).
  static absl::Status UpgradeSchemaFrom1(Db* db);

  // Up to `resident_bytes` of the smallest runs' entries are held in
  // memory, so that lookups in them read no chunk; up to `threads` threads
  // search them.
  explicit RunStore(Db* db, uint32_t step_chunks = kDefaultStepChunks,
                    uint64_t resident_bytes = 0, int threads = 1)
      : db_(db),
        step_chunks_(std::max<uint32_t>(1, step_chunks)),
        resident_bytes_(resident_bytes),
        threads_(std::max(1, threads)) {}

  // Brings the cached list of complete runs up to date with the database
  // (call inside a transaction). Cheap when nothing changed.
  absl::Status Sync();
  // Forgets the cache, e.g. after a rolled-back transaction.
  void Invalidate() { runs_.clear(); }

  // Appends to (*docs)[i] the documents of every entry with key keys[i].
  absl::Status Lookup(absl::Span<const uint64_t> keys, std::vector<std::vector<uint32_t>>* docs);
  // The same for keys sorted by key, appending to (*docs)[sorted[j].doc]
  // (docs must be large enough): a batch sorts its keys once.
  absl::Status LookupSorted(absl::Span<const Entry> sorted,
                            std::vector<std::vector<uint32_t>>* docs);

  // Writes `entries` (sorted) as one new complete run, and nothing else.
  // Call inside a write transaction.
  absl::Status Append(absl::Span<const Entry> entries);
  // Records a removed document, whose entries merges then drop. Call inside
  // a write transaction.
  absl::Status MarkRemoved(uint32_t doc);

  // Merge work; call outside any transaction: every step is a transaction of
  // its own. Runs steps until about `budget` entries were written or no
  // merge is due; returns the entries written.
  absl::StatusOr<uint64_t> Merge(uint64_t budget);
  struct CompactStats {
    uint64_t runs_before = 0, runs_after = 0;
    uint64_t entries_before = 0, entries_after = 0;
  };
  // Merges every complete run into one, dropping the entries of removed
  // documents, and clears `removed` of them. Outside any transaction.
  absl::StatusOr<CompactStats> Compact();

  size_t num_runs() const { return runs_.size(); }  // complete runs
  size_t merges_in_progress() const { return merges_.size(); }
  uint64_t num_entries() const;
  size_t memory_bytes() const;    // filters and fences
  size_t resident_runs() const;   // runs chosen to be held in memory
  size_t resident_bytes() const;  // their entries read so far
  // Every entry of every complete run, checked to be sorted and to match
  // the runs' fences and filters, and that every chunk belongs to a run (for
  // integrity checks; call inside a transaction).
  absl::StatusOr<std::vector<Entry>> ReadAll();

 private:
  struct Run {
    uint64_t entries = 0;
    uint32_t chunks = 0;
    std::vector<uint64_t> fences;  // first key of each chunk
    BloomFilter bloom;
    // Chosen by ChooseResident to be held in memory. Its entries are read
    // whole into keys/docs (sorted) once lookups have read a quarter of its
    // chunks one by one -- a random chunk read costs about four times a
    // chunk of a sequential one -- so that a run nobody looks into is
    // never loaded (ski rental: at most twice the cheaper of the two).
    bool resident = false;
    uint64_t chunk_reads = 0;
    std::vector<uint64_t> keys;
    std::vector<uint32_t> docs;
    // Appends entries (the run's next ones, in order) to keys/docs.
    void Hold(absl::Span<const Entry> entries) {
      for (const Entry& e : entries) {
        keys.push_back(e.key);
        docs.push_back(e.doc);
      }
    }
  };
  // A merge in progress: cursors over its inputs and the output so far.
  struct MergeState {
    int64_t output = 0;  // the flagged runs row
    std::vector<int64_t> inputs;
    bool all_runs = false;  // the inputs were every complete run
    // Removed documents when the merge started: a bitmap, and the list that
    // a merge of all runs clears from `removed`.
    std::vector<uint64_t> removed_bits;
    std::vector<uint32_t> removed_docs;
    struct Cursor {
      int64_t run = 0;
      uint32_t next_chunk = 0, chunks = 0;
      std::vector<Entry> entries;  // the current chunk, decoded
      size_t pos = 0;
    };
    std::vector<Cursor> cursors;
    uint64_t input_entries = 0;
    Run out;
    bool keep_output = false;  // out.keys/docs are filled as chunks are written
    std::string fences;
    std::vector<Entry> pending;  // output entries not yet in a chunk
    size_t bloom_pieces = 0;     // filter pieces written
  };

  absl::Status Prepare();
  absl::Status LoadRun(int64_t id);
  uint64_t SumOverRuns(absl::FunctionRef<uint64_t(const Run&)> f) const;
  // Marks the smallest runs that fit in resident_bytes_ resident and frees
  // the entries of the others. Recent documents live in the small runs,
  // and near-duplicates in news are mostly of recent articles.
  void ChooseResident();
  // Calls add() with the keys and the documents (n of each, as stored) of
  // every chunk of the run in order; kDataLoss unless its chunks are all
  // there, well-formed and sorted.
  absl::Status ForEachChunk(
      int64_t id, const Run& run,
      absl::FunctionRef<void(const char* keys, const char* docs, size_t n)> add);
  absl::Status ReadRun(int64_t id, const Run& run, std::vector<Entry>* out);
  absl::Status ReadChunk(int64_t run, uint32_t chunk, std::vector<Entry>* out);
  absl::Status WriteChunk(int64_t run, uint32_t chunk, absl::Span<const Entry> entries);
  // Flags a run obsolete (invisible; DeleteObsolete deletes its rows).
  absl::Status MarkObsolete(int64_t id);
  // Reads a resident run's entries into its keys/docs.
  absl::Status LoadResident(int64_t id, Run* run);
  // Appends the documents of `key` in a loaded resident run.
  static void LookupInMemory(const Run& run, uint64_t key, std::vector<uint32_t>* docs);
  // The first chunk that may hold `key` (0 when it precedes the run).
  static size_t FirstChunkWith(const Run& run, uint64_t key);
  // The chunk a lookup read last (run -1: none).
  struct LastChunk {
    int64_t run = -1;
    size_t chunk = 0;
    std::string bytes;
  };
  absl::Status LookupInRun(int64_t id, Run& run, uint64_t key, LastChunk* last,
                           std::vector<uint32_t>* docs);

  // One merge transaction: deletes up to step_chunks_ rows of obsolete runs,
  // drops merges whose output or inputs vanished, starts the merges that are
  // due, and advances the smallest one by up to `max_chunks` chunks,
  // finishing it when its inputs are exhausted. Returns the work done
  // (entries written, kChunkEntries / 4 per row deleted); 0 when there was
  // none.
  absl::StatusOr<uint64_t> MergeStep(uint32_t max_chunks);
  absl::StatusOr<uint64_t> DeleteObsolete(uint32_t max_rows);
  // Writes the pieces of `bloom` from *piece on that lie wholly below byte
  // `end` (all the rest when end == bloom.bytes()), advancing *piece.
  absl::Status WriteBloomPieces(int64_t run, const BloomFilter& bloom, size_t end, size_t* piece);
  absl::Status StartMerge(std::vector<int64_t> inputs);
  absl::Status StartDueMerges();
  absl::StatusOr<bool> StillValid(const MergeState& merge);
  absl::StatusOr<uint64_t> Advance(MergeState* merge, uint32_t max_chunks, bool* done);
  // Reads a cursor's next chunk, from memory if its run is loaded.
  absl::Status NextChunk(MergeState::Cursor* cursor);
  absl::Status Finish(MergeState* merge);
  // Drops every merge in progress; the next step deletes their outputs.
  void AbandonAll();
  // After a failed transaction: rolls back and abandons.
  void RollbackAndAbandon();

  Db* db_;
  uint32_t step_chunks_;
  uint64_t resident_bytes_;
  int threads_;
  std::map<int64_t, Run> runs_;  // complete runs, by id
  std::vector<MergeState> merges_;
  std::vector<int64_t> abandoned_;   // outputs to delete at the next step
  bool swept_orphans_ = false;       // flagged runs of dead writers deleted
  int64_t last_finished_ = 0;        // output of the last merge finished
  bool prepared_ = false;
  std::string chunk_buffer_;
  Stmt list_runs_, load_run_, read_chunk_, read_run_chunks_, insert_run_, insert_chunk_,
      delete_run_, reserve_run_, finish_run_, run_state_, insert_removed_,
      clear_removed_, obsolete_run_, delete_some_chunks_, next_obsolete_;
};

}  // namespace dubare::index_internal

#endif  // DUBARE_SRC_INDEX_RUNS_H_
