// Copyright 2026 The Dubare Authors.

#include "index/sqlite.h"

#include <unistd.h>
#include <xxhash.h>

#include <filesystem>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace dubare::index_internal {

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::BindInt(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

Stmt& Stmt::BindText(int i, absl::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::BindBlob(int i, absl::string_view v, bool transient) {
  // A zero-length blob must not bind as NULL: pass a valid pointer.
  sqlite3_bind_blob(stmt_, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()),
                    transient ? SQLITE_TRANSIENT : SQLITE_STATIC);
  return *this;
}

absl::StatusOr<bool> Stmt::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  absl::Status status = db_->Error(rc, sqlite3_sql(stmt_));
  sqlite3_reset(stmt_);
  return status;
}

absl::Status Stmt::Run() {
  absl::StatusOr<bool> row = Step();
  Reset();
  return row.status();
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

absl::string_view Stmt::ColumnText(int i) const {
  const unsigned char* p = sqlite3_column_text(stmt_, i);
  return p == nullptr ? absl::string_view()
                      : absl::string_view(reinterpret_cast<const char*>(p),
                                          sqlite3_column_bytes(stmt_, i));
}

absl::string_view Stmt::ColumnBlob(int i) const {
  const void* p = sqlite3_column_blob(stmt_, i);
  return p == nullptr ? absl::string_view()
                      : absl::string_view(static_cast<const char*>(p),
                                          sqlite3_column_bytes(stmt_, i));
}

namespace {

// A reader of a WAL-mode file needs its -shm file, and creates it when it
// is absent. In a directory the reader cannot write (an index owned by
// another user) it cannot, and every statement would fail with "attempt to
// write a readonly database". With no -wal file there is nothing outside
// the main file to read, so the file is opened as immutable: no locks, no
// -shm. (A writer starting meanwhile is not seen; a read-only reader cannot
// harm the file.)
bool NeedsImmutable(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  if (::access(dir.empty() ? "." : dir.c_str(), W_OK) == 0) return false;
  std::error_code ignored;
  return !std::filesystem::exists(path + "-wal", ignored) &&
         !std::filesystem::exists(path + "-shm", ignored);
}

std::string ImmutableUri(const std::string& path) {
  std::string uri = "file:";
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      absl::StrAppend(&uri, absl::StrFormat("%%%02X", static_cast<unsigned char>(c)));
    } else {
      uri += c;
    }
  }
  return uri + "?immutable=1";
}

void ChecksumFunction(sqlite3_context* context, int argc, sqlite3_value** argv) {
  std::string bytes;
  const auto append = [&bytes](const void* p, size_t n) {
    bytes.append(static_cast<const char*>(p), n);
  };
  for (int i = 0; i < argc; ++i) {
    const unsigned char type = static_cast<unsigned char>(sqlite3_value_type(argv[i]));
    append(&type, 1);
    if (type == SQLITE_INTEGER) {
      const int64_t v = sqlite3_value_int64(argv[i]);
      append(&v, sizeof v);
    } else if (type == SQLITE_FLOAT) {
      const double v = sqlite3_value_double(argv[i]);
      append(&v, sizeof v);
    } else if (type == SQLITE_TEXT || type == SQLITE_BLOB) {
      const void* p = type == SQLITE_TEXT ? static_cast<const void*>(sqlite3_value_text(argv[i]))
                                          : sqlite3_value_blob(argv[i]);
      const int64_t n = sqlite3_value_bytes(argv[i]);
      append(&n, sizeof n);
      if (n > 0) append(p, static_cast<size_t>(n));
    }
  }
  sqlite3_result_int64(context, static_cast<int64_t>(XXH3_64bits(bytes.data(), bytes.size())));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path, bool create,
                                             bool read_only) {
  int flags = (read_only ? SQLITE_OPEN_READONLY
                         : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0)) |
              SQLITE_OPEN_NOMUTEX;
  std::string name = path;
  if (read_only && NeedsImmutable(path)) {
    name = ImmutableUri(path);
    flags |= SQLITE_OPEN_URI;
  }
  sqlite3* handle = nullptr;
  const int rc = sqlite3_open_v2(name.c_str(), &handle, flags, nullptr);
  std::unique_ptr<Db> db(new Db(path, handle));
  if (rc != SQLITE_OK) return db->Error(rc, "cannot open");
  sqlite3_extended_result_codes(handle, 1);
  const int fn = sqlite3_create_function_v2(
      handle, "dubare_checksum", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
      nullptr, ChecksumFunction, nullptr, nullptr, nullptr);
  if (fn != SQLITE_OK) return db->Error(fn, "cannot register dubare_checksum");
  return db;
}

Db::~Db() { sqlite3_close_v2(db_); }

absl::Status Db::Error(int rc, absl::string_view what) const {
  const char* message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  std::string text = absl::StrCat(path_, ": ", what, ": ", message);
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(text);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(text);
    case SQLITE_CANTOPEN:
      return absl::NotFoundError(text);
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return absl::PermissionDeniedError(text);
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(text);
    default:
      return absl::InternalError(text);
  }
}

absl::Status Db::Exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? absl::OkStatus() : Error(rc, sql);
}

absl::StatusOr<Stmt> Db::Prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc, sql);
  return Stmt(this, stmt);
}

absl::StatusOr<int64_t> Db::QueryInt(const char* sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat(path_, ": no row for ", sql));
  return stmt->ColumnInt(0);
}

absl::StatusOr<std::string> Db::QueryText(const char* sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat(path_, ": no row for ", sql));
  return std::string(stmt->ColumnText(0));
}

}  // namespace dubare::index_internal
