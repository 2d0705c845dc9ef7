// Copyright 2026 The Dubare Authors.
//
// Damaged and foreign index files: truncated, from a newer schema, not an
// index at all, and with a corrupt band-key chunk (a libFuzzer finding).
// Opening or using such a file must give an error that names the path --
// never a crash -- and must leave the file as it was.

#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dubare/index.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hostile/hostile_test_util.h"
#include "scratch_dir.h"

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

// Issue 21, point 5: an index owned by another user is read (stats, query,
// check, get) without write access; writing it is refused saying why.
TEST(IndexFiles, AnIndexOwnedByAnotherUserIsReadOnlyNotBroken) {
  DUBARE_REQUIRE_CLI();
  if (::getuid() != 0) GTEST_SKIP() << "needs root, to run the CLI as another user";
  // Not under the scratch directory: mkdtemp makes it 0700, closed to others.
  std::string tmpl = "/tmp/dubare_readonly_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string dir = tmpl;
  const std::string path = dir + "/i.db";
  MakeIndex(path);  // closed: no -wal, no -shm
  ASSERT_FALSE(std::filesystem::exists(path + "-wal"));
  std::filesystem::permissions(dir, std::filesystem::perms(0755));
  std::filesystem::permissions(path, std::filesystem::perms(0644));
  const std::string input = dir + "/q.txt";
  {
    std::ofstream(input) << SomeDocuments()[3].text;
  }
  std::filesystem::permissions(input, std::filesystem::perms(0644));
  CliOptions nobody;
  nobody.run_as_uid = 65534;
  CliResult probe = RunCli({"--version"}, nobody);
  if (probe.exit_code == 126 || probe.exit_code == 127) {
    std::filesystem::remove_all(dir);
    GTEST_SKIP() << "the CLI cannot be run as uid 65534 from here (path not traversable)";
  }
  CliResult stats = RunCli({"index", "stats", path}, nobody);
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_THAT(stats.out, HasSubstr("documents: 40"));
  CliResult query = RunCli({"index", "query", path, input}, nobody);
  EXPECT_EQ(query.exit_code, 0) << query.err;
  EXPECT_THAT(query.out, HasSubstr("\tduplicate\tdoc3\t1.0000"));
  CliResult check = RunCli({"index", "check", path}, nobody);
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(RunCli({"index", "get", path, "doc7"}, nobody).exit_code, 0);
  CliResult add = RunCli({"index", "add", path, input}, nobody);
  EXPECT_EQ(add.exit_code, 1);
  EXPECT_THAT(add.err, HasSubstr(path + ": cannot write: this user may not write the file"));
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
  std::filesystem::remove_all(dir);
}

// Issue 21, point 2: random bytes over a page of the documents table.
// Readers that reach it fail; add, remove and compact run quick_check
// first and write nothing into the damaged file.
TEST(IndexFiles, AddRefusesADamagedFileAndLeavesItAsItWas) {
  DUBARE_REQUIRE_CLI();
  const std::string dir = dubare::testing::NewScratchDir("index_damaged_add");
  const std::string path = dir + "/i.db";
  MakeIndex(path);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT rootpage, (SELECT page_size FROM pragma_page_size)"
                               " FROM sqlite_schema WHERE name = 'documents'",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  const int64_t page = sqlite3_column_int64(stmt, 0);
  const int64_t page_size = sqlite3_column_int64(stmt, 1);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::mt19937_64 rng(21);
  for (int64_t i = (page - 1) * page_size; i < page * page_size; ++i) {
    bytes[static_cast<size_t>(i)] = static_cast<char>(rng());
  }
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  const std::string input = dir + "/more.txt";
  std::ofstream(input) << "وشەی نوێ لە هەواڵێکی تر " << std::string(200, 'x');
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"index", "add", path, input},
                                             {"index", "remove", path, "doc3"},
                                             {"index", "compact", path}}) {
    CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, 1) << args[1] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(path + ": damaged, PRAGMA quick_check failed")) << args[1];
  }
  std::string after;
  {
    std::ifstream in(path, std::ios::binary);
    after.assign(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_TRUE(after == bytes) << "a refused command changed the file";
  EXPECT_NE(RunCli({"index", "check", path}).exit_code, 0);
}

}  // namespace
}  // namespace dubare::hostile
