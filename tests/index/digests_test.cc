// Copyright 2026 The Dubare Authors.
//
// The signature digests against the exact count of equal MinHash values:
// the bound never falls below it (or candidates would be lost), is exact
// for equal signatures, and survives a round trip through the file.

#include "index/digests.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "index/index_test_util.h"
#include "index/sqlite.h"

namespace dubare::index_internal {
namespace {

uint32_t ExactEqual(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  uint32_t n = 0;
  for (size_t i = 0; i < a.size(); ++i) n += a[i] == b[i];
  return n;
}

std::unique_ptr<Db> NewDigestDb(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(path, true, false);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return nullptr;
  EXPECT_TRUE(DigestStore::CreateSchema(db->get()).ok());
  return *std::move(db);
}

class DigestTest : public ::testing::TestWithParam<uint32_t> {};
INSTANTIATE_TEST_SUITE_P(NumPerm, DigestTest, ::testing::Values(1, 31, 32, 100, 128, 256));

TEST_P(DigestTest, BoundIsNeverBelowTheExactCountAndExactForEqualSignatures) {
  const uint32_t k = GetParam();
  const std::string dir = index_test::NewDir(absl::StrCat("digests", k));
  std::unique_ptr<Db> db = NewDigestDb(dir + "/d.db");
  ASSERT_NE(db, nullptr);
  DigestStore store(db.get(), k);
  std::mt19937 rng(k);
  std::vector<std::vector<uint32_t>> docs;
  for (uint32_t doc = 0; doc < 700; ++doc) {  // three blocks, the last one partial
    std::vector<uint32_t>& sig = docs.emplace_back(k);
    for (uint32_t& v : sig) v = rng();
    store.Set(doc, sig);
  }
  ASSERT_TRUE(db->Exec("BEGIN").ok());
  ASSERT_TRUE(store.WriteChanged().ok());
  ASSERT_TRUE(db->Exec("COMMIT").ok());
  DigestStore reread(db.get(), k);
  ASSERT_TRUE(db->Exec("BEGIN").ok());
  ASSERT_TRUE(reread.Sync().ok());
  ASSERT_TRUE(db->Exec("COMMIT").ok());

  std::vector<uint64_t> digest(store.words());
  uint64_t unrelated_total = 0;
  for (uint32_t doc = 0; doc < docs.size(); ++doc) {
    // A query sharing a random part of the document's values.
    std::vector<uint32_t> query = docs[doc];
    const uint32_t keep = rng() % (k + 1);
    for (uint32_t i = keep; i < k; ++i) query[i] = rng();
    store.Compute(query, digest.data());
    const uint32_t exact = ExactEqual(docs[doc], query);
    ASSERT_GE(store.MaxEqual(doc, digest.data()), exact) << doc;
    ASSERT_EQ(reread.MaxEqual(doc, digest.data()), store.MaxEqual(doc, digest.data())) << doc;
    store.Compute(docs[doc], digest.data());
    ASSERT_EQ(reread.MaxEqual(doc, digest.data()), k) << doc;
    // Against an unrelated document: about a quarter of the groups agree.
    store.Compute(docs[(doc + 1) % docs.size()], digest.data());
    unrelated_total += reread.MaxEqual(doc, digest.data());
  }
  if (k >= 100) {
    EXPECT_LT(unrelated_total, docs.size() * k * 35 / 100);
  }
  // Documents the store has never seen are never rejected.
  EXPECT_EQ(reread.MaxEqual(100000, digest.data()), k);
}

}  // namespace
}  // namespace dubare::index_internal
