// Copyright 2026 The Dubare Authors.
//
// The band-key run store against a plain multimap: lookups after many
// appends and merges (including keys repeated across chunk boundaries), the
// bound on the number of runs, chunk encoding, and the Bloom filter (no false
// negatives, a false-positive rate near its design).

#include <algorithm>
#include <map>
#include <random>
#include <vector>

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
  absl::StatusOr<BloomFilter> decoded = BloomFilter::Decode(filter.Encode());
  ASSERT_TRUE(decoded.ok());
  for (uint64_t k : keys) ASSERT_TRUE(decoded->MayContain(k));
  int false_positives = 0;
  const int probes = 200000;
  for (int i = 0; i < probes; ++i) false_positives += decoded->MayContain(rng());
  EXPECT_LT(false_positives, probes * 3 / 100);  // ~1-2% at 10 bits per key
  EXPECT_FALSE(BloomFilter::Decode("abc").ok());
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

TEST(SortByKeyTest, EqualsStdSortForEntriesInDocOrder) {
  std::mt19937_64 rng(8);
  std::vector<Entry> entries;
  for (uint32_t doc = 0; doc < 3000; ++doc) {
    for (int k = 0; k < 9; ++k) {
      // Some keys repeat, some differ only in their high bits.
      const uint64_t key = k == 0 ? rng() % 50 : k == 1 ? (rng() % 4) << 60 : rng();
      entries.push_back({key, doc});
    }
  }
  std::vector<Entry> expected = entries;
  std::sort(expected.begin(), expected.end());
  SortByKey(&entries);
  EXPECT_EQ(entries, expected);
}

TEST(RunStoreTest, LookupsMatchAMultimapThroughMerges) {
  const std::string dir = index_test::NewDir("runs");
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(dir + "/r.db", true, false);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->Exec("BEGIN").ok());
  ASSERT_TRUE(RunStore::CreateSchema(db->get()).ok());
  RunStore store(db->get());
  ASSERT_TRUE(store.Sync().ok());

  std::mt19937_64 rng(9);
  std::multimap<uint64_t, uint32_t> reference;
  std::vector<uint64_t> hot = {42, 43, ~uint64_t{0} - 1};  // keys shared by many documents
  uint32_t doc = 0;
  for (int batch = 0; batch < 300; ++batch) {
    // Batches of varying size, so that levels mix.
    const int docs = batch % 7 == 0 ? 3 : 40 + batch % 13;
    std::vector<Entry> entries;
    for (int d = 0; d < docs; ++d, ++doc) {
      for (int k = 0; k < 5; ++k) entries.push_back({rng() % 100000, doc});
      if (doc % 3 == 0) entries.push_back({hot[(doc / 3) % hot.size()], doc});
    }
    for (const Entry& e : entries) reference.emplace(e.key, e.doc);
    std::sort(entries.begin(), entries.end());
    ASSERT_TRUE(store.Append(entries).ok());
    // Tiers: at most kMergeFanout - 1 runs per level.
    ASSERT_LE(store.num_runs(), (kMergeFanout - 1) * 12) << batch;
  }
  EXPECT_EQ(store.num_entries(), reference.size());
  EXPECT_LT(store.num_runs(), 20u);

  std::vector<uint64_t> probe = hot;
  for (int i = 0; i < 2000; ++i) probe.push_back(rng() % 100000);
  // Reopened from the database, the store must answer the same.
  for (bool reload : {false, true}) {
    if (reload) {
      store.Invalidate();
      ASSERT_TRUE(store.Sync().ok());
    }
    std::vector<std::vector<uint32_t>> found;
    ASSERT_TRUE(store.Lookup(probe, &found).ok());
    for (size_t i = 0; i < probe.size(); ++i) {
      std::vector<uint32_t> expected;
      auto [lo, hi] = reference.equal_range(probe[i]);
      for (auto it = lo; it != hi; ++it) expected.push_back(it->second);
      std::sort(expected.begin(), expected.end());
      std::sort(found[i].begin(), found[i].end());
      ASSERT_EQ(found[i], expected) << "key " << probe[i];
    }
  }
  // The hot keys span many chunks of the largest run.
  EXPECT_GT(reference.count(42), 2 * kChunkEntries);

  absl::StatusOr<std::vector<Entry>> all = store.ReadAll();
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), reference.size());
  ASSERT_TRUE((*db)->Exec("COMMIT").ok());
}

}  // namespace
}  // namespace dubare::index_internal
