// Copyright 2026 The Dubare Authors.
//
// The band-key run store against a plain multimap: lookups after many
// appends and merges (including keys repeated across chunk boundaries), the
// bound on the number of runs, appends that write only their own run and
// merges in bounded transactions, interrupted merges and their cleanup, two
// writers merging at once, removed documents, chunk encoding, and the Bloom
// filter (no false negatives, a false-positive rate near its design).

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "index/index_test_util.h"
#include "index/runs.h"
#include "index/sqlite.h"

namespace dubare::index_internal {
namespace {

TEST(BloomFilterTest, NoFalseNegativesAndFewFalsePositives) {
  std::mt19937_64 rng(5);
  std::vector<uint64_t> keys(50000);
  for (uint64_t& k : keys) k = rng();
  BloomFilter filter(keys.size());
  for (uint64_t k : keys) filter.Add(k);
  // Stored and read back in pieces, as the run store does.
  absl::StatusOr<BloomFilter> decoded = BloomFilter::OfBytes(filter.bytes());
  ASSERT_TRUE(decoded.ok());
  for (size_t offset = 0; offset < filter.bytes(); offset += 1000) {
    absl::string_view piece = filter.Bytes(offset, 1000);
    std::memcpy(decoded->mutable_bytes() + offset, piece.data(), piece.size());
  }
  for (uint64_t k : keys) ASSERT_TRUE(decoded->MayContain(k));
  int false_positives = 0;
  const int probes = 200000;
  for (int i = 0; i < probes; ++i) false_positives += decoded->MayContain(rng());
  EXPECT_LT(false_positives, probes * 3 / 100);  // ~1-2% at 10 bits per key
  EXPECT_FALSE(BloomFilter::OfBytes(0).ok());
  EXPECT_FALSE(BloomFilter::OfBytes(100).ok());
}

TEST(ChunkTest, EncodeDecodeRoundTrip) {
  std::vector<Entry> entries = {{1, 2}, {5, 7}, {~uint64_t{0}, 0xFFFFFFFFu}};
  std::string bytes;
  EncodeChunk(entries, &bytes);
  std::vector<Entry> decoded;
  ASSERT_TRUE(DecodeChunk(bytes, &decoded).ok());
  EXPECT_EQ(decoded, entries);
  EXPECT_FALSE(DecodeChunk(bytes.substr(0, bytes.size() - 1), &decoded).ok());
  EXPECT_FALSE(DecodeChunk("", &decoded).ok());
}

TEST(InterpolatedLowerBoundTest, EqualsStdLowerBound) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 300; ++round) {
    // Uniform hashes, clustered values, long runs of one key, tiny ranges.
    const size_t n = rng() % 400;
    std::vector<uint64_t> keys(n);
    for (uint64_t& k : keys) {
      k = round % 4 == 0   ? rng()
          : round % 4 == 1 ? (rng() % 8) << 61
          : round % 4 == 2 ? 1000 + rng() % 3
                           : ~uint64_t{0} - rng() % 5;
    }
    std::sort(keys.begin(), keys.end());
    for (int probe = 0; probe < 50; ++probe) {
      const uint64_t key = probe % 3 == 0 && n > 0 ? keys[rng() % n] + (probe % 2) : rng();
      const size_t begin = n ? rng() % (n + 1) : 0;
      const size_t end = begin + (n - begin ? rng() % (n - begin + 1) : 0);
      const size_t expected =
          std::lower_bound(keys.begin() + begin, keys.begin() + end, key) - keys.begin();
      // The bounds of the guess: right, or anything at all (they are a hint).
      const bool right = probe % 2 == 0 && begin < end;
      const uint64_t lo = right ? keys[begin] : rng() >> (rng() % 64);
      const uint64_t hi = right ? (end < n ? keys[end] : ~uint64_t{0}) : rng() >> (rng() % 64);
      ASSERT_EQ(InterpolatedLowerBound(keys.data(), begin, end, key, lo, hi), expected)
          << "round " << round << " key " << key << " [" << begin << ", " << end << ") lo " << lo
          << " hi " << hi;
    }
  }
}

TEST(SortByKeyTest, EqualsStdSort) {
  std::mt19937_64 rng(8);
  std::vector<Entry> scratch;
  for (uint32_t docs : {10, 500, 3000}) {
    std::vector<Entry> entries;
    std::vector<uint64_t> pool(docs / 2 + 1);  // keys shared by a few documents
    for (uint64_t& key : pool) key = rng();
    for (uint32_t doc = 0; doc < docs; ++doc) {
      for (int k = 0; k < 9; ++k) {
        // Many equal keys, keys that differ only in their high bits, keys that
        // a few documents share (ties in small buckets), and unique keys.
        const uint64_t key = k == 0   ? rng() % 50
                             : k == 1 ? (rng() % 4) << 60
                             : k == 2 ? pool[rng() % pool.size()]
                                      : rng();
        entries.push_back({key, doc});
      }
    }
    std::shuffle(entries.begin(), entries.end(), rng);  // the order is (key, doc), not input order
    std::vector<Entry> expected = entries;
    std::sort(expected.begin(), expected.end());
    SortByKey(&entries, &scratch);
    EXPECT_EQ(entries, expected) << docs;
  }
}

// Counts, per committed transaction of a connection, the data chunks it
// inserted (SQLite's update and commit hooks; filter pieces are not counted).
class ChunkWriteCounter {
 public:
  explicit ChunkWriteCounter(Db* db) : db_(db) {
    sqlite3_update_hook(db_->handle(), &ChunkWriteCounter::OnUpdate, this);
    sqlite3_commit_hook(db_->handle(), &ChunkWriteCounter::OnCommit, this);
  }
  ~ChunkWriteCounter() {
    sqlite3_update_hook(db_->handle(), nullptr, nullptr);
    sqlite3_commit_hook(db_->handle(), nullptr, nullptr);
  }
  // Chunks inserted by each transaction committed since the last call.
  std::vector<int> Take() { return std::exchange(committed_, {}); }

 private:
  static void OnUpdate(void* self, int op, const char*, const char* table, sqlite3_int64 rowid) {
    auto* counter = static_cast<ChunkWriteCounter*>(self);
    const bool data = (rowid & ((int64_t{1} << kChunkShift) - 1)) < kBloomFirstRow;
    if (op == SQLITE_INSERT && std::string(table) == "chunks" && data) ++counter->current_;
  }
  static int OnCommit(void* self) {
    auto* counter = static_cast<ChunkWriteCounter*>(self);
    counter->committed_.push_back(std::exchange(counter->current_, 0));
    return 0;
  }
  Db* db_;
  int current_ = 0;
  std::vector<int> committed_;
};

std::unique_ptr<Db> NewStoreDb(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(path, true, false);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return nullptr;
  EXPECT_TRUE((*db)->Exec("PRAGMA journal_mode=WAL; BEGIN").ok());
  EXPECT_TRUE(RunStore::CreateSchema(db->get()).ok());
  EXPECT_TRUE((*db)->Exec("COMMIT").ok());
  return *std::move(db);
}

// Appends `entries` (sorted here) as one transaction, as a batch does.
void AppendBatch(Db* db, RunStore* store, std::vector<Entry> entries) {
  std::sort(entries.begin(), entries.end());
  ASSERT_TRUE(db->Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE(store->Sync().ok());
  ASSERT_TRUE(store->Append(entries).ok());
  ASSERT_TRUE(db->Exec("COMMIT").ok());
}

// The store's answers for `probe` equal the multimap's.
void ExpectSameLookups(Db* db, RunStore* store, const std::multimap<uint64_t, uint32_t>& reference,
                       const std::vector<uint64_t>& probe) {
  ASSERT_TRUE(db->Exec("BEGIN").ok());
  ASSERT_TRUE(store->Sync().ok());
  std::vector<std::vector<uint32_t>> found;
  ASSERT_TRUE(store->Lookup(probe, &found).ok());
  ASSERT_TRUE(db->Exec("COMMIT").ok());
  for (size_t i = 0; i < probe.size(); ++i) {
    std::vector<uint32_t> expected;
    auto [lo, hi] = reference.equal_range(probe[i]);
    for (auto it = lo; it != hi; ++it) expected.push_back(it->second);
    std::sort(expected.begin(), expected.end());
    std::sort(found[i].begin(), found[i].end());
    ASSERT_EQ(found[i], expected) << "key " << probe[i];
  }
}

int64_t CountRows(Db* db, const char* sql) {
  absl::StatusOr<int64_t> n = db->QueryInt(sql);
  EXPECT_TRUE(n.ok()) << n.status();
  return n.value_or(-1);
}

// Chunks of runs being written by a merge (state 1).
constexpr char kMergingChunks[] =
    "SELECT count(*) FROM chunks WHERE chunk >> 24 IN (SELECT run FROM runs WHERE state = 1)";

// The store with this many bytes of runs held in memory (none, some, all),
// searched by one thread or three.
class RunStoreLookupTest : public ::testing::TestWithParam<std::tuple<uint64_t, int>> {};
INSTANTIATE_TEST_SUITE_P(ResidentAndThreads, RunStoreLookupTest,
                         ::testing::Combine(::testing::Values(0, 64 << 10, uint64_t{1} << 30),
                                            ::testing::Values(1, 3)));

TEST_P(RunStoreLookupTest, LookupsMatchAMultimapThroughMerges) {
  const auto [resident, threads] = GetParam();
  const std::string dir = index_test::NewDir(absl::StrCat("runs", resident, "_", threads));
  std::unique_ptr<Db> db = NewStoreDb(dir + "/r.db");
  ASSERT_NE(db, nullptr);
  constexpr uint32_t kStep = 3;
  RunStore store(db.get(), kStep, resident, threads);
  ChunkWriteCounter counter(db.get());

  std::mt19937_64 rng(9);
  std::multimap<uint64_t, uint32_t> reference;
  std::vector<uint64_t> hot = {42, 43, ~uint64_t{0} - 1};  // keys shared by many documents
  uint32_t doc = 0;
  uint64_t merged = 0;
  for (int batch = 0; batch < 400; ++batch) {
    // Batches of varying size, so that levels mix.
    const int docs = batch % 7 == 0 ? 3 : 40 + batch % 13;
    std::vector<Entry> entries;
    for (int d = 0; d < docs; ++d, ++doc) {
      for (int k = 0; k < 5; ++k) entries.push_back({rng() % 100000, doc});
      if (doc % 3 == 0) entries.push_back({hot[(doc / 3) % hot.size()], doc});
    }
    for (const Entry& e : entries) reference.emplace(e.key, e.doc);
    const size_t own_chunks = (entries.size() + kChunkEntries - 1) / kChunkEntries;
    AppendBatch(db.get(), &store, std::move(entries));
    // The batch's transaction wrote its own run and nothing else, however
    // many merges were due.
    std::vector<int> commits = counter.Take();
    ASSERT_EQ(commits.size(), 1u);
    ASSERT_EQ(commits[0], int(own_chunks)) << batch;
    // Merges, outside it: transactions of at most kStep chunks.
    absl::StatusOr<uint64_t> written = store.Merge(8 * own_chunks * kChunkEntries);
    ASSERT_TRUE(written.ok()) << written.status();
    merged += *written;
    for (int chunks : counter.Take()) ASSERT_LE(chunks, int(kStep));
    // Tiers: at most kMergeFanout - 1 idle runs per level, plus the inputs of
    // the merges under way.
    ASSERT_LE(store.num_runs(), (kMergeFanout - 1) * 6 + kMergeFanout * store.merges_in_progress())
        << batch;
    if (batch % 50 == 49) {  // while runs come and go (and in and out of memory)
      std::vector<uint64_t> probe = hot;
      for (int i = 0; i < 300; ++i) probe.push_back(rng() % 100000);
      ExpectSameLookups(db.get(), &store, reference, probe);
    }
  }
  EXPECT_GT(merged, reference.size());  // entries were rewritten by merges
  ASSERT_TRUE(store.Merge(UINT64_MAX).ok());
  EXPECT_EQ(store.merges_in_progress(), 0u);
  EXPECT_EQ(store.num_entries(), reference.size());
  EXPECT_LT(store.num_runs(), 3 * kMergeFanout);
  EXPECT_EQ(CountRows(db.get(), "SELECT count(*) FROM runs WHERE state = 1"), 0);

  // Enough keys for several slices of the threads' work.
  std::vector<uint64_t> probe = hot;
  for (int i = 0; i < 7000; ++i) probe.push_back(rng() % 100000);
  ExpectSameLookups(db.get(), &store, reference, probe);
  if (resident == 0) {
    EXPECT_EQ(store.resident_runs(), 0u);
  } else if (resident == 64 << 10) {  // the smallest runs only
    EXPECT_GT(store.resident_runs(), 0u);
    EXPECT_LT(store.resident_runs(), store.num_runs());
  } else {
    EXPECT_EQ(store.resident_runs(), store.num_runs());
  }
  // The hot keys span many chunks of the largest run.
  EXPECT_GT(reference.count(42), 2 * kChunkEntries);
  // Reopened from the database, a store answers the same.
  RunStore reopened(db.get());
  ExpectSameLookups(db.get(), &reopened, reference, probe);

  ASSERT_TRUE(db->Exec("BEGIN").ok());
  absl::StatusOr<std::vector<Entry>> all = reopened.ReadAll();
  ASSERT_TRUE(db->Exec("COMMIT").ok());
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), reference.size());
}

TEST(RunStoreTest, AResidentRunIsLoadedOnlyOnceLookupsReadAQuarterOfItsChunks) {
  const std::string dir = index_test::NewDir("ski");
  std::unique_ptr<Db> db = NewStoreDb(dir + "/r.db");
  ASSERT_NE(db, nullptr);
  std::mt19937_64 rng(3);
  std::vector<Entry> entries;
  for (uint32_t doc = 0; doc < 64 * kChunkEntries; ++doc) entries.push_back({rng(), doc});
  {
    RunStore writer(db.get());
    AppendBatch(db.get(), &writer, entries);
  }
  std::sort(entries.begin(), entries.end());
  auto lookup = [&](RunStore* store, std::vector<uint64_t> keys) {
    ASSERT_TRUE(db->Exec("BEGIN").ok());
    ASSERT_TRUE(store->Sync().ok());
    std::vector<std::vector<uint32_t>> found;
    ASSERT_TRUE(store->Lookup(keys, &found).ok());
    ASSERT_TRUE(db->Exec("COMMIT").ok());
  };
  constexpr uint64_t kAll = uint64_t{1} << 30;
  {
    // Keys that are not there: the filter answers (a few false positives
    // are read), nothing is loaded.
    RunStore store(db.get(), kDefaultStepChunks, kAll);
    std::vector<uint64_t> absent;
    for (int i = 0; i < 1000; ++i) absent.push_back(rng());
    lookup(&store, absent);
    ASSERT_EQ(store.resident_runs(), 1u);  // chosen to be held in memory
    EXPECT_EQ(store.resident_bytes(), 0u);
  }
  // Keys of 15 of the 64 chunks (mid-chunk: one read each): not loaded.
  RunStore store(db.get(), kDefaultStepChunks, kAll);
  std::vector<uint64_t> some;
  for (size_t c = 0; c < 15; ++c) some.push_back(entries[c * kChunkEntries + 100].key);
  lookup(&store, some);
  EXPECT_EQ(store.resident_bytes(), 0u);
  // The 16th chunk read makes a quarter: the next lookup loads the run.
  lookup(&store, {entries[15 * kChunkEntries + 100].key});
  EXPECT_EQ(store.resident_bytes(), 0u);
  lookup(&store, {entries[16 * kChunkEntries + 100].key});
  EXPECT_EQ(store.resident_bytes(), entries.size() * 12);
}

TEST(RunStoreTest, AnInterruptedMergeIsInvisibleAndItsChunksAreDeletedByTheNextWriter) {
  const std::string dir = index_test::NewDir("orphans");
  std::unique_ptr<Db> db = NewStoreDb(dir + "/r.db");
  ASSERT_NE(db, nullptr);
  std::mt19937_64 rng(4);
  std::multimap<uint64_t, uint32_t> reference;
  std::vector<uint64_t> probe;
  uint32_t doc = 0;
  {
    RunStore writer(db.get(), /*step_chunks=*/1);
    for (size_t batch = 0; batch < kMergeFanout; ++batch) {
      std::vector<Entry> entries;
      for (int i = 0; i < 1000; ++i, ++doc) entries.push_back({rng(), doc});
      for (const Entry& e : entries) reference.emplace(e.key, e.doc);
      probe.push_back(entries[0].key);
      AppendBatch(db.get(), &writer, std::move(entries));
    }
    // Three one-chunk steps of the merge of the kMergeFanout runs, then the
    // writer goes away as if killed.
    ASSERT_TRUE(writer.Merge(3 * kChunkEntries).ok());
    ASSERT_EQ(writer.merges_in_progress(), 1u);
  }
  EXPECT_EQ(CountRows(db.get(), "SELECT count(*) FROM runs WHERE state = 1"), 1);
  EXPECT_EQ(CountRows(db.get(), kMergingChunks), 3);
  for (int i = 0; i < 100; ++i) probe.push_back(rng());

  // A reader sees the complete runs only, and the same answers.
  RunStore reader(db.get());
  ExpectSameLookups(db.get(), &reader, reference, probe);
  EXPECT_EQ(reader.num_runs(), kMergeFanout);

  // The next writer deletes the orphan at its first merge step and redoes
  // the merge.
  RunStore next(db.get());
  ASSERT_TRUE(next.Merge(UINT64_MAX).ok());
  EXPECT_EQ(CountRows(db.get(), "SELECT count(*) FROM runs WHERE state = 1"), 0);
  EXPECT_EQ(next.num_runs(), 1u);
  ExpectSameLookups(db.get(), &reader, reference, probe);
  ASSERT_TRUE(db->Exec("BEGIN").ok());
  absl::StatusOr<std::vector<Entry>> all = next.ReadAll();  // also: no chunk without a run
  ASSERT_TRUE(db->Exec("COMMIT").ok());
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), reference.size());
}

TEST(RunStoreTest, TwoWritersMergingTheSameRunsAgreeOnTheResult) {
  const std::string dir = index_test::NewDir("twowriters");
  std::unique_ptr<Db> db_a = NewStoreDb(dir + "/r.db");
  ASSERT_NE(db_a, nullptr);
  absl::StatusOr<std::unique_ptr<Db>> db_b = Db::Open(dir + "/r.db", false, false);
  ASSERT_TRUE(db_b.ok());
  RunStore a(db_a.get(), 2), b(db_b->get(), 2);
  std::mt19937_64 rng(6);
  std::multimap<uint64_t, uint32_t> reference;
  uint32_t doc = 0;
  for (int batch = 0; batch < 60; ++batch) {
    std::vector<Entry> entries;
    for (int i = 0; i < 700; ++i, ++doc) entries.push_back({rng() % 50000, doc});
    for (const Entry& e : entries) reference.emplace(e.key, e.doc);
    AppendBatch(batch % 2 ? db_a.get() : db_b->get(), batch % 2 ? &a : &b, std::move(entries));
    // Both merge in small steps, interleaved.
    ASSERT_TRUE(a.Merge(3 * kChunkEntries).ok());
    ASSERT_TRUE(b.Merge(2 * kChunkEntries).ok());
  }
  ASSERT_TRUE(a.Merge(UINT64_MAX).ok());
  ASSERT_TRUE(b.Merge(UINT64_MAX).ok());
  EXPECT_EQ(CountRows(db_a.get(), "SELECT count(*) FROM runs WHERE state = 1"), 0);
  RunStore reader(db_a.get());
  std::vector<uint64_t> probe;
  for (int i = 0; i < 3000; ++i) probe.push_back(rng() % 50000);
  ExpectSameLookups(db_a.get(), &reader, reference, probe);
  ASSERT_TRUE(db_a->Exec("BEGIN").ok());
  absl::StatusOr<std::vector<Entry>> all = reader.ReadAll();
  ASSERT_TRUE(db_a->Exec("COMMIT").ok());
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), reference.size());  // nothing lost, nothing twice
}

TEST(RunStoreTest, MergesDropRemovedDocumentsAndCompactPurgesThem) {
  const std::string dir = index_test::NewDir("removed");
  std::unique_ptr<Db> db = NewStoreDb(dir + "/r.db");
  ASSERT_NE(db, nullptr);
  RunStore store(db.get(), 4);
  std::mt19937_64 rng(12);
  std::multimap<uint64_t, uint32_t> live;
  std::vector<uint64_t> probe;
  uint32_t doc = 0;
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<Entry> entries;
    for (int d = 0; d < 50; ++d, ++doc) {
      for (int k = 0; k < 6; ++k) entries.push_back({rng() % 20000, doc});
    }
    for (const Entry& e : entries) {
      if (e.doc % 2 == 0) live.emplace(e.key, e.doc);
      probe.push_back(e.key);
    }
    AppendBatch(db.get(), &store, std::move(entries));
    // Odd documents are removed some batches later.
    if (batch >= 2) {
      ASSERT_TRUE(db->Exec("BEGIN IMMEDIATE").ok());
      for (uint32_t d = (batch - 2) * 50 + 1; d < (batch - 1) * 50; d += 2) {
        ASSERT_TRUE(store.MarkRemoved(d).ok());
      }
      ASSERT_TRUE(db->Exec("COMMIT").ok());
    }
    ASSERT_TRUE(store.Merge(2000).ok());
  }
  ASSERT_TRUE(db->Exec("BEGIN IMMEDIATE").ok());
  for (uint32_t d = 18 * 50 + 1; d < doc; d += 2) ASSERT_TRUE(store.MarkRemoved(d).ok());
  ASSERT_TRUE(db->Exec("COMMIT").ok());
  absl::StatusOr<RunStore::CompactStats> stats = store.Compact();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->runs_after, 1u);
  EXPECT_EQ(stats->entries_after, live.size());
  EXPECT_GT(stats->entries_before, stats->entries_after);
  EXPECT_EQ(CountRows(db.get(), "SELECT count(*) FROM removed"), 0);
  EXPECT_EQ(CountRows(db.get(), "SELECT count(*) FROM runs WHERE state = 1"), 0);
  ExpectSameLookups(db.get(), &store, live, probe);
  // Compacting a compact store changes nothing.
  absl::StatusOr<RunStore::CompactStats> again = store.Compact();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->entries_before, again->entries_after);
  EXPECT_EQ(again->runs_after, 1u);
}

TEST(RunLevelTest, IsTheFloorOfTheLogarithmToTheFanout) {
  uint64_t power = 1;
  for (int level = 0; level < 10; ++level, power *= kMergeFanout) {
    EXPECT_EQ(RunLevel(power), level);
    EXPECT_EQ(RunLevel(power * kMergeFanout - 1), level);
  }
  EXPECT_EQ(RunLevel(0), 0);
}

}  // namespace
}  // namespace dubare::index_internal
