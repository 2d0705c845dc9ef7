// Copyright 2026 The Dubare Authors.
//
// digests.h: two bits of every MinHash value of every indexed document, held
// in memory, so that most LSH candidates are rejected without reading their
// signature from the file.
//
// A document's digest is the low two bits of each of its K MinHash values,
// packed 32 to a 64-bit word. Where two signatures are equal, their digests
// are equal, so the number of equal 2-bit groups is an upper bound of the
// number of equal values: a candidate whose bound is below the threshold
// cannot reach it, and Index::Match skips it without fetching it. Unrelated
// documents agree on about a quarter of the groups, far below any useful
// threshold; near-duplicates pass and are verified on their full signatures
// as before, so the answers are exactly those of full verification.
//
// The digests are stored in the `digests` table in blocks of kBlockDocs
// documents (by doc number; 8 KiB at K = 128), and read whole at open -- 32
// bytes per document, 32 MB at a million. Each transaction first reads the
// blocks that may have changed since (from the last, partly filled one on).
//
// Ownership: borrows the Db. Thread safety: thread-compatible.

#ifndef DUBARE_SRC_INDEX_DIGESTS_H_
#define DUBARE_SRC_INDEX_DIGESTS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "index/sqlite.h"

namespace dubare::index_internal {

class DigestStore {
 public:
  static constexpr uint32_t kBlockDocs = 256;

  // Creates the table (inside the caller's transaction).
  static absl::Status CreateSchema(Db* db);
  // Creates and fills the table from the documents' signatures, for files
  // written before it existed (inside the caller's transaction).
  static absl::Status CreateFromDocuments(Db* db, uint32_t num_perm);

  DigestStore(Db* db, uint32_t num_perm);

  // 64-bit words per digest.
  size_t words() const { return words_; }
  // The digest of a signature of num_perm values, into words() words.
  void Compute(absl::Span<const uint32_t> minhash, uint64_t* out) const;

  // Reads the blocks written since the last Sync (call inside a transaction).
  absl::Status Sync();
  // Drops the record of what Set changed, after a rollback: the next Sync
  // reads the committed blocks over the digests it left in memory.
  void ForgetChanges() {
    dirty_from_ = SIZE_MAX;
    dirty_to_ = 0;
  }

  // Records the digest of a document added by the transaction in progress.
  void Set(uint32_t doc, absl::Span<const uint32_t> minhash);
  // Writes the blocks changed by Set (call inside the write transaction).
  absl::Status WriteChanged();

  // An upper bound of the number of equal values of `doc`'s signature and
  // the signature whose digest is `digest`. A document beyond those Set or
  // read bounds to num_perm: it is never rejected.
  uint32_t MaxEqual(uint32_t doc, const uint64_t* digest) const;

  size_t memory_bytes() const { return digests_.size() * sizeof(uint64_t); }

 private:
  absl::Status Prepare();

  Db* db_;
  uint32_t num_perm_;
  size_t words_;
  std::vector<uint64_t> digests_;  // words_ per doc number (zero for absent ones)
  size_t synced_block_ = 0;        // the next Sync reads blocks from this one on
  size_t dirty_from_ = SIZE_MAX;   // doc numbers Set since the last write, from here
  size_t dirty_to_ = 0;
  bool prepared_ = false;
  Stmt read_, write_;
};

}  // namespace dubare::index_internal

#endif  // DUBARE_SRC_INDEX_DIGESTS_H_
