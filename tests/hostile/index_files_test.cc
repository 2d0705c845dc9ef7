// Copyright 2026 The Dubare Authors.
//
// Damaged and foreign index files: truncated, from a newer schema, not an
// index at all, and with a corrupt band-key chunk (a libFuzzer finding).
// Opening or using such a file must give an error that names the path --
// never a crash -- and must leave the file as it was.

#include <sqlite3.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dubare/index.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hostile/hostile_test_util.h"

namespace dubare::hostile {
namespace {

using ::testing::HasSubstr;

std::vector<IndexDocument> SomeDocuments() {
  std::vector<IndexDocument> docs;
  for (int i = 0; i < 40; ++i) {
    std::string text;
    for (int w = 0; w < 60; ++w) absl::StrAppend(&text, "وشە", i * 131 + w * 7, " ");
    docs.push_back({absl::StrCat("doc", i), text, "{}"});
  }
  return docs;
}

// A small index with committed documents at `path`, closed again.
void MakeIndex(const std::string& path) {
  IndexOptions options;
  options.settings.sketch.num_perm = 64;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Create(path, options);
  ASSERT_TRUE(index.ok()) << index.status();
  absl::StatusOr<AddResult> added = (*index)->Add(SomeDocuments());
  ASSERT_TRUE(added.ok()) << added.status();
}

// Runs `sql` on the file directly, as a damaged or foreign writer would.
void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
}

// Folds the WAL into the main file, so that the file alone is the index.
void Checkpoint(const std::string& path) { ExecSql(path, "PRAGMA wal_checkpoint(TRUNCATE);"); }

TEST(IndexFiles, TruncatedIndexIsDataLossNamingThePathAndIsLeftAsItIs) {
  TempDir dir;
  const std::string path = dir.Path("idx.db");
  MakeIndex(path);
  Checkpoint(path);
  const auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 3 * 4096u);
  std::filesystem::resize_file(path, size / 2);
  const std::string before = ReadAll(path);

  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(path, IndexOptions());
  EXPECT_EQ(index.status().code(), absl::StatusCode::kDataLoss) << index.status();
  EXPECT_THAT(index.status().message(), HasSubstr(path));
  EXPECT_THAT(index.status().message(), HasSubstr("truncated"));
  if (!DubareBin().empty()) {
    for (const char* command : {"stats", "query", "add"}) {
      std::vector<std::string> args = {"index", command, path};
      if (std::string(command) != "stats") args.push_back(dir.Write("q.txt", "وشە وشە"));
      CliResult r = RunCli(args);
      // query exits as grep does: 2 for trouble.
      EXPECT_EQ(r.exit_code, std::string(command) == "query" ? 2 : 1) << command;
      EXPECT_THAT(r.err, HasSubstr(path + ": truncated")) << command;
    }
  }
  EXPECT_EQ(ReadAll(path), before);
}

TEST(IndexFiles, IndexFromANewerSchemaIsRefusedAndNotTouched) {
  TempDir dir;
  const std::string path = dir.Path("idx.db");
  MakeIndex(path);
  ExecSql(path, absl::StrCat("UPDATE meta SET value = '", kIndexSchemaVersion + 1,
                             "' WHERE key = 'schema_version';"));
  Checkpoint(path);
  const std::string before = ReadAll(path);

  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(path, IndexOptions());
  EXPECT_EQ(index.status().code(), absl::StatusCode::kFailedPrecondition) << index.status();
  EXPECT_THAT(index.status().message(), HasSubstr("newer than this build"));
  if (!DubareBin().empty()) {
    CliResult r = RunCli({"index", "add", path, dir.Write("new.txt", "وشەی نوێ لێرە")});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, HasSubstr(absl::StrCat(path, ": index schema version ",
                                              kIndexSchemaVersion + 1, " is newer")));
  }
  EXPECT_EQ(ReadAll(path), before);
}

TEST(IndexFiles, FilesThatAreNotIndexesAreDataLoss) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> files = {
      {"text.db", "this is a text file, not a database\n"},
      {"zeros.db", std::string(8192, '\0')},
      {"header.db", std::string("SQLite format 3\0", 16)},
  };
  for (const auto& [name, bytes] : files) {
    const std::string path = dir.Write(name, bytes);
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(path, IndexOptions());
    EXPECT_FALSE(index.ok()) << name;
    EXPECT_THAT(index.status().message(), HasSubstr(path)) << name;
  }
  // A valid SQLite database that is some other program's.
  const std::string other = dir.Path("other.db");
  ExecSql(other, "CREATE TABLE t(x); INSERT INTO t VALUES(1);");
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(other, IndexOptions());
  EXPECT_EQ(index.status().code(), absl::StatusCode::kDataLoss) << index.status();
  EXPECT_THAT(index.status().message(), HasSubstr("not a Dubare index"));
}

// Found by fuzz/index_open_fuzz.cc: a band-key chunk whose stored entry
// count disagrees with its size made ChunkSize() return 2^32 - 1 instead of
// -1 (an unsigned conditional), and decoding then read far past the blob.
TEST(IndexFiles, ChunkWithAWrongEntryCountIsDataLossNotAnOutOfBoundsRead) {
  TempDir dir;
  const std::string path = dir.Path("idx.db");
  MakeIndex(path);
  {  // Lower the first chunk's stored entry count (a little-endian uint32) by one.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* read = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT chunk, data FROM chunks ORDER BY chunk LIMIT 1", -1,
                                 &read, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(read), SQLITE_ROW);
    const int64_t chunk = sqlite3_column_int64(read, 0);
    std::string data(static_cast<const char*>(sqlite3_column_blob(read, 1)),
                     sqlite3_column_bytes(read, 1));
    sqlite3_finalize(read);
    ASSERT_GE(data.size(), 16u);
    uint32_t count;
    std::memcpy(&count, data.data(), 4);
    ASSERT_EQ(data.size(), 4 + size_t{count} * 12) << "chunk layout changed; update this test";
    --count;
    std::memcpy(data.data(), &count, 4);
    sqlite3_stmt* write = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE chunks SET data = ? WHERE chunk = ?", -1, &write,
                                 nullptr),
              SQLITE_OK);
    sqlite3_bind_blob(write, 1, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(write, 2, chunk);
    ASSERT_EQ(sqlite3_step(write), SQLITE_DONE);
    sqlite3_finalize(write);
    ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
  }
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(path, IndexOptions());
  ASSERT_TRUE(index.ok()) << index.status();  // Open reads no chunk
  absl::Status integrity = (*index)->CheckIntegrity();
  EXPECT_EQ(integrity.code(), absl::StatusCode::kDataLoss) << integrity;
  EXPECT_THAT(integrity.message(), HasSubstr(path));
  // A query that reaches the chunk reports it; it must not read past it.
  absl::StatusOr<std::vector<IndexResult>> results = (*index)->Query(SomeDocuments());
  if (!results.ok()) {
    EXPECT_EQ(results.status().code(), absl::StatusCode::kDataLoss) << results.status();
  }
}

}  // namespace
}  // namespace dubare::hostile
