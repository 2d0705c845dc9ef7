// Copyright 2026 The Dubare Authors.
//
// sqlite.h: thin RAII wrappers over the SQLite C API for the index.
//
// Every error becomes an absl::Status whose message starts with the database
// path, so a person knows which file is broken; SQLITE_CORRUPT and
// SQLITE_NOTADB map to kDataLoss, SQLITE_BUSY to kUnavailable.
//
// Ownership: a Db owns its connection; a Stmt owns its prepared statement and
// must not outlive its Db. Thread safety: thread-compatible (one thread at a
// time per Db and its statements).

#ifndef DUBARE_SRC_INDEX_SQLITE_H_
#define DUBARE_SRC_INDEX_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dubare::index_internal {

class Db;

// A prepared statement; Bind* take 1-based parameter indices. Step() returns
// true while there is a row. Reset() also clears bindings.
class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& other) noexcept;
  ~Stmt();

  Stmt& BindInt(int i, int64_t v);
  Stmt& BindText(int i, absl::string_view v);
  // The blob is copied only when `transient`; otherwise it must live until
  // the statement is reset.
  Stmt& BindBlob(int i, absl::string_view v, bool transient = false);

  absl::StatusOr<bool> Step();
  // Steps a statement that returns no row (or whose rows are ignored).
  absl::Status Run();
  void Reset();

  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  absl::string_view ColumnText(int i) const;
  absl::string_view ColumnBlob(int i) const;

 private:
  friend class Db;
  Stmt(const Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  const Db* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Every connection has the SQL function dubare_checksum(v1, v2, ...): a
// 64-bit XXH3 of its arguments, each with its type and (for text and blobs)
// its length, so that no two argument lists hash the same bytes. Rows that
// carry one (documents, band-key chunks, digest blocks) are written with
// `checksum = dubare_checksum(<key>, <columns>)` and read with
// `checksum IS dubare_checksum(...)`: damage that SQLite's page structure
// does not show (random bytes over a row's payload) is found on read.
class Db {
 public:
  // Opens an existing database (create=false) or creates one. Errors name
  // the path.
  static absl::StatusOr<std::unique_ptr<Db>> Open(const std::string& path, bool create,
                                                  bool read_only);
  ~Db();

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

  absl::Status Exec(const char* sql);
  absl::StatusOr<Stmt> Prepare(const char* sql);
  // The first column of the first row of `sql` as an integer / text.
  absl::StatusOr<int64_t> QueryInt(const char* sql);
  absl::StatusOr<std::string> QueryText(const char* sql);
  int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

  // The status for SQLite result code `rc` with `what` as context.
  absl::Status Error(int rc, absl::string_view what) const;

 private:
  Db(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  std::string path_;
  sqlite3* db_;
};

}  // namespace dubare::index_internal

#endif  // DUBARE_SRC_INDEX_SQLITE_H_
