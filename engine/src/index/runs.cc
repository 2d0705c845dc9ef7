// Copyright 2026 The Dubare Authors.

#include "index/runs.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dubare/status.h"

namespace dubare::index_internal {
namespace {

static_assert(std::endian::native == std::endian::little,
              "index chunks, fences and filters are stored in host (little-endian) order");

constexpr int kChunkShift = 24;  // chunk rowid = run << 24 | chunk number

template <typename T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename T>
void Store(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(T));
}

}  // namespace

// ---- BloomFilter ------------------------------------------------------------

BloomFilter::BloomFilter(size_t num_keys)
    : words_(8 * std::max<size_t>(1, (num_keys * kBitsPerKey + 511) / 512)) {}

namespace {
// The block for `key` (fast range reduction of its high half) and the mixed
// bits that choose kProbes bit positions inside it.
inline size_t BlockIndex(uint64_t key, size_t num_blocks) {
  return static_cast<size_t>(((key >> 32) * num_blocks) >> 32);
}
inline uint64_t Mix(uint64_t key) { return key * 0x9E3779B97F4A7C15ull; }
}  // namespace

const uint64_t* BloomFilter::Block(uint64_t key) const {
  return words_.empty() ? nullptr : &words_[8 * BlockIndex(key, words_.size() / 8)];
}

bool BloomFilter::BlockContains(const uint64_t* block, uint64_t key) {
  if (block == nullptr) return false;
  uint64_t bits = Mix(key);
  for (int i = 0; i < kProbes; ++i, bits >>= 9) {
    if (!(block[(bits >> 6) & 7] & (uint64_t{1} << (bits & 63)))) return false;
  }
  return true;
}

void BloomFilter::Add(uint64_t key) {
  uint64_t* block = &words_[8 * BlockIndex(key, words_.size() / 8)];
  uint64_t bits = Mix(key);
  for (int i = 0; i < kProbes; ++i, bits >>= 9) {
    block[(bits >> 6) & 7] |= uint64_t{1} << (bits & 63);
  }
}

std::string BloomFilter::Encode() const {
  return std::string(reinterpret_cast<const char*>(words_.data()), bytes());
}

absl::StatusOr<BloomFilter> BloomFilter::Decode(absl::string_view bytes) {
  if (bytes.empty() || bytes.size() % 64 != 0) {
    return absl::DataLossError(
        absl::StrCat("Bloom filter of ", bytes.size(), " bytes is not a whole number of blocks"));
  }
  BloomFilter filter;
  filter.words_.resize(bytes.size() / 8);
  std::memcpy(filter.words_.data(), bytes.data(), bytes.size());
  return filter;
}

// ---- Chunks -------------------------------------------------------------------

void SortByKey(std::vector<Entry>* entries) {
  std::vector<Entry> buffer(entries->size());
  std::vector<Entry>* from = entries;
  std::vector<Entry>* to = &buffer;
  for (int shift = 0; shift < 64; shift += 16) {
    std::vector<uint32_t> count(65537, 0);
    for (const Entry& e : *from) ++count[((e.key >> shift) & 0xFFFF) + 1];
    for (size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
    for (const Entry& e : *from) (*to)[count[(e.key >> shift) & 0xFFFF]++] = e;
    std::swap(from, to);
  }
  // Four passes: the result is back in *entries.
}

void EncodeChunk(absl::Span<const Entry> entries, std::string* out) {
  const uint32_t n = static_cast<uint32_t>(entries.size());
  out->resize(4 + size_t{n} * 12);
  char* p = out->data();
  std::memcpy(p, &n, 4);
  char* keys = p + 4;
  char* docs = keys + size_t{n} * 8;
  for (uint32_t i = 0; i < n; ++i) {
    std::memcpy(keys + size_t{i} * 8, &entries[i].key, 8);
    std::memcpy(docs + size_t{i} * 4, &entries[i].doc, 4);
  }
}

namespace {
// Number of entries of a chunk, or -1 when its size does not match.
int64_t ChunkSize(absl::string_view bytes) {
  if (bytes.size() < 4) return -1;
  const uint32_t n = Load<uint32_t>(bytes.data());
  // int64_t{n}: with a bare `n` the conditional is unsigned and -1 turns into 2^32 - 1.
  return bytes.size() == 4 + size_t{n} * 12 ? int64_t{n} : -1;
}
}  // namespace

absl::Status DecodeChunk(absl::string_view bytes, std::vector<Entry>* out) {
  const int64_t n = ChunkSize(bytes);
  if (n <= 0) return absl::DataLossError(absl::StrCat("malformed chunk of ", bytes.size(), " bytes"));
  const char* keys = bytes.data() + 4;
  const char* docs = keys + n * 8;
  for (int64_t i = 0; i < n; ++i) {
    out->push_back({Load<uint64_t>(keys + i * 8), Load<uint32_t>(docs + i * 4)});
  }
  return absl::OkStatus();
}

// ---- RunStore -----------------------------------------------------------------

absl::Status RunStore::CreateSchema(Db* db) {
  return db->Exec(
      "CREATE TABLE runs(run INTEGER PRIMARY KEY AUTOINCREMENT, entries INTEGER NOT NULL,"
      " chunks INTEGER NOT NULL, fences BLOB NOT NULL, bloom BLOB NOT NULL);"
      "CREATE TABLE chunks(chunk INTEGER PRIMARY KEY, data BLOB NOT NULL);");
}

absl::Status RunStore::Prepare() {
  if (prepared_) return absl::OkStatus();
  DUBARE_ASSIGN_OR_RETURN(list_runs_, db_->Prepare("SELECT run FROM runs ORDER BY run"));
  DUBARE_ASSIGN_OR_RETURN(
      load_run_, db_->Prepare("SELECT entries, chunks, fences, bloom FROM runs WHERE run = ?"));
  DUBARE_ASSIGN_OR_RETURN(read_chunk_, db_->Prepare("SELECT data FROM chunks WHERE chunk = ?"));
  DUBARE_ASSIGN_OR_RETURN(
      read_run_chunks_,
      db_->Prepare("SELECT chunk, data FROM chunks WHERE chunk BETWEEN ? AND ? ORDER BY chunk"));
  DUBARE_ASSIGN_OR_RETURN(
      insert_run_,
      db_->Prepare("INSERT INTO runs(entries, chunks, fences, bloom) VALUES(?, ?, ?, ?)"));
  DUBARE_ASSIGN_OR_RETURN(insert_chunk_,
                          db_->Prepare("INSERT INTO chunks(chunk, data) VALUES(?, ?)"));
  DUBARE_ASSIGN_OR_RETURN(delete_run_, db_->Prepare("DELETE FROM runs WHERE run = ?"));
  DUBARE_ASSIGN_OR_RETURN(delete_chunks_,
                          db_->Prepare("DELETE FROM chunks WHERE chunk BETWEEN ? AND ?"));
  prepared_ = true;
  return absl::OkStatus();
}

absl::Status RunStore::Sync() {
  DUBARE_RETURN_IF_ERROR(Prepare());
  std::vector<int64_t> ids;
  while (true) {
    DUBARE_ASSIGN_OR_RETURN(bool row, list_runs_.Step());
    if (!row) break;
    ids.push_back(list_runs_.ColumnInt(0));
  }
  list_runs_.Reset();
  for (auto it = runs_.begin(); it != runs_.end();) {
    it = std::binary_search(ids.begin(), ids.end(), it->first) ? std::next(it) : runs_.erase(it);
  }
  for (int64_t id : ids) {
    if (!runs_.contains(id)) DUBARE_RETURN_IF_ERROR(LoadRun(id));
  }
  return absl::OkStatus();
}

absl::Status RunStore::LoadRun(int64_t id) {
  load_run_.BindInt(1, id);
  DUBARE_ASSIGN_OR_RETURN(bool row, load_run_.Step());
  auto bad = [&](absl::string_view what) {
    load_run_.Reset();
    return absl::DataLossError(absl::StrCat(db_->path(), ": run ", id, ": ", what));
  };
  if (!row) return bad("vanished");
  Run run;
  const int64_t entries = load_run_.ColumnInt(0);
  const int64_t chunks = load_run_.ColumnInt(1);
  absl::string_view fences = load_run_.ColumnBlob(2);
  if (entries <= 0 || chunks != (entries + kChunkEntries - 1) / kChunkEntries ||
      chunks >= (int64_t{1} << kChunkShift) || fences.size() != size_t(chunks) * 8) {
    return bad("inconsistent sizes");
  }
  run.entries = entries;
  run.chunks = static_cast<uint32_t>(chunks);
  run.fences.resize(chunks);
  std::memcpy(run.fences.data(), fences.data(), fences.size());
  absl::StatusOr<BloomFilter> bloom = BloomFilter::Decode(load_run_.ColumnBlob(3));
  if (!bloom.ok()) return bad(bloom.status().message());
  run.bloom = *std::move(bloom);
  load_run_.Reset();
  runs_[id] = std::move(run);
  return absl::OkStatus();
}

absl::Status RunStore::Lookup(absl::Span<const uint64_t> keys,
                              std::vector<std::vector<uint32_t>>* docs) {
  docs->resize(keys.size());
  std::vector<const uint64_t*> blocks(keys.size());
  for (const auto& [id, run] : runs_) {
    // The filters of a large index do not fit in cache: fetch all blocks of
    // this run first, then test them.
    for (size_t i = 0; i < keys.size(); ++i) {
      blocks[i] = run.bloom.Block(keys[i]);
      __builtin_prefetch(blocks[i]);
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      if (BloomFilter::BlockContains(blocks[i], keys[i])) {
        DUBARE_RETURN_IF_ERROR(LookupInRun(id, run, keys[i], &(*docs)[i]));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status RunStore::LookupInRun(int64_t id, const Run& run, uint64_t key,
                                   std::vector<uint32_t>* docs) {
  // The last chunk starting at or before `key`; equal keys may also end the
  // chunks before it.
  auto it = std::upper_bound(run.fences.begin(), run.fences.end(), key);
  if (it == run.fences.begin()) return absl::OkStatus();
  size_t chunk = static_cast<size_t>(it - run.fences.begin()) - 1;
  while (chunk > 0 && run.fences[chunk] == key) --chunk;
  for (;; ++chunk) {
    read_chunk_.BindInt(1, (id << kChunkShift) | int64_t(chunk));
    DUBARE_ASSIGN_OR_RETURN(bool row, read_chunk_.Step());
    absl::string_view bytes = row ? read_chunk_.ColumnBlob(0) : absl::string_view();
    const int64_t n = ChunkSize(bytes);
    if (n <= 0) {
      read_chunk_.Reset();
      return absl::DataLossError(
          absl::StrCat(db_->path(), ": run ", id, " chunk ", chunk, " is missing or malformed"));
    }
    const char* keys = bytes.data() + 4;
    const char* doc_bytes = keys + n * 8;
    int64_t lo = 0, hi = n;  // first position with key >= `key`
    while (lo < hi) {
      const int64_t mid = (lo + hi) / 2;
      if (Load<uint64_t>(keys + mid * 8) < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    int64_t i = lo;
    for (; i < n && Load<uint64_t>(keys + i * 8) == key; ++i) {
      docs->push_back(Load<uint32_t>(doc_bytes + i * 4));
    }
    read_chunk_.Reset();
    // The key goes on only if it also starts the next chunk.
    if (i < n || chunk + 1 == run.chunks || run.fences[chunk + 1] != key) break;
  }
  return absl::OkStatus();
}

absl::Status RunStore::ReadRun(int64_t id, const Run& run, std::vector<Entry>* out) {
  read_run_chunks_.BindInt(1, id << kChunkShift).BindInt(2, (id << kChunkShift) | (run.chunks - 1));
  const size_t first = out->size();
  int64_t expected = id << kChunkShift;
  while (true) {
    DUBARE_ASSIGN_OR_RETURN(bool row, read_run_chunks_.Step());
    if (!row) break;
    absl::Status status = read_run_chunks_.ColumnInt(0) == expected
                              ? DecodeChunk(read_run_chunks_.ColumnBlob(1), out)
                              : absl::DataLossError("chunk missing");
    if (!status.ok()) {
      read_run_chunks_.Reset();
      return Annotate(status, absl::StrCat(db_->path(), ": run ", id, " chunk ",
                                           expected & ((int64_t{1} << kChunkShift) - 1)));
    }
    ++expected;
  }
  read_run_chunks_.Reset();
  if (out->size() - first != run.entries || !std::is_sorted(out->begin() + first, out->end())) {
    return absl::DataLossError(absl::StrCat(db_->path(), ": run ", id, " holds ",
                                            out->size() - first, " entries (expected ",
                                            run.entries, ", sorted)"));
  }
  return absl::OkStatus();
}

absl::Status RunStore::WriteRun(absl::Span<const Entry> entries) {
  Run run;
  run.entries = entries.size();
  run.chunks = static_cast<uint32_t>((entries.size() + kChunkEntries - 1) / kChunkEntries);
  if (run.chunks >= (uint32_t{1} << kChunkShift)) {
    return absl::ResourceExhaustedError(
        absl::StrCat(db_->path(), ": a run of ", entries.size(), " entries is too large"));
  }
  run.bloom = BloomFilter(entries.size());
  std::string fences;
  for (size_t i = 0; i < entries.size(); ++i) {
    run.bloom.Add(entries[i].key);
    if (i % kChunkEntries == 0) {
      run.fences.push_back(entries[i].key);
      Store<uint64_t>(&fences, entries[i].key);
    }
  }
  const std::string bloom = run.bloom.Encode();
  insert_run_.BindInt(1, run.entries).BindInt(2, run.chunks).BindBlob(3, fences).BindBlob(4, bloom);
  DUBARE_RETURN_IF_ERROR(insert_run_.Run());
  const int64_t id = db_->LastInsertRowid();
  for (uint32_t c = 0; c < run.chunks; ++c) {
    EncodeChunk(entries.subspan(size_t{c} * kChunkEntries, kChunkEntries), &chunk_buffer_);
    insert_chunk_.BindInt(1, (id << kChunkShift) | c).BindBlob(2, chunk_buffer_);
    DUBARE_RETURN_IF_ERROR(insert_chunk_.Run());
  }
  runs_[id] = std::move(run);
  return absl::OkStatus();
}

absl::Status RunStore::DeleteRun(int64_t id) {
  delete_run_.BindInt(1, id);
  DUBARE_RETURN_IF_ERROR(delete_run_.Run());
  delete_chunks_.BindInt(1, id << kChunkShift)
      .BindInt(2, (id << kChunkShift) | ((int64_t{1} << kChunkShift) - 1));
  DUBARE_RETURN_IF_ERROR(delete_chunks_.Run());
  runs_.erase(id);
  return absl::OkStatus();
}

namespace {
int Level(uint64_t entries) { return (std::bit_width(entries) - 1) / 2; }  // floor(log4)
}  // namespace

absl::Status RunStore::MergeNewest(size_t count) {
  std::vector<int64_t> ids;
  std::vector<Entry> merged;
  std::vector<size_t> bounds = {0};
  for (auto it = std::prev(runs_.end(), count); it != runs_.end(); ++it) {
    ids.push_back(it->first);
    DUBARE_RETURN_IF_ERROR(ReadRun(it->first, it->second, &merged));
    bounds.push_back(merged.size());
  }
  for (size_t i = 2; i < bounds.size(); ++i) {
    std::inplace_merge(merged.begin(), merged.begin() + bounds[i - 1], merged.begin() + bounds[i]);
  }
  for (int64_t id : ids) DUBARE_RETURN_IF_ERROR(DeleteRun(id));
  return WriteRun(merged);
}

absl::Status RunStore::Append(std::vector<Entry> entries) {
  DUBARE_RETURN_IF_ERROR(Prepare());
  if (entries.empty()) return absl::OkStatus();
  DUBARE_RETURN_IF_ERROR(WriteRun(entries));
  while (runs_.size() >= 2) {
    auto newest = std::prev(runs_.end());
    const int level = Level(newest->second.entries);
    // A run of a higher level than the one before it joins it, so levels
    // never increase towards the newest run.
    if (level > Level(std::prev(newest)->second.entries)) {
      DUBARE_RETURN_IF_ERROR(MergeNewest(2));
      continue;
    }
    size_t same = 1;  // newest runs at this level
    for (auto it = newest; same < kMergeFanout && it != runs_.begin(); ++same) {
      if (Level((--it)->second.entries) != level) break;
    }
    if (same < kMergeFanout) break;
    DUBARE_RETURN_IF_ERROR(MergeNewest(kMergeFanout));
  }
  return absl::OkStatus();
}

uint64_t RunStore::num_entries() const {
  uint64_t n = 0;
  for (const auto& [id, run] : runs_) n += run.entries;
  return n;
}

size_t RunStore::memory_bytes() const {
  size_t n = 0;
  for (const auto& [id, run] : runs_) n += run.bloom.bytes() + run.fences.size() * 8;
  return n;
}

absl::StatusOr<std::vector<Entry>> RunStore::ReadAll() {
  DUBARE_RETURN_IF_ERROR(Prepare());
  std::vector<Entry> all;
  for (const auto& [id, run] : runs_) {
    const size_t first = all.size();
    DUBARE_RETURN_IF_ERROR(ReadRun(id, run, &all));
    for (size_t i = first; i < all.size(); ++i) {
      if ((i - first) % kChunkEntries == 0 &&
          run.fences[(i - first) / kChunkEntries] != all[i].key) {
        return absl::DataLossError(
            absl::StrCat(db_->path(), ": run ", id, " fences do not match its chunks"));
      }
      if (!run.bloom.MayContain(all[i].key)) {
        return absl::DataLossError(
            absl::StrCat(db_->path(), ": run ", id, " Bloom filter misses a key"));
      }
    }
  }
  return all;
}

}  // namespace dubare::index_internal
