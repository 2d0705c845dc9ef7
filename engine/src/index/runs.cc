// Copyright 2026 The Dubare Authors.

#include "index/runs.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <iterator>
#include <thread>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "dubare/status.h"

namespace dubare::index_internal {
namespace {

static_assert(std::endian::native == std::endian::little,
              "index chunks, fences and filters are stored in host (little-endian) order");

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
// The mixed bits that choose kProbes bit positions inside a block.
inline uint64_t Mix(uint64_t key) { return key * 0x9E3779B97F4A7C15ull; }
}  // namespace

// Fast range reduction of the key's high half.
size_t BloomFilter::BlockIndex(uint64_t key) const {
  return static_cast<size_t>(((key >> 32) * (words_.size() / 8)) >> 32);
}

const uint64_t* BloomFilter::Block(uint64_t key) const {
  return words_.empty() ? nullptr : &words_[8 * BlockIndex(key)];
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
  uint64_t* block = &words_[8 * BlockIndex(key)];
  uint64_t bits = Mix(key);
  for (int i = 0; i < kProbes; ++i, bits >>= 9) {
    block[(bits >> 6) & 7] |= uint64_t{1} << (bits & 63);
  }
}

absl::string_view BloomFilter::Bytes(size_t offset, size_t n) const {
  return absl::string_view(reinterpret_cast<const char*>(words_.data()), bytes()).substr(offset, n);
}

absl::StatusOr<BloomFilter> BloomFilter::OfBytes(uint64_t bytes) {
  // The cap only refuses absurd sizes from a damaged file (16 GiB).
  if (bytes == 0 || bytes % kBlockBytes != 0 || bytes > (uint64_t{1} << 34)) {
    return absl::DataLossError(
        absl::StrCat("Bloom filter of ", bytes, " bytes is not a whole number of blocks"));
  }
  BloomFilter filter;
  filter.words_.resize(bytes / 8);
  return filter;
}

// ---- Chunks -------------------------------------------------------------------

void SortByKey(std::vector<Entry>* entries, std::vector<Entry>* scratch) {
  const size_t n = entries->size();
  if (n < 4096) return std::sort(entries->begin(), entries->end());
  // Keys are hashes: one pass spreads them over 2^bits buckets of about
  // eight by their top bits, and each bucket is then sorted in place. A
  // pass per digit (an LSD radix sort) cost 2.5 times as much here.
  int bits = 1;
  while (bits < 24 && (size_t{8} << bits) < n) ++bits;
  const int shift = 64 - bits;
  std::vector<uint32_t> start((size_t{1} << bits) + 1, 0);
  for (const Entry& e : *entries) ++start[(e.key >> shift) + 1];
  for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
  std::vector<uint32_t> fill(start.begin(), start.end() - 1);
  scratch->resize(n);
  Entry* const out = scratch->data();
  for (const Entry& e : *entries) out[fill[e.key >> shift]++] = e;
  for (size_t b = 0; b + 1 < start.size(); ++b) std::sort(out + start[b], out + start[b + 1]);
  entries->swap(*scratch);
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

namespace {
constexpr int64_t kChunkMask = (int64_t{1} << kChunkShift) - 1;
constexpr int64_t kWriting = 1;  // runs.state: 0 complete, 1 being written, 2 obsolete
}  // namespace

size_t InterpolatedLowerBound(const uint64_t* keys, size_t begin, size_t end, uint64_t key,
                              uint64_t lo, uint64_t hi) {
  size_t i = begin;
  if (begin < end && key > lo && hi > lo) {
    const double fraction = static_cast<double>(key - lo) / static_cast<double>(hi - lo);
    i += static_cast<size_t>(std::min(fraction, 1.0) * static_cast<double>(end - 1 - begin));
  }
  // Walk to the first key >= `key` (the guess only decides where from).
  while (i < end && keys[i] < key) ++i;
  while (i > begin && keys[i - 1] >= key) --i;
  return i;
}

int RunLevel(uint64_t entries) {
  int level = 0;
  for (; entries >= kMergeFanout; entries /= kMergeFanout) ++level;
  return level;
}

absl::Status RunStore::CreateSchema(Db* db) {
  return db->Exec(
      "CREATE TABLE runs(run INTEGER PRIMARY KEY AUTOINCREMENT, entries INTEGER NOT NULL,"
      " chunks INTEGER NOT NULL, fences BLOB NOT NULL, bloom_bytes INTEGER NOT NULL,"
      " state INTEGER NOT NULL DEFAULT 0);"
      "CREATE TABLE chunks(chunk INTEGER PRIMARY KEY, data BLOB NOT NULL, checksum INTEGER);"
      "CREATE TABLE removed(doc INTEGER PRIMARY KEY);");
}

absl::Status RunStore::UpgradeSchemaFrom1(Db* db) {
  DUBARE_RETURN_IF_ERROR(
      db->Exec("ALTER TABLE runs ADD COLUMN bloom_bytes INTEGER NOT NULL DEFAULT 0;"
               "ALTER TABLE runs ADD COLUMN state INTEGER NOT NULL DEFAULT 0;"
               "CREATE TABLE removed(doc INTEGER PRIMARY KEY);"));
  // Schema 1 kept each filter in a blob of the runs row: move it to pieces.
  RunStore store(db);
  DUBARE_RETURN_IF_ERROR(store.Prepare());
  DUBARE_ASSIGN_OR_RETURN(Stmt runs, db->Prepare("SELECT run, bloom FROM runs"));
  DUBARE_ASSIGN_OR_RETURN(Stmt set_bytes,
                          db->Prepare("UPDATE runs SET bloom_bytes = ? WHERE run = ?"));
  while (true) {
    DUBARE_ASSIGN_OR_RETURN(bool row, runs.Step());
    if (!row) break;
    const int64_t run = runs.ColumnInt(0);
    absl::string_view blob = runs.ColumnBlob(1);
    DUBARE_ASSIGN_OR_RETURN(BloomFilter bloom, BloomFilter::OfBytes(blob.size()));
    std::memcpy(bloom.mutable_bytes(), blob.data(), blob.size());
    size_t piece = 0;
    DUBARE_RETURN_IF_ERROR(store.WriteBloomPieces(run, bloom, bloom.bytes(), &piece));
    set_bytes.BindInt(1, static_cast<int64_t>(bloom.bytes())).BindInt(2, run);
    DUBARE_RETURN_IF_ERROR(set_bytes.Run());
  }
  return db->Exec("ALTER TABLE runs DROP COLUMN bloom");
}

absl::Status RunStore::Prepare() {
  if (prepared_) return absl::OkStatus();
  DUBARE_ASSIGN_OR_RETURN(list_runs_,
                          db_->Prepare("SELECT run FROM runs WHERE state = 0 ORDER BY run"));
  DUBARE_ASSIGN_OR_RETURN(
      load_run_, db_->Prepare("SELECT entries, chunks, fences, bloom_bytes FROM runs"
                              " WHERE run = ? AND state = 0"));
  DUBARE_ASSIGN_OR_RETURN(read_chunk_, db_->Prepare("SELECT data, checksum IS dubare_checksum(chunk, data)"
                                                    " FROM chunks WHERE chunk = ?"));
  DUBARE_ASSIGN_OR_RETURN(
      read_run_chunks_,
      db_->Prepare("SELECT chunk, data, checksum IS dubare_checksum(chunk, data) FROM chunks"
                   " WHERE chunk BETWEEN ? AND ? ORDER BY chunk"));
  DUBARE_ASSIGN_OR_RETURN(
      insert_run_,
      db_->Prepare("INSERT INTO runs(entries, chunks, fences, bloom_bytes) VALUES(?, ?, ?, ?)"));
  DUBARE_ASSIGN_OR_RETURN(insert_chunk_,
                          db_->Prepare("INSERT INTO chunks(chunk, data, checksum)"
                                      " VALUES(?1, ?2, dubare_checksum(?1, ?2))"));
  DUBARE_ASSIGN_OR_RETURN(delete_run_, db_->Prepare("DELETE FROM runs WHERE run = ?"));
  DUBARE_ASSIGN_OR_RETURN(
      reserve_run_,
      db_->Prepare(
          "INSERT INTO runs(entries, chunks, fences, bloom_bytes, state) VALUES(0, 0, '', 0, 1)"));
  DUBARE_ASSIGN_OR_RETURN(
      finish_run_, db_->Prepare("UPDATE runs SET entries = ?, chunks = ?, fences = ?,"
                                " bloom_bytes = ?, state = 0 WHERE run = ? AND state = 1"));
  DUBARE_ASSIGN_OR_RETURN(obsolete_run_, db_->Prepare("UPDATE runs SET state = 2 WHERE run = ?"));
  DUBARE_ASSIGN_OR_RETURN(next_obsolete_,
                          db_->Prepare("SELECT run FROM runs WHERE state = 2 ORDER BY run LIMIT 1"));
  DUBARE_ASSIGN_OR_RETURN(
      delete_some_chunks_,
      db_->Prepare("DELETE FROM chunks WHERE chunk IN"
                   " (SELECT chunk FROM chunks WHERE chunk BETWEEN ? AND ? LIMIT ?)"));
  DUBARE_ASSIGN_OR_RETURN(run_state_, db_->Prepare("SELECT state FROM runs WHERE run = ?"));
  DUBARE_ASSIGN_OR_RETURN(insert_removed_,
                          db_->Prepare("INSERT OR IGNORE INTO removed(doc) VALUES(?)"));
  DUBARE_ASSIGN_OR_RETURN(clear_removed_, db_->Prepare("DELETE FROM removed WHERE doc = ?"));
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
  bool changed = false;
  for (auto it = runs_.begin(); it != runs_.end();) {
    const bool kept = std::binary_search(ids.begin(), ids.end(), it->first);
    it = kept ? std::next(it) : runs_.erase(it);
    changed |= !kept;
  }
  for (int64_t id : ids) {
    if (!runs_.contains(id)) {
      DUBARE_RETURN_IF_ERROR(LoadRun(id));
      changed = true;
    }
  }
  if (changed) ChooseResident();
  return absl::OkStatus();
}

void RunStore::ChooseResident() {
  std::vector<std::pair<uint64_t, int64_t>> by_size;  // (entries, run)
  for (const auto& [id, run] : runs_) by_size.emplace_back(run.entries, id);
  std::sort(by_size.begin(), by_size.end());
  uint64_t bytes = 0;
  for (const auto& [entries, id] : by_size) {
    Run& run = runs_[id];
    bytes += entries * kHeldEntryBytes;
    run.resident = bytes <= resident_bytes_;
    if (!run.resident) {
      run.keys = std::vector<uint64_t>();
      run.docs = std::vector<uint32_t>();
    }
  }
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
      chunks >= kBloomFirstRow || fences.size() != size_t(chunks) * 8) {
    return bad("inconsistent sizes");
  }
  run.entries = entries;
  run.chunks = static_cast<uint32_t>(chunks);
  run.fences.resize(chunks);
  std::memcpy(run.fences.data(), fences.data(), fences.size());
  absl::StatusOr<BloomFilter> bloom = BloomFilter::OfBytes(load_run_.ColumnInt(3));
  if (!bloom.ok()) return bad(bloom.status().message());
  run.bloom = *std::move(bloom);
  load_run_.Reset();
  // The filter's pieces, in order.
  const size_t pieces = (run.bloom.bytes() + kBloomPieceBytes - 1) / kBloomPieceBytes;
  const int64_t first = (id << kChunkShift) | kBloomFirstRow;
  read_run_chunks_.BindInt(1, first).BindInt(2, first + int64_t(pieces) - 1);
  size_t piece = 0;
  bool well_formed = true;
  while (well_formed) {
    DUBARE_ASSIGN_OR_RETURN(bool row, read_run_chunks_.Step());
    if (!row) break;
    const size_t offset = piece * kBloomPieceBytes;
    absl::string_view bytes = read_run_chunks_.ColumnBlob(1);
    well_formed = read_run_chunks_.ColumnInt(0) == first + int64_t(piece) &&
                  read_run_chunks_.ColumnInt(2) != 0 &&
                  bytes.size() == std::min(kBloomPieceBytes, run.bloom.bytes() - offset);
    if (well_formed) std::memcpy(run.bloom.mutable_bytes() + offset, bytes.data(), bytes.size());
    ++piece;
  }
  read_run_chunks_.Reset();
  if (!well_formed || piece != pieces) {
    return bad("Bloom filter pieces missing, malformed or failing their checksum");
  }
  runs_[id] = std::move(run);
  return absl::OkStatus();
}

absl::Status RunStore::WriteBloomPieces(int64_t run, const BloomFilter& bloom, size_t end,
                                        size_t* piece) {
  while (true) {
    const size_t offset = *piece * kBloomPieceBytes;
    if (offset >= bloom.bytes()) break;
    const size_t n = std::min(kBloomPieceBytes, bloom.bytes() - offset);
    if (offset + n > end) break;
    insert_chunk_.BindInt(1, (run << kChunkShift) | (kBloomFirstRow + *piece))
        .BindBlob(2, bloom.Bytes(offset, n));
    DUBARE_RETURN_IF_ERROR(insert_chunk_.Run());
    ++*piece;
  }
  return absl::OkStatus();
}

absl::Status RunStore::Lookup(absl::Span<const uint64_t> keys,
                              std::vector<std::vector<uint32_t>>* docs) {
  docs->resize(keys.size());
  std::vector<Entry> sorted(keys.size()), scratch;
  for (size_t i = 0; i < keys.size(); ++i) sorted[i] = {keys[i], static_cast<uint32_t>(i)};
  SortByKey(&sorted, &scratch);
  return LookupSorted(sorted, docs);
}

namespace {

// In key order, a filter's blocks and a run's chunks are visited in address
// order. The filters of a large index do not fit in cache: each block is
// fetched kAhead keys before it is tested, so that misses overlap. Calls
// hit(i) for each i in [begin, end) whose key the filter may hold.
template <typename Hit>
absl::Status ProbeFilter(const BloomFilter& bloom, absl::Span<const Entry> sorted, size_t begin,
                         size_t end, Hit hit) {
  constexpr size_t kAhead = 16;
  for (size_t i = begin; i < std::min(begin + kAhead, end); ++i) {
    __builtin_prefetch(bloom.Block(sorted[i].key));
  }
  for (size_t i = begin; i < end; ++i) {
    if (i + kAhead < end) __builtin_prefetch(bloom.Block(sorted[i + kAhead].key));
    const uint64_t key = sorted[i].key;
    if (BloomFilter::BlockContains(bloom.Block(key), key)) DUBARE_RETURN_IF_ERROR(hit(i));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunStore::LookupSorted(absl::Span<const Entry> sorted,
                                    std::vector<std::vector<uint32_t>>* docs) {
  // Runs already in memory are searched by up to threads_ threads, each
  // taking slices of the keys; meanwhile this thread reads the chunks of the
  // others (SQLite is used by this thread only). The two sets are disjoint
  // and fixed for the call, so the workers only read what they search.
  std::vector<const Run*> loaded;
  std::vector<std::pair<int64_t, Run*>> stored;
  for (auto& [id, run] : runs_) {
    if (run.keys.empty()) {
      stored.emplace_back(id, &run);
    } else {
      loaded.push_back(&run);
    }
  }
  constexpr size_t kSliceKeys = 2048;
  const size_t slices = loaded.empty() ? 0 : (sorted.size() + kSliceKeys - 1) / kSliceKeys;
  // (key index, document) per slice, appended in slice order below so that
  // the answer does not depend on which thread took which slice.
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> found(slices);
  std::atomic<size_t> next_slice{0};
  auto search_loaded = [&] {
    std::vector<uint32_t> hits;
    for (size_t s; (s = next_slice.fetch_add(1, std::memory_order_relaxed)) < slices;) {
      const size_t begin = s * kSliceKeys, end = std::min(sorted.size(), begin + kSliceKeys);
      for (const Run* run : loaded) {
        // Cannot fail: LookupInMemory reads no file.
        (void)ProbeFilter(run->bloom, sorted, begin, end, [&](size_t i) {
          hits.clear();
          LookupInMemory(*run, sorted[i].key, &hits);
          for (uint32_t doc : hits) found[s].emplace_back(sorted[i].doc, doc);
          return absl::OkStatus();
        });
      }
    }
  };
  std::vector<std::thread> workers;
  for (size_t t = 1; t < std::min<size_t>(threads_, slices); ++t) workers.emplace_back(search_loaded);

  absl::Status status;
  // Keys of a batch that fall in one chunk share its read: keys go in order,
  // so only the last chunk read is kept.
  LastChunk last;
  for (auto& entry : stored) {
    const int64_t id = entry.first;  // not a structured binding: clang 14 cannot capture one
    Run* const run = entry.second;
    status = ProbeFilter(run->bloom, sorted, 0, sorted.size(), [&](size_t i) -> absl::Status {
      std::vector<uint32_t>* out = &(*docs)[sorted[i].doc];
      if (run->resident && run->keys.empty() && run->chunk_reads * 4 >= run->chunks) {
        DUBARE_RETURN_IF_ERROR(LoadResident(id, run));
      }
      if (run->keys.empty()) return LookupInRun(id, *run, sorted[i].key, &last, out);
      LookupInMemory(*run, sorted[i].key, out);
      return absl::OkStatus();
    });
    if (!status.ok()) {
      next_slice.store(slices);  // the workers stop after their current slice
      break;
    }
  }
  search_loaded();
  for (std::thread& worker : workers) worker.join();
  DUBARE_RETURN_IF_ERROR(status);
  for (const auto& slice : found) {
    for (const auto& [key, doc] : slice) (*docs)[key].push_back(doc);
  }
  return absl::OkStatus();
}

absl::Status RunStore::LoadResident(int64_t id, Run* run) {
  run->keys.reserve(run->entries);
  run->docs.reserve(run->entries);
  // A chunk holds its keys and then its documents, each an array in the
  // byte order Load reads: appended whole.
  absl::Status read = ForEachChunk(id, *run, [run](const char* keys, const char* docs, size_t n) {
    const size_t at = run->keys.size();
    run->keys.resize(at + n);
    run->docs.resize(at + n);
    std::memcpy(run->keys.data() + at, keys, n * sizeof(uint64_t));
    std::memcpy(run->docs.data() + at, docs, n * sizeof(uint32_t));
  });
  if (!read.ok()) {
    run->keys = std::vector<uint64_t>();
    run->docs = std::vector<uint32_t>();
  }
  return read;
}

void RunStore::LookupInMemory(const Run& run, uint64_t key, std::vector<uint32_t>* docs) {
  // The fences narrow the search to one chunk, whose keys lie between its
  // fence and the next: both are in cache, so the guess reads no key.
  const size_t chunk = FirstChunkWith(run, key);
  const size_t first = chunk * size_t{kChunkEntries};
  const uint64_t next_fence = chunk + 1 < run.fences.size() ? run.fences[chunk + 1] : UINT64_MAX;
  size_t i = InterpolatedLowerBound(run.keys.data(), first,
                                    std::min(first + kChunkEntries, run.keys.size()), key,
                                    run.fences[chunk], next_fence);
  for (; i < run.keys.size() && run.keys[i] == key; ++i) docs->push_back(run.docs[i]);
}

size_t RunStore::FirstChunkWith(const Run& run, uint64_t key) {
  // The last chunk starting at or before `key`; equal keys may also end the
  // chunks before it.
  auto it = std::upper_bound(run.fences.begin(), run.fences.end(), key);
  size_t chunk = it == run.fences.begin() ? 0 : static_cast<size_t>(it - run.fences.begin()) - 1;
  while (chunk > 0 && run.fences[chunk] == key) --chunk;
  return chunk;
}

absl::Status RunStore::LookupInRun(int64_t id, Run& run, uint64_t key, LastChunk* last,
                                   std::vector<uint32_t>* docs) {
  if (key < run.fences[0]) return absl::OkStatus();
  for (size_t chunk = FirstChunkWith(run, key);; ++chunk) {
    if (last->run != id || last->chunk != chunk) {
      read_chunk_.BindInt(1, (id << kChunkShift) | int64_t(chunk));
      DUBARE_ASSIGN_OR_RETURN(bool row, read_chunk_.Step());
      // A chunk failing its checksum reads as missing.
      absl::string_view blob =
          row && read_chunk_.ColumnInt(1) != 0 ? read_chunk_.ColumnBlob(0) : absl::string_view();
      last->bytes.assign(blob.data(), blob.size());
      read_chunk_.Reset();
      last->run = id;
      last->chunk = chunk;
      ++run.chunk_reads;
    }
    absl::string_view bytes = last->bytes;
    const int64_t n = ChunkSize(bytes);
    if (n <= 0) {
      last->run = -1;
      return absl::DataLossError(
          absl::StrCat(db_->path(), ": run ", id, " chunk ", chunk,
                       " is missing, malformed or fails its checksum"));
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
    // The key goes on only if it also starts the next chunk.
    if (i < n || chunk + 1 == run.chunks || run.fences[chunk + 1] != key) break;
  }
  return absl::OkStatus();
}

absl::Status RunStore::ForEachChunk(
    int64_t id, const Run& run,
    absl::FunctionRef<void(const char* keys, const char* docs, size_t n)> add) {
  read_run_chunks_.BindInt(1, id << kChunkShift)
      .BindInt(2, (id << kChunkShift) | (kBloomFirstRow - 1));
  int64_t expected = id << kChunkShift;
  uint64_t entries = 0;
  Entry last;
  bool sorted = true;
  while (true) {
    DUBARE_ASSIGN_OR_RETURN(bool row, read_run_chunks_.Step());
    if (!row) break;
    absl::string_view bytes = read_run_chunks_.ColumnBlob(1);
    const int64_t n = read_run_chunks_.ColumnInt(0) == expected && read_run_chunks_.ColumnInt(2) != 0
                          ? ChunkSize(bytes)
                          : -1;
    if (n <= 0) {
      read_run_chunks_.Reset();
      return absl::DataLossError(absl::StrCat(db_->path(), ": run ", id, " chunk ",
                                              expected & kChunkMask,
                                              " is missing, malformed or fails its checksum"));
    }
    const char* keys = bytes.data() + 4;
    const char* docs = keys + n * 8;
    // (key, doc) pairs in order, within the chunk and across chunks.
    Entry prev = entries == 0 ? Entry{Load<uint64_t>(keys), Load<uint32_t>(docs)} : last;
    for (int64_t i = 0; i < n; ++i) {
      const Entry e{Load<uint64_t>(keys + i * 8), Load<uint32_t>(docs + i * 4)};
      sorted &= !(e < prev);
      prev = e;
    }
    last = prev;
    entries += static_cast<uint64_t>(n);
    add(keys, docs, static_cast<size_t>(n));
    ++expected;
  }
  read_run_chunks_.Reset();
  if ((expected & kChunkMask) != run.chunks || entries != run.entries || !sorted) {
    return absl::DataLossError(absl::StrCat(
        db_->path(), ": run ", id, " holds ", expected & kChunkMask, " chunks and ", entries,
        " entries (expected ", run.chunks, " and ", run.entries, ", sorted)"));
  }
  return absl::OkStatus();
}

absl::Status RunStore::ReadRun(int64_t id, const Run& run, std::vector<Entry>* out) {
  return ForEachChunk(id, run, [out](const char* keys, const char* docs, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      out->push_back({Load<uint64_t>(keys + i * 8), Load<uint32_t>(docs + i * 4)});
    }
  });
}

absl::Status RunStore::ReadChunk(int64_t run, uint32_t chunk, std::vector<Entry>* out) {
  read_chunk_.BindInt(1, (run << kChunkShift) | chunk);
  absl::StatusOr<bool> row = read_chunk_.Step();
  absl::Status status = !row.ok() ? row.status()
                        : !*row   ? absl::DataLossError("missing")
                        : read_chunk_.ColumnInt(1) == 0
                            ? absl::DataLossError("fails its checksum")
                            : DecodeChunk(read_chunk_.ColumnBlob(0), out);
  read_chunk_.Reset();
  if (!status.ok()) {
    return Annotate(status, absl::StrCat(db_->path(), ": run ", run, " chunk ", chunk));
  }
  return absl::OkStatus();
}

absl::Status RunStore::WriteChunk(int64_t run, uint32_t chunk, absl::Span<const Entry> entries) {
  if (chunk >= kBloomFirstRow) {
    return absl::ResourceExhaustedError(
        absl::StrCat(db_->path(), ": run ", run, " would exceed ", kBloomFirstRow, " chunks"));
  }
  EncodeChunk(entries, &chunk_buffer_);
  insert_chunk_.BindInt(1, (run << kChunkShift) | chunk).BindBlob(2, chunk_buffer_);
  return insert_chunk_.Run();
}

absl::Status RunStore::Append(absl::Span<const Entry> entries) {
  DUBARE_RETURN_IF_ERROR(Prepare());
  if (entries.empty()) return absl::OkStatus();
  Run run;
  run.entries = entries.size();
  run.chunks = static_cast<uint32_t>((entries.size() + kChunkEntries - 1) / kChunkEntries);
  run.bloom = BloomFilter(entries.size());
  std::string fences;
  for (size_t i = 0; i < entries.size(); ++i) {
    run.bloom.Add(entries[i].key);
    if (i % kChunkEntries == 0) {
      run.fences.push_back(entries[i].key);
      Store<uint64_t>(&fences, entries[i].key);
    }
  }
  insert_run_.BindInt(1, run.entries)
      .BindInt(2, run.chunks)
      .BindBlob(3, fences)
      .BindInt(4, static_cast<int64_t>(run.bloom.bytes()));
  DUBARE_RETURN_IF_ERROR(insert_run_.Run());
  const int64_t id = db_->LastInsertRowid();
  for (uint32_t c = 0; c < run.chunks; ++c) {
    DUBARE_RETURN_IF_ERROR(
        WriteChunk(id, c, entries.subspan(size_t{c} * kChunkEntries, kChunkEntries)));
  }
  size_t piece = 0;
  DUBARE_RETURN_IF_ERROR(WriteBloomPieces(id, run.bloom, run.bloom.bytes(), &piece));
  Run& added = runs_[id] = std::move(run);
  ChooseResident();
  if (added.resident) {
    added.keys.reserve(entries.size());
    added.docs.reserve(entries.size());
    added.Hold(entries);
  }
  return absl::OkStatus();
}

absl::Status RunStore::MarkRemoved(uint32_t doc) {
  DUBARE_RETURN_IF_ERROR(Prepare());
  insert_removed_.BindInt(1, doc);
  return insert_removed_.Run();
}

absl::Status RunStore::MarkObsolete(int64_t id) {
  obsolete_run_.BindInt(1, id);
  DUBARE_RETURN_IF_ERROR(obsolete_run_.Run());
  runs_.erase(id);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> RunStore::DeleteObsolete(uint32_t max_rows) {
  uint64_t deleted = 0;
  while (deleted < max_rows) {
    DUBARE_ASSIGN_OR_RETURN(bool row, next_obsolete_.Step());
    const int64_t id = row ? next_obsolete_.ColumnInt(0) : 0;
    next_obsolete_.Reset();
    if (!row) break;
    const uint64_t limit = max_rows - deleted;
    delete_some_chunks_.BindInt(1, id << kChunkShift)
        .BindInt(2, (id << kChunkShift) | kChunkMask)
        .BindInt(3, static_cast<int64_t>(limit));
    DUBARE_RETURN_IF_ERROR(delete_some_chunks_.Run());
    const uint64_t n = sqlite3_changes(db_->handle());
    deleted += n;
    if (n < limit) {  // its last rows are gone
      delete_run_.BindInt(1, id);
      DUBARE_RETURN_IF_ERROR(delete_run_.Run());
      ++deleted;
    }
  }
  return deleted;
}

// ---- Merging ------------------------------------------------------------------

absl::Status RunStore::StartMerge(std::vector<int64_t> inputs) {
  MergeState merge;
  merge.all_runs = inputs.size() == runs_.size();
  DUBARE_RETURN_IF_ERROR(reserve_run_.Run());
  merge.output = db_->LastInsertRowid();
  DUBARE_ASSIGN_OR_RETURN(Stmt removed, db_->Prepare("SELECT doc FROM removed"));
  while (true) {
    DUBARE_ASSIGN_OR_RETURN(bool row, removed.Step());
    if (!row) break;
    const uint32_t doc = static_cast<uint32_t>(removed.ColumnInt(0));
    merge.removed_docs.push_back(doc);
    if (doc / 64 >= merge.removed_bits.size()) merge.removed_bits.resize(doc / 64 + 1);
    merge.removed_bits[doc / 64] |= uint64_t{1} << (doc % 64);
  }
  bool inputs_loaded = true;
  for (int64_t id : inputs) {
    const Run& run = runs_.at(id);
    MergeState::Cursor& cursor = merge.cursors.emplace_back();
    cursor.run = id;
    cursor.chunks = run.chunks;
    merge.input_entries += run.entries;
    inputs_loaded &= !run.keys.empty();
  }
  merge.inputs = std::move(inputs);
  merge.out.bloom = BloomFilter(merge.input_entries);
  // The output of runs in memory that fits there is kept as it is written:
  // the next lookups would load it anyway.
  merge.keep_output =
      inputs_loaded && merge.input_entries * kHeldEntryBytes <= resident_bytes_;
  merges_.push_back(std::move(merge));
  return absl::OkStatus();
}

absl::Status RunStore::StartDueMerges() {
  // Complete runs that no merge of ours reads, by level, oldest first.
  std::map<int, std::vector<int64_t>> idle;
  for (const auto& [id, run] : runs_) {
    // A named copy: clang 14 cannot capture a structured binding (fuzz builds).
    const int64_t run_id = id;
    const bool busy = std::any_of(merges_.begin(), merges_.end(), [&](const MergeState& m) {
      return std::find(m.inputs.begin(), m.inputs.end(), run_id) != m.inputs.end();
    });
    if (!busy) idle[RunLevel(run.entries)].push_back(id);
  }
  for (auto& [level, ids] : idle) {
    for (size_t i = 0; i + kMergeFanout <= ids.size(); i += kMergeFanout) {
      DUBARE_RETURN_IF_ERROR(
          StartMerge(std::vector<int64_t>(ids.begin() + i, ids.begin() + i + kMergeFanout)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> RunStore::StillValid(const MergeState& merge) {
  for (int64_t id : merge.inputs) {
    if (!runs_.contains(id)) return false;
  }
  run_state_.BindInt(1, merge.output);
  absl::StatusOr<bool> row = run_state_.Step();
  const bool writing = row.ok() && *row && run_state_.ColumnInt(0) == kWriting;
  run_state_.Reset();
  if (!row.ok()) return row.status();
  return writing;
}

absl::StatusOr<uint64_t> RunStore::Advance(MergeState* merge, uint32_t max_chunks, bool* done) {
  uint64_t written = 0;
  uint32_t chunks = 0;
  auto emit_chunk = [&]() -> absl::Status {
    Run& out = merge->out;
    const size_t n = merge->pending.size();
    DUBARE_RETURN_IF_ERROR(WriteChunk(merge->output, out.chunks, merge->pending));
    if (merge->keep_output) out.Hold(merge->pending);
    out.fences.push_back(merge->pending[0].key);
    Store<uint64_t>(&merge->fences, merge->pending[0].key);
    ++out.chunks;
    out.entries += n;
    written += n;
    ++chunks;
    // Later keys map to this block or later ones: the filter is final below.
    const size_t final_bytes =
        out.bloom.BlockIndex(merge->pending.back().key) * BloomFilter::kBlockBytes;
    merge->pending.clear();
    return WriteBloomPieces(merge->output, out.bloom, final_bytes, &merge->bloom_pieces);
  };
  const std::vector<uint64_t>& removed = merge->removed_bits;
  auto dead = [&](uint32_t doc) {
    return doc / 64 < removed.size() && (removed[doc / 64] >> (doc % 64)) & 1;
  };
  while (chunks < max_chunks) {
    // Refill the cursors whose chunk is used up; drop the exhausted ones.
    for (size_t c = 0; c < merge->cursors.size();) {
      MergeState::Cursor& cursor = merge->cursors[c];
      if (cursor.pos == cursor.entries.size()) {
        cursor.entries.clear();
        cursor.pos = 0;
        if (cursor.next_chunk == cursor.chunks) {
          merge->cursors.erase(merge->cursors.begin() + c);
          continue;
        }
        DUBARE_RETURN_IF_ERROR(NextChunk(&cursor));
      }
      ++c;
    }
    if (merge->cursors.empty()) break;
    // Merge until some cursor's chunk is used up or a chunk is full. Which
    // cursor holds the smallest head is a coin toss (band keys are hashes),
    // so the heads are copied out as 96-bit (key, doc) numbers whose minimum
    // the compiler finds with compares and conditional moves, not branches
    // that would mispredict (this loop was most of a merge's CPU).
    const size_t n = merge->cursors.size();  // more than kMergeFanout in a compaction
    absl::InlinedVector<unsigned __int128, kMergeFanout> head_store(n);
    absl::InlinedVector<const Entry*, 2 * kMergeFanout> bounds(2 * n);
    unsigned __int128* const head = head_store.data();
    const Entry** const next = bounds.data();
    const Entry** const end = next + n;
    auto pack = [](const Entry& e) { return static_cast<unsigned __int128>(e.key) << 32 | e.doc; };
    for (size_t c = 0; c < n; ++c) {
      MergeState::Cursor& cursor = merge->cursors[c];
      next[c] = cursor.entries.data() + cursor.pos;
      end[c] = cursor.entries.data() + cursor.entries.size();
      head[c] = pack(*next[c]);
    }
    while (merge->pending.size() < kChunkEntries) {
      size_t m = 0;
      unsigned __int128 min = head[0];
      for (size_t c = 1; c < n; ++c) {
        const bool less = head[c] < min;
        m = less ? c : m;
        min = less ? head[c] : min;
      }
      const Entry e = *next[m]++;
      if (!dead(e.doc)) {
        merge->out.bloom.Add(e.key);
        merge->pending.push_back(e);
      }
      if (next[m] == end[m]) break;
      head[m] = pack(*next[m]);
    }
    for (size_t c = 0; c < n; ++c) {
      MergeState::Cursor& cursor = merge->cursors[c];
      cursor.pos = next[c] - cursor.entries.data();
    }
    if (merge->pending.size() >= kChunkEntries) DUBARE_RETURN_IF_ERROR(emit_chunk());
  }
  *done = merge->cursors.empty();
  if (*done && !merge->pending.empty()) DUBARE_RETURN_IF_ERROR(emit_chunk());
  return written;
}

absl::Status RunStore::NextChunk(MergeState::Cursor* cursor) {
  const uint32_t chunk = cursor->next_chunk++;
  auto it = runs_.find(cursor->run);
  if (it == runs_.end() || it->second.keys.empty()) {
    return ReadChunk(cursor->run, chunk, &cursor->entries);
  }
  const Run& run = it->second;
  const size_t begin = size_t{chunk} * kChunkEntries;
  const size_t end = std::min(begin + kChunkEntries, run.keys.size());
  for (size_t i = begin; i < end; ++i) cursor->entries.push_back({run.keys[i], run.docs[i]});
  return absl::OkStatus();
}

absl::Status RunStore::Finish(MergeState* merge) {
  Run& out = merge->out;
  if (out.entries == 0) {  // every entry was a removed document's
    DUBARE_RETURN_IF_ERROR(MarkObsolete(merge->output));
  } else {
    DUBARE_RETURN_IF_ERROR(
        WriteBloomPieces(merge->output, out.bloom, out.bloom.bytes(), &merge->bloom_pieces));
    finish_run_.BindInt(1, out.entries)
        .BindInt(2, out.chunks)
        .BindBlob(3, merge->fences)
        .BindInt(4, static_cast<int64_t>(out.bloom.bytes()))
        .BindInt(5, merge->output);
    DUBARE_RETURN_IF_ERROR(finish_run_.Run());
  }
  for (int64_t id : merge->inputs) DUBARE_RETURN_IF_ERROR(MarkObsolete(id));
  if (merge->all_runs) {
    // No other run holds entries of these documents: they are purged.
    for (uint32_t doc : merge->removed_docs) {
      clear_removed_.BindInt(1, doc);
      DUBARE_RETURN_IF_ERROR(clear_removed_.Run());
    }
  }
  if (out.entries > 0) runs_[merge->output] = std::move(out);
  ChooseResident();
  last_finished_ = merge->output;
  return absl::OkStatus();
}

void RunStore::AbandonAll() {
  for (const MergeState& merge : merges_) abandoned_.push_back(merge.output);
  merges_.clear();
}

void RunStore::RollbackAndAbandon() {
  if (!sqlite3_get_autocommit(db_->handle())) sqlite3_exec(db_->handle(), "ROLLBACK", 0, 0, 0);
  AbandonAll();
  Invalidate();  // the cache may hold runs of the rolled-back transaction
}

absl::StatusOr<uint64_t> RunStore::MergeStep(uint32_t max_chunks) {
  DUBARE_RETURN_IF_ERROR(Prepare());
  DUBARE_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  absl::StatusOr<uint64_t> written = [&]() -> absl::StatusOr<uint64_t> {
    DUBARE_RETURN_IF_ERROR(Sync());
    // Deletion gets a whole step whatever the budget, so that it keeps up
    // with small batches. Deleting a row costs about a quarter of writing a
    // chunk.
    DUBARE_ASSIGN_OR_RETURN(uint64_t deleted, DeleteObsolete(step_chunks_));
    uint64_t work = deleted * (kChunkEntries / 4);
    // Outputs of merges that died with their writer, or that we gave up.
    std::vector<int64_t> orphans = std::move(abandoned_);
    abandoned_.clear();
    if (!swept_orphans_) {
      DUBARE_ASSIGN_OR_RETURN(Stmt flagged, db_->Prepare("SELECT run FROM runs WHERE state = 1"));
      while (true) {
        DUBARE_ASSIGN_OR_RETURN(bool row, flagged.Step());
        if (!row) break;
        const int64_t id = flagged.ColumnInt(0);
        if (std::none_of(merges_.begin(), merges_.end(),
                         [&](const MergeState& m) { return m.output == id; })) {
          orphans.push_back(id);
        }
      }
    }
    for (int64_t id : orphans) DUBARE_RETURN_IF_ERROR(MarkObsolete(id));
    for (size_t i = 0; i < merges_.size();) {
      DUBARE_ASSIGN_OR_RETURN(bool valid, StillValid(merges_[i]));
      if (valid) {
        ++i;
        continue;
      }
      // Another writer merged an input first.
      DUBARE_RETURN_IF_ERROR(MarkObsolete(merges_[i].output));
      merges_.erase(merges_.begin() + i);
    }
    DUBARE_RETURN_IF_ERROR(StartDueMerges());
    if (merges_.empty()) return work;
    // The smallest merge first, so that small runs do not pile up behind a
    // large merge.
    auto merge = std::min_element(merges_.begin(), merges_.end(),
                                  [](const MergeState& a, const MergeState& b) {
                                    return a.input_entries < b.input_entries;
                                  });
    bool done = false;
    DUBARE_ASSIGN_OR_RETURN(uint64_t n, Advance(&*merge, max_chunks, &done));
    if (done) {
      DUBARE_RETURN_IF_ERROR(Finish(&*merge));
      merges_.erase(merge);
    }
    return work + std::max<uint64_t>(n, 1);  // a step that only finished made progress too
  }();
  if (written.ok()) {
    absl::Status committed = db_->Exec("COMMIT");
    if (committed.ok()) {
      swept_orphans_ = true;
      return written;
    }
    written = committed;
  }
  RollbackAndAbandon();
  return written.status();
}

absl::StatusOr<uint64_t> RunStore::Merge(uint64_t budget) {
  uint64_t written = 0;
  while (written < budget) {
    const uint64_t left_chunks = (budget - written + kChunkEntries - 1) / kChunkEntries;
    const uint32_t step = static_cast<uint32_t>(std::min<uint64_t>(step_chunks_, left_chunks));
    DUBARE_ASSIGN_OR_RETURN(uint64_t n, MergeStep(step));
    if (n == 0) break;
    written += n;
  }
  return written;
}

absl::StatusOr<RunStore::CompactStats> RunStore::Compact() {
  DUBARE_RETURN_IF_ERROR(Prepare());
  AbandonAll();  // our merges in progress would only be redone by the compaction
  CompactStats stats;
  // Another writer may merge some of the inputs first; then start over.
  for (int attempt = 0; attempt < 4; ++attempt) {
    int64_t output = 0;
    DUBARE_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
    absl::Status s = [&]() -> absl::Status {
      DUBARE_RETURN_IF_ERROR(Sync());
      DUBARE_ASSIGN_OR_RETURN(int64_t removed, db_->QueryInt("SELECT count(*) FROM removed"));
      if (attempt == 0) {
        stats.runs_before = runs_.size();
        stats.entries_before = num_entries();
      }
      if (runs_.size() <= 1 && (removed == 0 || runs_.empty())) return absl::OkStatus();
      std::vector<int64_t> inputs;
      for (const auto& [id, run] : runs_) inputs.push_back(id);
      DUBARE_RETURN_IF_ERROR(StartMerge(std::move(inputs)));
      output = merges_.back().output;
      return absl::OkStatus();
    }();
    if (s.ok()) s = db_->Exec("COMMIT");
    if (!s.ok()) {
      RollbackAndAbandon();
      return s;
    }
    if (output == 0) break;
    while (std::any_of(merges_.begin(), merges_.end(),
                       [&](const MergeState& m) { return m.output == output; })) {
      DUBARE_RETURN_IF_ERROR(MergeStep(step_chunks_).status());
    }
    if (last_finished_ == output) break;
  }
  DUBARE_RETURN_IF_ERROR(Merge(UINT64_MAX).status());  // deletes the obsolete runs
  stats.runs_after = runs_.size();
  stats.entries_after = num_entries();
  return stats;
}

uint64_t RunStore::SumOverRuns(absl::FunctionRef<uint64_t(const Run&)> f) const {
  uint64_t n = 0;
  for (const auto& [id, run] : runs_) n += f(run);
  return n;
}

uint64_t RunStore::num_entries() const {
  return SumOverRuns([](const Run& run) { return run.entries; });
}

size_t RunStore::memory_bytes() const {
  return SumOverRuns([](const Run& run) { return run.bloom.bytes() + run.fences.size() * 8; });
}

size_t RunStore::resident_runs() const {
  return SumOverRuns([](const Run& run) -> uint64_t { return run.resident; });
}

size_t RunStore::resident_bytes() const {
  return SumOverRuns([](const Run& run) { return run.keys.size() * kHeldEntryBytes; });
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
  DUBARE_ASSIGN_OR_RETURN(
      int64_t strays,
      db_->QueryInt("SELECT count(*) FROM chunks WHERE chunk >> 24 NOT IN (SELECT run FROM runs)"));
  if (strays > 0) {
    return absl::DataLossError(
        absl::StrCat(db_->path(), ": ", strays, " chunks belong to no run"));
  }
  return all;
}

}  // namespace dubare::index_internal
