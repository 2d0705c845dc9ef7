// Copyright 2026 The Dubare Authors.
//
// Helpers shared by the index tests: scratch directories, generated corpora
// as index documents, and raw SQLite access for checking what is on disk.

#ifndef DUBARE_TESTS_INDEX_INDEX_TEST_UTIL_H_
#define DUBARE_TESTS_INDEX_INDEX_TEST_UTIL_H_

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dubare/reader.h"
#include "dubare/index.h"
#include "gen/corpus_gen.h"
#include "gtest/gtest.h"
#include "index/sqlite.h"
#include "scratch_dir.h"

namespace dubare::index_test {

inline std::string NewDir(const std::string& name) {
  return dubare::testing::NewScratchDir("index_" + name);
}

// A generated corpus as an input file would give it: written as JSON Lines
// and read back through the reader (ids "d0000042" sort in input order).
struct TestCorpus {
  std::vector<IndexDocument> docs;
  std::vector<std::vector<uint32_t>> clusters;  // base first, then copies
};

inline TestCorpus MakeCorpus(size_t num_docs, int words, uint64_t seed = 7) {
  gen::CorpusOptions options;
  options.num_docs = num_docs;
  options.words_per_article = words;
  options.seed = seed;
  const std::string dir = NewDir(absl::StrCat("corpus", num_docs, "_", words, "_", seed));
  TestCorpus corpus;
  absl::Status written = gen::WriteCorpus(options, dir, 2);
  EXPECT_TRUE(written.ok()) << written;
  ReaderOptions reader;
  reader.extra_fields = {"date"};
  absl::StatusOr<std::vector<Document>> read = ReadAllDocuments({dir + "/corpus.jsonl"}, reader);
  EXPECT_TRUE(read.ok()) << read.status();
  if (!read.ok()) return corpus;
  std::map<std::string, uint32_t> position;
  for (const Document& d : *read) {
    EXPECT_TRUE(d.ok()) << d.detail;
    position[d.id] = static_cast<uint32_t>(corpus.docs.size());
    corpus.docs.push_back({d.id, d.text, absl::StrCat("{\"date\":\"", d.fields[0], "\"}")});
  }
  std::ifstream clusters(dir + "/clusters.tsv");
  std::string line;
  while (std::getline(clusters, line)) {
    std::vector<uint32_t>& cluster = corpus.clusters.emplace_back();
    for (absl::string_view id : absl::StrSplit(line, '\t', absl::SkipEmpty())) {
      cluster.push_back(position.at(std::string(id)));
    }
  }
  return corpus;
}

// The ids stored in an index file, read with plain SQLite.
inline std::set<std::string> StoredIds(const std::string& path) {
  std::set<std::string> ids;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT id FROM documents", -1, &stmt, nullptr), SQLITE_OK);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    ids.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return ids;
}

// Runs one statement on the file with plain SQLite.
inline void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// As ExecSql, on a connection that has the index's dubare_checksum()
// function: for a damage that keeps the rows' checksums right (a writer's
// bug, not a disk's), to reach the checks behind them.
inline void ExecSqlWithChecksums(const std::string& path, const std::string& sql) {
  absl::StatusOr<std::unique_ptr<index_internal::Db>> db =
      index_internal::Db::Open(path, /*create=*/false, /*read_only=*/false);
  ASSERT_TRUE(db.ok()) << db.status();
  absl::Status s = (*db)->Exec(sql.c_str());
  EXPECT_TRUE(s.ok()) << s;
}

// Recomputes every row's checksum after an ExecSql that changed rows.
inline void RefreshChecksums(const std::string& path) {
  ExecSqlWithChecksums(
      path,
      "UPDATE documents SET checksum = dubare_checksum(doc, id, metadata, length, minhash, batch,"
      " added_at); UPDATE chunks SET checksum = dubare_checksum(chunk, data);"
      " UPDATE digests SET checksum = dubare_checksum(block, data);");
}

// Whether each of `docs` (in the order added) is the first with its
// signature: the index gives those band keys, their copies only their id and
// signature keys.
inline std::vector<bool> FirstOfSignature(const std::vector<SketchedDocument>& docs) {
  std::set<std::vector<uint32_t>> seen;
  std::vector<bool> first;
  for (const SketchedDocument& d : docs) first.push_back(seen.insert(d.minhash).second);
  return first;
}

// The run entries of `docs` added in order to an empty index.
inline uint64_t EntriesOf(const std::vector<SketchedDocument>& docs, uint32_t bands) {
  uint64_t n = 0;
  for (bool first : FirstOfSignature(docs)) n += first ? bands + 2 : 2;
  return n;
}

}  // namespace dubare::index_test

#endif  // DUBARE_TESTS_INDEX_INDEX_TEST_UTIL_H_
