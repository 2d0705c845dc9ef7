// Copyright 2026 The Dubare Authors.

#include "index/digests.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "dubare/sketch.h"
#include "dubare/status.h"

namespace dubare::index_internal {

absl::Status DigestStore::CreateSchema(Db* db) {
  return db->Exec(
      "CREATE TABLE digests(block INTEGER PRIMARY KEY, data BLOB NOT NULL, checksum INTEGER)");
}

absl::Status DigestStore::CreateFromDocuments(Db* db, uint32_t num_perm) {
  DUBARE_RETURN_IF_ERROR(CreateSchema(db));
  DigestStore store(db, num_perm);
  DUBARE_ASSIGN_OR_RETURN(Stmt docs, db->Prepare("SELECT doc, minhash FROM documents"));
  while (true) {
    DUBARE_ASSIGN_OR_RETURN(bool row, docs.Step());
    if (!row) break;
    DUBARE_ASSIGN_OR_RETURN(std::vector<uint32_t> minhash,
                            DecodeValues(docs.ColumnBlob(1), num_perm));
    store.Set(static_cast<uint32_t>(docs.ColumnInt(0)), minhash);
  }
  return store.WriteChanged();
}

DigestStore::DigestStore(Db* db, uint32_t num_perm)
    : db_(db), num_perm_(num_perm), words_((num_perm + 31) / 32) {}

absl::Status DigestStore::Prepare() {
  if (prepared_) return absl::OkStatus();
  DUBARE_ASSIGN_OR_RETURN(read_,
                          db_->Prepare("SELECT block, data, checksum IS dubare_checksum(block, data)"
                                       " FROM digests WHERE block >= ?"));
  DUBARE_ASSIGN_OR_RETURN(write_,
                          db_->Prepare("INSERT OR REPLACE INTO digests(block, data, checksum)"
                                       " VALUES(?1, ?2, dubare_checksum(?1, ?2))"));
  prepared_ = true;
  return absl::OkStatus();
}

void DigestStore::Compute(absl::Span<const uint32_t> minhash, uint64_t* out) const {
  std::fill(out, out + words_, 0);
  for (size_t i = 0; i < minhash.size(); ++i) {
    out[i / 32] |= uint64_t{minhash[i] & 3} << (2 * (i % 32));
  }
}

absl::Status DigestStore::Sync() {
  DUBARE_RETURN_IF_ERROR(Prepare());
  const size_t block_words = size_t{kBlockDocs} * words_;
  read_.BindInt(1, static_cast<int64_t>(synced_block_));
  absl::Status status;
  while (status.ok()) {
    absl::StatusOr<bool> row = read_.Step();
    if (!row.ok() || !*row) {
      status = row.status();
      break;
    }
    const int64_t block = read_.ColumnInt(0);
    absl::string_view data = read_.ColumnBlob(1);
    if (read_.ColumnInt(2) == 0) {
      status = absl::DataLossError(
          absl::StrCat(db_->path(), ": digest block ", block, " fails its checksum"));
      break;
    }
    if (block < 0 || block > (int64_t{1} << 32) / kBlockDocs ||
        data.size() != block_words * sizeof(uint64_t)) {
      status = absl::DataLossError(absl::StrCat(db_->path(), ": digest block ", block, " has ",
                                                data.size(), " bytes, expected ",
                                                block_words * sizeof(uint64_t)));
      break;
    }
    const size_t first = static_cast<size_t>(block) * block_words;
    if (digests_.size() < first + block_words) digests_.resize(first + block_words);
    std::memcpy(&digests_[first], data.data(), data.size());
    synced_block_ = std::max<size_t>(synced_block_, static_cast<size_t>(block));
  }
  read_.Reset();
  return status;
}

void DigestStore::Set(uint32_t doc, absl::Span<const uint32_t> minhash) {
  const size_t first = size_t{doc} * words_;
  if (digests_.size() < first + words_) {
    // Whole blocks, so that WriteChanged can write them from memory.
    const size_t block_words = size_t{kBlockDocs} * words_;
    digests_.resize((first / block_words + 1) * block_words);
  }
  Compute(minhash, &digests_[first]);
  dirty_from_ = std::min<size_t>(dirty_from_, doc);
  dirty_to_ = std::max<size_t>(dirty_to_, size_t{doc} + 1);
}

absl::Status DigestStore::WriteChanged() {
  DUBARE_RETURN_IF_ERROR(Prepare());
  if (dirty_from_ >= dirty_to_) return absl::OkStatus();
  const size_t block_words = size_t{kBlockDocs} * words_;
  for (size_t block = dirty_from_ / kBlockDocs; block <= (dirty_to_ - 1) / kBlockDocs; ++block) {
    write_.BindInt(1, static_cast<int64_t>(block))
        .BindBlob(2, absl::string_view(reinterpret_cast<const char*>(&digests_[block * block_words]),
                                       block_words * sizeof(uint64_t)));
    DUBARE_RETURN_IF_ERROR(write_.Run());
  }
  ForgetChanges();
  return absl::OkStatus();
}

uint32_t DigestStore::MaxEqual(uint32_t doc, const uint64_t* digest) const {
  const size_t first = size_t{doc} * words_;
  if (first + words_ > digests_.size()) return num_perm_;
  constexpr uint64_t kLowBits = 0x5555555555555555ull;
  uint32_t equal = 0;
  for (size_t w = 0; w < words_; ++w) {
    const uint64_t x = digests_[first + w] ^ digest[w];
    equal += std::popcount(~(x | (x >> 1)) & kLowBits);
  }
  // The unused groups of the last word are zero in both.
  return equal - static_cast<uint32_t>(words_ * 32 - num_perm_);
}

}  // namespace dubare::index_internal
