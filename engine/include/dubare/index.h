// Copyright 2026 The Dubare Authors.
//
// index.h: a persistent near-duplicate index in one SQLite file, for checking
// each day's crawl against everything seen before.
//
// An Index stores, per document, its id, caller metadata, text length and
// MinHash signature, and the document's LSH band keys (the band/row choice,
// band keys and estimate verification of lsh.h, so it finds the pairs that
// `dubare dedup` finds). Add() reports for each new document whether it is a
// near-duplicate of an indexed one -- or of one added earlier in the same
// call -- with the matches and their estimated Jaccard, and stores it unless
// IndexOptions::skip_duplicates. An id already present is reported as kExists
// and not stored twice.
//
// Durability: one Add() or Remove() call is one SQLite transaction (WAL
// journal), so it is applied whole or not at all; it has committed when the
// call returns OK. A crash or SIGKILL at any moment leaves the file holding
// exactly the committed calls. With synchronous=NORMAL (the default) a power
// loss may also drop the last calls before the next checkpoint; sync_full
// makes every commit wait for fsync. Readers (Query) see committed data and
// run while one writer adds, in other processes or on other Index objects.
//
// Band keys are kept as sorted runs that are merged as writes go on,
// LSM-style: never inside a batch's transaction, but in short transactions
// of their own that Add() runs, with a bounded budget, before its batch's
// transaction (so the previous batch was already returned).
// FinishMerges() completes the merges that are due; Compact() merges
// everything into one run and drops the entries of removed documents.
//
// The file is versioned with its settings: Open fails with
// kFailedPrecondition when the schema is newer than this build or when
// IndexOptions::check_settings and the settings differ, and with kDataLoss
// (naming the path) for a file that is not an index, or is corrupt or
// truncated. A file of an older schema is upgraded in place when opened for
// writing.
// The schema and the storage of band keys as merged sorted runs are
// described in docs/index.md.
//
// Memory: besides SQLite's page cache (cache_mb), an Index holds every run's
// Bloom filter (2 bytes per band-key entry), the newest runs' entries
// (resident_mb; up to twice that while a merge of them runs), and two bits
// of every MinHash value of every document (K/4 bytes per document), which
// rejects most LSH candidates without a read.
//
// Ownership: an Index owns its SQLite connection, the in-memory filters,
// resident runs and digests, and the state of its merges in progress; a
// writer also owns a thread with a second connection that copies the WAL
// into the file (background_checkpoint), joined when the Index is destroyed.
// Thread safety: thread-compatible; use one Index per thread (they may share
// the file).
// Merges run on the calling thread, inside Add/FinishMerges/Compact.

#ifndef DUBARE_INDEX_H_
#define DUBARE_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "dubare/lsh.h"
#include "dubare/sketch.h"

namespace dubare {

// Version of the tables; an index written by a newer schema is refused, one
// of an older schema is upgraded when opened for writing (docs/index.md).
inline constexpr uint32_t kIndexSchemaVersion = 5;

// What an index is made with; stored in the file, fixed at creation.
struct IndexSettings {
  SketchParams sketch;
  // Estimated Jaccard a match needs (as `dubare dedup --threshold`).
  double threshold = kDefaultJaccardThreshold;
  // Band layout; bands = rows = 0 means chosen by ChooseLshParams for the
  // threshold, as in dedup. Index::settings() shows the chosen one.
  LshParams lsh;

  absl::Status Validate() const;
  // kFailedPrecondition naming the first setting that differs from `file`'s.
  absl::Status CheckSame(const IndexSettings& file) const;
};

struct IndexOptions {
  // Create: the settings to store. Open: compared with the file's when
  // check_settings, otherwise ignored (the file's are used).
  IndexSettings settings;
  bool check_settings = false;
  bool read_only = false;    // Open only: no writes (Add/Remove fail)
  bool quick_check = false;  // Open: also run PRAGMA quick_check (reads the whole file)
  // Add: report near-duplicates but do not store them.
  bool skip_duplicates = false;
  // synchronous=FULL (fsync at every commit) instead of NORMAL.
  bool sync_full = false;
  int busy_timeout_ms = 10000;  // wait this long for another writer's lock
  int cache_mb = 256;           // SQLite page cache
  // Copy the WAL into the file on a thread and connection of its own rather
  // than inside the commits of Add (which wait for it). Writers only.
  bool background_checkpoint = true;
  // Band-key entries (12 bytes each) of the smallest runs -- the most recent
  // documents -- held in memory, so that finding near-duplicates of them
  // reads no chunk from the file. 0 = none.
  int resident_mb = 256;
  // Threads that sketch the texts of Add/Query, and that search the band
  // keys held in memory (resident_mb); 0 = all cores. options() shows the
  // number resolved.
  int threads = 0;
  // Merging of band-key runs: Add() first spends up to merge_work times its
  // batch's entries on due merges, in transactions of at most
  // merge_step_chunks chunks (320 entries each). 0 = Add never merges
  // (FinishMerges or Compact do).
  uint32_t merge_work = 16;
  uint32_t merge_step_chunks = 1024;
  // A band key shared by more documents than this (boilerplate) makes only
  // its earliest document a candidate, like dedup's max_bucket_size.
  uint32_t max_bucket_size = 512;
  InvalidUtf8Policy on_invalid = InvalidUtf8Policy::kError;

  absl::Status Validate() const;
};

// A document to index, as text.
struct IndexDocument {
  std::string id;        // non-empty, unique in the index
  std::string text;
  std::string metadata;  // stored as given (the CLI writes a JSON object)
};

// What the index stores about a document besides its sketch (Index::Get).
struct StoredDocument {
  std::string id;
  std::string metadata;  // as given to Add
  uint64_t length = 0;   // text bytes
  uint64_t batch = 0;    // the batch that added it
  int64_t added_at = 0;  // Unix seconds
};

// A document already sketched with the index's SketchParams.
struct SketchedDocument {
  std::string id;
  std::string metadata;
  uint64_t length = 0;            // text bytes
  std::vector<uint32_t> minhash;  // sketch.num_perm values
};

enum class IndexStatus : uint8_t {
  kNew = 0,        // no indexed document reaches the threshold
  kDuplicate = 1,  // near-duplicate of the matches
  kExists = 2,     // the id is already in the index
};
absl::string_view IndexStatusName(IndexStatus status);  // "new", "duplicate", "exists"

struct IndexMatch {
  std::string id;
  double score = 0;  // estimated Jaccard, >= threshold
};

struct IndexResult {
  IndexStatus status = IndexStatus::kNew;
  bool added = false;  // stored by this Add
  // Verified matches, best first (higher score, then earlier added). Query
  // of an id that exists reports the other documents only.
  std::vector<IndexMatch> matches;
};

struct AddResult {
  uint64_t batch = 0;  // the batch number of this transaction (1, 2, ...)
  uint64_t added = 0;
  // Band-key entries written by merge transactions before this batch's.
  uint64_t merged_entries = 0;
  std::vector<IndexResult> results;  // one per input document, in order
};

struct IndexStats {
  IndexSettings settings;
  uint64_t documents = 0;
  uint64_t batches = 0;
  uint64_t runs = 0;          // complete sorted runs of band keys
  uint64_t merging_runs = 0;  // runs being written by merges (not yet visible)
  uint64_t band_entries = 0;  // (key, document) entries in the complete runs
  // Removed documents whose entries may still be in runs (until merged).
  uint64_t removed_documents = 0;
  uint64_t file_bytes = 0;    // the database file, including free pages
  uint64_t free_bytes = 0;
  uint64_t wal_bytes = 0;
  uint64_t filter_memory_bytes = 0;  // Bloom filters, fences and digests held in memory
  uint64_t resident_runs = 0;        // runs held in memory (IndexOptions::resident_mb)
  int64_t created_at = 0;            // Unix seconds
  int64_t last_batch_at = 0;

  std::string ToText() const;  // "key: value" lines
};

struct CompactResult {
  uint64_t runs_before = 0, runs_after = 0;
  uint64_t entries_before = 0, entries_after = 0;  // band-key entries
  std::string ToText() const;  // "key: value" lines
};

class Index {
 public:
  // Creates a new index file (kAlreadyExists if `path` exists).
  static absl::StatusOr<std::unique_ptr<Index>> Create(const std::string& path,
                                                       const IndexOptions& options);
  // Opens an existing index (kNotFound if missing). See the file comment for
  // the checks made.
  static absl::StatusOr<std::unique_ptr<Index>> Open(const std::string& path,
                                                     const IndexOptions& options);
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  const std::string& path() const;
  const IndexSettings& settings() const;  // the file's, with the LSH layout resolved
  const IndexOptions& options() const;    // as opened

  // Sketches and adds `docs` as one transaction (see the file comment).
  absl::StatusOr<AddResult> Add(absl::Span<const IndexDocument> docs);
  absl::StatusOr<AddResult> AddSketched(absl::Span<const SketchedDocument> docs);

  // Matches `docs` against the committed index without changing it; documents
  // of one call are not compared with each other.
  absl::StatusOr<std::vector<IndexResult>> Query(absl::Span<const IndexDocument> docs);
  absl::StatusOr<std::vector<IndexResult>> QuerySketched(absl::Span<const SketchedDocument> docs);

  // Removes documents by id in one transaction; true where the id was present.
  absl::StatusOr<std::vector<bool>> Remove(absl::Span<const std::string> ids);

  // The stored records of `ids`, in order (nullopt where an id is not in the
  // index), read in one read transaction.
  absl::StatusOr<std::vector<std::optional<StoredDocument>>> Get(
      absl::Span<const std::string> ids);

  absl::StatusOr<IndexStats> Stats();

  // Runs the merges of band-key runs that are due to completion, each step
  // a short transaction of its own. AddInputs calls it after its last batch,
  // so that a long merge is not abandoned when the process ends (an
  // abandoned merge is deleted and redone by the next writer). Then
  // checkpoints the WAL into the file, so that a finished run does not
  // depend on the -wal file.
  absl::Status FinishMerges();
  // Merges every run into one and drops the entries of removed documents
  // (the band-key equivalent of VACUUM), in short transactions.
  absl::StatusOr<CompactResult> Compact();

  // PRAGMA integrity_check and the index's own invariants (runs sorted,
  // filters complete, every document's keys present, counts consistent).
  // Reads everything: for tests and `dubare index check`.
  absl::Status CheckIntegrity();

  // The sketches of `docs` with the index's parameters, on options.threads.
  absl::StatusOr<std::vector<SketchedDocument>> Sketch(absl::Span<const IndexDocument> docs);

 private:
  struct Impl;
  explicit Index(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dubare

#endif  // DUBARE_INDEX_H_
