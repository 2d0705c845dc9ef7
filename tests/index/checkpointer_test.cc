// Copyright 2026 The Dubare Authors.
//
// The background checkpointer: it copies committed WAL frames into the
// database file without the writer doing it, the writer takes over when
// the WAL grows far past the threshold, and nothing committed is lost.

#include "index/checkpointer.h"

#include <sys/stat.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "index/index_test_util.h"
#include "index/sqlite.h"

namespace dubare::index_internal {
namespace {

constexpr int kPageSize = 4096;

int64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

// A WAL database that SQLite itself never checkpoints.
std::unique_ptr<Db> NewWalDb(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(path, /*create=*/true, false);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return nullptr;
  EXPECT_TRUE((*db)->Exec("PRAGMA page_size=4096; PRAGMA journal_mode=WAL;"
                          " PRAGMA wal_autocheckpoint=0; CREATE TABLE t(x BLOB)")
                  .ok());
  return *std::move(db);
}

// Commits `n` transactions of one page-sized row each.
void Insert(Db* db, int n) {
  const std::string blob(kPageSize, 'x');
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<Stmt> insert = db->Prepare("INSERT INTO t(x) VALUES(?)");
    ASSERT_TRUE(insert.ok()) << insert.status();
    insert->BindBlob(1, blob);
    ASSERT_TRUE(insert->Run().ok());
  }
}

TEST(CheckpointerTest, CopiesTheWalIntoTheFileOnItsOwnThread) {
  const std::string dir = index_test::NewDir("checkpointer");
  // Without a checkpointer the rows stay in the WAL: the file does not grow.
  {
    std::unique_ptr<Db> db = NewWalDb(dir + "/none.db");
    ASSERT_NE(db, nullptr);
    Insert(db.get(), 200);
    EXPECT_LT(FileSize(dir + "/none.db"), 10 * kPageSize);
  }
  std::unique_ptr<Db> db = NewWalDb(dir + "/c.db");
  ASSERT_NE(db, nullptr);
  absl::StatusOr<std::unique_ptr<Checkpointer>> checkpointer = Checkpointer::Start(db.get(), 16);
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
  Insert(db.get(), 200);
  (*checkpointer)->WaitIdle();
  EXPECT_GT((*checkpointer)->background_checkpoints(), 0u);
  // All but the last threshold's worth of pages reached the file.
  EXPECT_GT(FileSize(dir + "/c.db"), (200 - 2 * 16) * int64_t{kPageSize});
  checkpointer->reset();  // removes the hook
  absl::StatusOr<int64_t> rows = db->QueryInt("SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, 200);
}

TEST(CheckpointerTest, TheWriterCheckpointsWhenTheWalOutgrowsEightThresholds) {
  const std::string dir = index_test::NewDir("checkpointer_fallback");
  std::unique_ptr<Db> db = NewWalDb(dir + "/c.db");
  ASSERT_NE(db, nullptr);
  Insert(db.get(), 1);
  // A reader holding its snapshot keeps every later frame in the WAL, so no
  // checkpoint can finish and the WAL grows past 8 x 4 pages.
  absl::StatusOr<std::unique_ptr<Db>> reader = Db::Open(dir + "/c.db", false, true);
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_TRUE((*reader)->Exec("BEGIN").ok());
  ASSERT_TRUE((*reader)->QueryInt("SELECT count(*) FROM t").ok());
  absl::StatusOr<std::unique_ptr<Checkpointer>> checkpointer = Checkpointer::Start(db.get(), 4);
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
  Insert(db.get(), 60);
  EXPECT_GT((*checkpointer)->writer_checkpoints(), 0u);
  ASSERT_TRUE((*reader)->Exec("COMMIT").ok());
  // Released, the frames are copied at the next commits.
  Insert(db.get(), 1);
  (*checkpointer)->WaitIdle();
  EXPECT_GT(FileSize(dir + "/c.db"), 40 * int64_t{kPageSize});
  checkpointer->reset();
  absl::StatusOr<int64_t> rows = db->QueryInt("SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, 62);
}

}  // namespace
}  // namespace dubare::index_internal
