// Copyright 2026 The Dubare Authors.
//
// The index: schema, open/create checks, Add/Query/Remove transactions.

#include "dubare/index.h"

#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <thread>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/parallel.h"
#include "dubare/status.h"
#include "index/checkpointer.h"
#include "index/digests.h"
#include "index/runs.h"
#include "index/sketch_job.h"
#include "index/sqlite.h"

namespace dubare {

using index_internal::Checkpointer;
using index_internal::Db;
using index_internal::DigestStore;
using index_internal::Entry;
using index_internal::RunStore;
using index_internal::Stmt;

namespace {

// PRAGMA application_id of an index file: "DBIX".
constexpr int32_t kApplicationId = 0x44424958;

// Whether a documents row matches its checksum (schema 5), as a column.
constexpr char kDocumentChecksumOk[] =
    "checksum IS dubare_checksum(doc, id, metadata, length, minhash, batch, added_at)";
// Seed of the id key, the entry that finds a document by its id. It lives in
// the same runs as the band keys; a collision with a band key only yields a
// candidate that the id or score comparison rejects.
constexpr uint64_t kIdKeySeed = 0x69646b6579ull;  // "idkey"

uint64_t IdKey(absl::string_view id) { return XXH3_64bits_withSeed(id.data(), id.size(), kIdKeySeed); }

// Documents with one signature (all num_perm values equal: estimate 1.0)
// share this key. The first present one is the head of its copies, which are
// stored without band keys: LSH buckets hold heads only, so a crowd of
// identical documents neither grows them nor appears in answers beyond its
// head (matches with score 1), and adding or querying one more copy costs
// what any document costs.
constexpr uint64_t kSignatureKeySeed = 0x7369676b6579ull;  // "sigkey"
uint64_t SignatureKey(absl::Span<const uint32_t> minhash) {
  return XXH3_64bits_withSeed(minhash.data(), minhash.size() * sizeof(uint32_t),
                              kSignatureKeySeed);
}

// Per document in batch_keys: its band keys, then its id key and its
// signature key.
size_t KeysPerDoc(uint32_t bands) { return bands + 2; }

int64_t NowSeconds() { return static_cast<int64_t>(std::time(nullptr)); }

uint32_t BigEndian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Checks what can be checked before SQLite sees the file: that it exists,
// is an SQLite database with Dubare's application id, and is not shorter
// than its header says (when no write-ahead log may hold the rest).
absl::Status CheckFileHeader(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat(path, ": no such index"));
    return ErrnoError(path, "", errno);
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": not a regular file"));
  }
  auto not_index = [&](absl::string_view why) {
    return absl::DataLossError(absl::StrCat(path, ": not a Dubare index: ", why));
  };
  unsigned char header[100];
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return ErrnoError(path, "", errno);
  const size_t n = std::fread(header, 1, sizeof(header), f);
  std::fclose(f);
  if (n < sizeof(header)) {
    return not_index(absl::StrCat("file of ", st.st_size,
                                  " bytes is shorter than an SQLite header (truncated?)"));
  }
  if (std::memcmp(header, "SQLite format 3", 16) != 0) {
    return not_index("no SQLite header (random or foreign data)");
  }
  const int32_t app_id = static_cast<int32_t>(BigEndian32(header + 68));
  if (app_id != kApplicationId) {
    return not_index(absl::StrFormat("an SQLite database with application_id 0x%08x", app_id));
  }
  uint32_t page_size = (uint32_t{header[16]} << 8) | header[17];
  if (page_size == 1) page_size = 65536;
  const uint32_t pages = BigEndian32(header + 28);
  const bool pages_valid = BigEndian32(header + 24) == BigEndian32(header + 92);
  // A checkpoint interrupted by a crash may leave the header ahead of the
  // file; the write-ahead log then still holds the pages.
  struct stat wal;
  const bool has_wal = stat((path + "-wal").c_str(), &wal) == 0 && wal.st_size > 0;
  if (pages_valid && !has_wal && uint64_t(st.st_size) < uint64_t{pages} * page_size) {
    return absl::DataLossError(absl::StrCat(path, ": truncated: the header says ", pages,
                                            " pages of ", page_size, " bytes (",
                                            uint64_t{pages} * page_size, " bytes), the file has ",
                                            st.st_size));
  }
  return absl::OkStatus();
}

std::string FormatDouble(double v) { return absl::StrFormat("%.17g", v); }

}  // namespace

// ---- Settings and options -------------------------------------------------------

absl::Status IndexSettings::Validate() const {
  DUBARE_RETURN_IF_ERROR(sketch.Validate());
  if (!(threshold > 0 && threshold <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("threshold ", threshold, " is not in (0, 1]"));
  }
  if (lsh.bands != 0 || lsh.rows != 0) DUBARE_RETURN_IF_ERROR(lsh.Validate(sketch.num_perm));
  return absl::OkStatus();
}

absl::Status IndexSettings::CheckSame(const IndexSettings& file) const {
  if (absl::Status s = file.sketch.CheckCompatible(sketch); !s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("sketch parameters differ from the index's: ", s.message()));
  }
  if (threshold != file.threshold) {
    return absl::FailedPreconditionError(absl::StrCat(
        "threshold differs: the index has ", file.threshold, ", asked for ", threshold));
  }
  if ((lsh.bands != 0 || lsh.rows != 0) && !(lsh == file.lsh)) {
    return absl::FailedPreconditionError(absl::StrCat("LSH layout differs: the index has '",
                                                      file.lsh.ToString(), "', asked for '",
                                                      lsh.ToString(), "'"));
  }
  return absl::OkStatus();
}

absl::Status IndexOptions::Validate() const {
  DUBARE_RETURN_IF_ERROR(settings.Validate());
  if (threads < 0 || threads > 256) {
    return absl::InvalidArgumentError(absl::StrCat("threads ", threads, " is not in [0, 256]"));
  }
  if (cache_mb < 1 || busy_timeout_ms < 0 || resident_mb < 0 || max_bucket_size < 1 ||
      merge_step_chunks < 1) {
    return absl::InvalidArgumentError(
        "cache_mb, max_bucket_size, merge_step_chunks must be >= 1, busy_timeout_ms and "
        "resident_mb >= 0");
  }
  return absl::OkStatus();
}

absl::string_view IndexStatusName(IndexStatus status) {
  switch (status) {
    case IndexStatus::kNew:
      return "new";
    case IndexStatus::kDuplicate:
      return "duplicate";
    case IndexStatus::kExists:
      return "exists";
  }
  return "?";
}

std::string IndexStats::ToText() const {
  const double per_doc = documents ? double(file_bytes) / documents : 0.0;
  return absl::StrFormat(
      "sketch: %s\nlsh: %s\nthreshold: %g\ndocuments: %d\nbatches: %d\nruns: %d\n"
      "merging_runs: %d\nband_entries: %d\nremoved_documents: %d\nfile_bytes: %d\n"
      "free_bytes: %d\nwal_bytes: %d\nbytes_per_document: %.0f\nfilter_memory_bytes: %d\n"
      "resident_runs: %d\n"
      "created_at: %d\nlast_batch_at: %d\n",
      settings.sketch.ToString(), settings.lsh.ToString(), settings.threshold, documents, batches,
      runs, merging_runs, band_entries, removed_documents, file_bytes, free_bytes, wal_bytes,
      per_doc, filter_memory_bytes, resident_runs, created_at, last_batch_at);
}

std::string CompactResult::ToText() const {
  return absl::StrFormat("runs_before: %d\nruns_after: %d\nband_entries_before: %d\n"
                         "band_entries_after: %d\n",
                         runs_before, runs_after, entries_before, entries_after);
}

// The settings rows' checksum (meta 'settings_checksum'): an edited or
// damaged setting is refused on open instead of answering with other
// parameters than the stored signatures were made with.
// (The schema version is not in it: upgrades change it, and PRAGMA
// user_version is checked against it.)
std::string SettingsChecksum(absl::string_view sketch, absl::string_view lsh,
                             absl::string_view threshold) {
  const std::string all = absl::StrCat(sketch, "\n", lsh, "\n", threshold);
  return absl::StrFormat("%016x", XXH3_64bits(all.data(), all.size()));
}

// PATH-dubare-batch holds the number of the last batch committed: a file
// whose batches table ends earlier lost committed batches (its -wal file was
// removed after a crash), which opening says instead of answering without them.
std::string BatchMarkPath(const std::string& path) { return path + "-dubare-batch"; }

// ---- Impl ---------------------------------------------------------------------------

struct Index::Impl {
  IndexOptions options;
  IndexSettings settings;  // the file's
  std::unique_ptr<Db> db;
  std::unique_ptr<Checkpointer> checkpointer;  // before db goes
  std::unique_ptr<RunStore> runs;
  std::unique_ptr<DigestStore> digests;
  std::vector<std::unique_ptr<DocumentSketcher>> sketchers;
  Stmt find_doc, insert_doc, next_doc, delete_doc, insert_batch, next_batch, add_count;
  // The keys of a batch and what the runs hold for them, looked up at once
  // (so that the probes of the runs' filters overlap): per document its
  // bands' keys, then its id key.
  struct BatchKeys {
    std::vector<uint64_t> keys;
    std::vector<Entry> sorted;     // (key, position in `keys`), by key
    std::vector<Entry> sort_scratch;
    std::vector<uint8_t> shared;   // another key of the batch is equal
    std::vector<std::vector<uint32_t>> found;
  };
  BatchKeys batch_keys;  // reused, so that lookups do not allocate
  std::vector<uint32_t> scratch_candidates;

  // Documents added by the transaction in progress, visible to later
  // documents of the same batch before their keys reach a run. Only keys
  // that occur more than once in the batch are kept.
  struct Pending {
    absl::flat_hash_map<uint64_t, absl::InlinedVector<uint32_t, 1>> key_docs;
    absl::flat_hash_map<std::string, uint32_t> ids;
    absl::flat_hash_map<uint64_t, absl::InlinedVector<uint32_t, 1>> signature_docs;
  };

  absl::Status Init();
  absl::Status ReadSettings();
  // Brings a file of schema `version` to kIndexSchemaVersion, in one
  // transaction.
  absl::Status Upgrade(uint32_t version);
  absl::Status Begin(bool write);
  absl::Status Commit();
  void Rollback();
  absl::StatusOr<bool> FetchDoc(uint32_t doc, std::string* id, std::vector<uint32_t>* minhash);
  // Checks `docs` and looks up all their keys into batch_keys.
  absl::Status LookupBatch(absl::Span<const SketchedDocument> docs);
  // Whether `id` is stored, given what the runs hold for its id key.
  absl::StatusOr<bool> FindId(absl::string_view id, absl::Span<const uint32_t> in_runs,
                              const Pending* pending, uint32_t* doc);
  // The verified matches of a document, given what the runs hold for its
  // band keys and which of them other documents of the batch share.
  absl::Status Match(absl::Span<const uint32_t> minhash, absl::Span<const uint64_t> keys,
                     absl::Span<const std::vector<uint32_t>> in_runs,
                     absl::Span<const uint8_t> shared, const Pending* pending,
                     absl::string_view self_id, IndexResult* result);
  // The earliest present document with this signature (other than one
  // with id `self_id`), from the runs' entries for its signature key and
  // this batch's; *head_id gets its id.
  absl::StatusOr<bool> FindHead(absl::Span<const uint32_t> minhash,
                                absl::Span<const uint32_t> in_runs, const Pending* pending,
                                uint64_t key, absl::string_view self_id, uint32_t* head,
                                std::string* head_id);
  absl::Status CheckMinHash(const SketchedDocument& doc) const;
  absl::Status DocumentChecksumError(uint32_t doc) const {
    return absl::DataLossError(absl::StrCat(
        db->path(), ": document ", doc,
        " fails its checksum: the row was damaged after it was written (dubare index check "
        "reports all such rows)"));
  }
  // Writes the signature key of every stored document (upgrade to schema 4).
  absl::Status AddSignatureKeys();
  // Gives every row that carries one its checksum (upgrade to schema 5).
  absl::Status AddRowChecksums();
  absl::StatusOr<AddResult> AddLocked(absl::Span<const SketchedDocument> docs);
  absl::StatusOr<std::vector<IndexResult>> QueryLocked(absl::Span<const SketchedDocument> docs);
  absl::StatusOr<std::vector<bool>> RemoveLocked(absl::Span<const std::string> ids);
};

absl::Status Index::Impl::Init() {
  // Pragmas that are per connection; journal_mode=WAL is stored in the file.
  DUBARE_RETURN_IF_ERROR(db->Exec(absl::StrCat("PRAGMA busy_timeout=", options.busy_timeout_ms,
                                               "; PRAGMA cache_size=-", options.cache_mb * 1024,
                                               "; PRAGMA synchronous=",
                                               options.sync_full ? "FULL" : "NORMAL",
                                               "; PRAGMA temp_store=MEMORY;"
                                               " PRAGMA journal_size_limit=67108864;"
                                               // Debian builds SQLite with secure_delete on,
                                               // which writes every page a merge frees
                                               // (as many as it fills) as zeros: FAST
                                               // still zeroes what is deleted from pages
                                               // written anyway, such as removed documents.
                                               " PRAGMA secure_delete=FAST;")
                                      .c_str()));
  // Checkpoint the WAL every 32 MB whatever the page size (schema-1 files
  // have 4 KiB pages): a checkpoint in some commit bounds the pause it
  // causes, and on the checkpointer's thread how far it lags.
  DUBARE_ASSIGN_OR_RETURN(int64_t page_size, db->QueryInt("PRAGMA page_size"));
  const int64_t checkpoint_pages = (int64_t{32} << 20) / std::max<int64_t>(page_size, 512);
  DUBARE_RETURN_IF_ERROR(
      db->Exec(absl::StrCat("PRAGMA wal_autocheckpoint=", checkpoint_pages).c_str()));
  DUBARE_RETURN_IF_ERROR(ReadSettings());
  if (options.quick_check) {
    DUBARE_ASSIGN_OR_RETURN(std::string result, db->QueryText("PRAGMA quick_check"));
    if (result != "ok") {
      return absl::DataLossError(absl::StrCat(
          db->path(), ": damaged, PRAGMA quick_check failed: ", result,
          "; nothing was written to it (restore it from a copy, or rebuild it)"));
    }
  }
  if (!options.read_only && options.background_checkpoint) {
    DUBARE_ASSIGN_OR_RETURN(checkpointer,
                            Checkpointer::Start(db.get(), static_cast<int>(checkpoint_pages)));
  }
  DUBARE_ASSIGN_OR_RETURN(
      find_doc, db->Prepare(absl::StrCat("SELECT id, minhash, ", kDocumentChecksumOk,
                                         " FROM documents WHERE doc = ?")
                                .c_str()));
  // Document numbers are given explicitly (AUTOINCREMENT still keeps the
  // largest ever used) so that the row's checksum can cover its number.
  DUBARE_ASSIGN_OR_RETURN(
      insert_doc,
      db->Prepare("INSERT INTO documents(doc, id, metadata, length, minhash, batch, added_at,"
                  " checksum) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                  " dubare_checksum(?1, ?2, ?3, ?4, ?5, ?6, ?7))"));
  DUBARE_ASSIGN_OR_RETURN(
      next_doc, db->Prepare("SELECT max(coalesce((SELECT seq FROM sqlite_sequence"
                            " WHERE name = 'documents'), 0), coalesce(max(doc), 0)) + 1"
                            " FROM documents"));
  DUBARE_ASSIGN_OR_RETURN(delete_doc, db->Prepare("DELETE FROM documents WHERE doc = ?"));
  DUBARE_ASSIGN_OR_RETURN(
      insert_batch,
      db->Prepare("INSERT INTO batches(batch, documents, committed_at) VALUES(?, ?, ?)"));
  DUBARE_ASSIGN_OR_RETURN(next_batch,
                          db->Prepare("SELECT coalesce(max(batch), 0) + 1 FROM batches"));
  DUBARE_ASSIGN_OR_RETURN(
      add_count, db->Prepare("UPDATE meta SET value = value + ? WHERE key = 'documents'"));
  digests = std::make_unique<DigestStore>(db.get(), settings.sketch.num_perm);
  runs = std::make_unique<RunStore>(db.get(), options.merge_step_chunks,
                                    uint64_t(options.resident_mb) << 20, options.threads);
  for (int i = 0; i < options.threads; ++i) {
    sketchers.push_back(std::make_unique<DocumentSketcher>(settings.sketch, options.on_invalid));
  }
  return absl::OkStatus();
}

absl::Status Index::Impl::ReadSettings() {
  const std::string& path = db->path();
  // The application id is checked on the raw header; a schema without the
  // meta table is a foreign or damaged file.
  DUBARE_ASSIGN_OR_RETURN(int64_t has_meta,
                          db->QueryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'meta'"));
  if (has_meta == 0) {
    return absl::DataLossError(absl::StrCat(path, ": not a Dubare index: no meta table"));
  }
  DUBARE_ASSIGN_OR_RETURN(Stmt stmt, db->Prepare("SELECT key, value FROM meta"));
  absl::flat_hash_map<std::string, std::string> meta;
  while (true) {
    DUBARE_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    meta[std::string(stmt.ColumnText(0))] = std::string(stmt.ColumnText(1));
  }
  auto get = [&](const char* key) -> absl::StatusOr<std::string> {
    auto it = meta.find(key);
    if (it == meta.end()) {
      return absl::DataLossError(absl::StrCat(path, ": meta table has no '", key, "'"));
    }
    return it->second;
  };
  DUBARE_ASSIGN_OR_RETURN(std::string version_text, get("schema_version"));
  uint32_t version = 0;
  if (!absl::SimpleAtoi(version_text, &version)) {
    return absl::DataLossError(absl::StrCat(path, ": bad schema_version '", version_text, "'"));
  }
  if (version > kIndexSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": index schema version ", version,
                     " is newer than this build of dubare supports (", kIndexSchemaVersion,
                     "); use a newer dubare"));
  }
  if (version < 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": index schema version ", version, " is older than this build's (",
        kIndexSchemaVersion, ") and cannot be upgraded in place; rebuild the index"));
  }
  if (version < kIndexSchemaVersion && options.read_only) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": index schema version ", version, " is older than this build's (",
        kIndexSchemaVersion, "); open it for writing once to upgrade it (e.g. dubare index compact)"));
  }
  IndexSettings file;
  DUBARE_ASSIGN_OR_RETURN(std::string sketch_text, get("sketch_params"));
  absl::StatusOr<SketchParams> sketch = SketchParams::Parse(sketch_text);
  if (!sketch.ok()) return Annotate(sketch.status(), absl::StrCat(path, ": sketch_params"));
  file.sketch = *sketch;
  DUBARE_ASSIGN_OR_RETURN(std::string lsh_text, get("lsh_params"));
  absl::StatusOr<LshParams> lsh = LshParams::Parse(lsh_text);
  if (!lsh.ok()) return Annotate(lsh.status(), absl::StrCat(path, ": lsh_params"));
  if (lsh->band_key_version != LshParams::kBandKeyVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": band key version ", lsh->band_key_version, " differs from this build's (",
        LshParams::kBandKeyVersion, "); rebuild the index"));
  }
  file.lsh = *lsh;
  DUBARE_ASSIGN_OR_RETURN(std::string threshold_text, get("threshold"));
  if (!absl::SimpleAtod(threshold_text, &file.threshold)) {
    return absl::DataLossError(absl::StrCat(path, ": bad threshold '", threshold_text, "'"));
  }
  if (absl::Status s = file.Validate(); !s.ok()) return Annotate(s, path);
  const std::string checksum =
      SettingsChecksum(sketch_text, lsh_text, threshold_text);
  if (auto it = meta.find("settings_checksum"); it != meta.end()) {
    if (it->second != checksum) {
      return absl::DataLossError(absl::StrCat(
          path, ": the settings rows (sketch_params, lsh_params, threshold) do "
                "not match their checksum: edited or damaged; the index cannot be trusted"));
    }
  } else if (!options.read_only) {  // files from before the checksum get one
    DUBARE_RETURN_IF_ERROR(db->Exec(
        absl::StrCat("INSERT OR REPLACE INTO meta(key, value) VALUES('settings_checksum', '",
                     checksum, "')")
            .c_str()));
  }
  DUBARE_ASSIGN_OR_RETURN(int64_t user_version, db->QueryInt("PRAGMA user_version"));
  if (user_version != 0 && user_version != version) {
    return absl::DataLossError(absl::StrCat(path, ": PRAGMA user_version ", user_version,
                                            " differs from the schema version ", version,
                                            " in the meta table: edited or damaged"));
  }
  // Committed batches that the file lost.
  if (FILE* mark = std::fopen(BatchMarkPath(path).c_str(), "r")) {
    unsigned long long last = 0;
    const bool read = std::fscanf(mark, "%llu", &last) == 1;
    std::fclose(mark);
    DUBARE_ASSIGN_OR_RETURN(int64_t stored, db->QueryInt("SELECT coalesce(max(batch), 0) FROM batches"));
    if (read && static_cast<unsigned long long>(stored) < last) {
      return absl::DataLossError(absl::StrCat(
          path, ": batches ", stored + 1, "..", last,
          " were committed but are not in the file (its -wal file was removed or lost after a "
          "crash, or the file was replaced by an older copy); restore the -wal file, or remove ",
          BatchMarkPath(path), " to accept the file as it is"));
    }
  }
  if (options.check_settings) {
    if (absl::Status s = options.settings.CheckSame(file); !s.ok()) return Annotate(s, path);
  }
  settings = file;
  if (version < kIndexSchemaVersion) DUBARE_RETURN_IF_ERROR(Upgrade(version));
  return absl::OkStatus();
}

// Schema 2 adds runs.state (merges in progress) and the removed table. The
// documents a schema-1 index removed are the gaps in its doc numbers (they
// are never reused). Schema 3 adds the digests table. Schema 4 adds a
// signature key per document (SignatureKey): every stored document gets one,
// so that its later copies are answered from it. Schema 5 adds a checksum to
// every documents, chunks and digests row (from then on: what was damaged
// before the upgrade is not detected by it).
absl::Status Index::Impl::Upgrade(uint32_t version) {
  DUBARE_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  absl::Status s = [&]() -> absl::Status {
    DUBARE_ASSIGN_OR_RETURN(
        std::string now, db->QueryText("SELECT value FROM meta WHERE key = 'schema_version'"));
    if (now != absl::StrCat(version)) return absl::OkStatus();  // another process upgraded it
    if (version == 1) {
      DUBARE_RETURN_IF_ERROR(RunStore::UpgradeSchemaFrom1(db.get()));
      DUBARE_RETURN_IF_ERROR(db->Exec(
          "WITH RECURSIVE n(doc) AS (SELECT 1 UNION ALL SELECT doc + 1 FROM n WHERE doc <"
          " (SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'documents'))"
          " INSERT INTO removed(doc) SELECT doc FROM n WHERE doc NOT IN (SELECT doc FROM documents)"));
    }
    if (version < 3) {
      DUBARE_RETURN_IF_ERROR(DigestStore::CreateFromDocuments(db.get(), settings.sketch.num_perm));
    }
    if (version < 4) DUBARE_RETURN_IF_ERROR(AddSignatureKeys());
    if (version < 5) DUBARE_RETURN_IF_ERROR(AddRowChecksums());
    return db->Exec(absl::StrCat("UPDATE meta SET value = '", kIndexSchemaVersion,
                                 "' WHERE key = 'schema_version'; PRAGMA user_version = ",
                                 kIndexSchemaVersion)
                        .c_str());
  }();
  if (s.ok()) s = db->Exec("COMMIT");
  if (!s.ok()) {
    sqlite3_exec(db->handle(), "ROLLBACK", 0, 0, 0);
    return Annotate(s, absl::StrCat(db->path(), ": upgrading schema ", version, " to ",
                                    kIndexSchemaVersion));
  }
  return absl::OkStatus();
}

absl::Status Index::Impl::AddRowChecksums() {
  for (const auto& [table, columns] : {std::pair<const char*, const char*>{"documents",
                                          "doc, id, metadata, length, minhash, batch, added_at"},
                                      {"chunks", "chunk, data"},
                                      {"digests", "block, data"}}) {
    // Tables created by an earlier step of this upgrade have the column.
    DUBARE_ASSIGN_OR_RETURN(
        int64_t has, db->QueryInt(absl::StrCat("SELECT count(*) FROM pragma_table_info('", table,
                                               "') WHERE name = 'checksum'")
                                      .c_str()));
    if (has == 0) {
      DUBARE_RETURN_IF_ERROR(
          db->Exec(absl::StrCat("ALTER TABLE ", table, " ADD COLUMN checksum INTEGER").c_str()));
    }
    DUBARE_RETURN_IF_ERROR(db->Exec(
        absl::StrCat("UPDATE ", table, " SET checksum = dubare_checksum(", columns, ")").c_str()));
  }
  return absl::OkStatus();
}

absl::Status Index::Impl::AddSignatureKeys() {
  DUBARE_ASSIGN_OR_RETURN(Stmt all, db->Prepare("SELECT doc, minhash FROM documents ORDER BY doc"));
  std::vector<Entry> entries;
  for (;;) {
    DUBARE_ASSIGN_OR_RETURN(bool row, all.Step());
    if (!row) break;
    const uint32_t doc = static_cast<uint32_t>(all.ColumnInt(0));
    DUBARE_ASSIGN_OR_RETURN(std::vector<uint32_t> minhash,
                            DecodeValues(all.ColumnBlob(1), settings.sketch.num_perm));
    entries.push_back({SignatureKey(minhash), doc});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::pair(a.key, a.doc) < std::pair(b.key, b.doc);
  });
  // Upgrades run before the store is opened: one of its own. Entries already
  // there (a file this build wrote, its version number lowered) are not
  // written twice.
  RunStore store(db.get());
  DUBARE_RETURN_IF_ERROR(store.Sync());
  std::vector<Entry> lookup(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) lookup[i] = {entries[i].key, static_cast<uint32_t>(i)};
  std::vector<std::vector<uint32_t>> found(entries.size());
  DUBARE_RETURN_IF_ERROR(store.LookupSorted(lookup, &found));
  std::vector<Entry> missing;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!absl::c_linear_search(found[i], entries[i].doc)) missing.push_back(entries[i]);
  }
  return store.Append(missing);
}

absl::Status Index::Impl::Begin(bool write) {
  if (write && options.read_only) {
    return absl::FailedPreconditionError(absl::StrCat(db->path(), ": opened read-only"));
  }
  DUBARE_RETURN_IF_ERROR(db->Exec(write ? "BEGIN IMMEDIATE" : "BEGIN"));
  absl::Status s = runs->Sync();
  if (s.ok()) s = digests->Sync();
  if (!s.ok()) {
    Rollback();
    return s;
  }
  return absl::OkStatus();
}

absl::Status Index::Impl::Commit() {
  absl::Status s = db->Exec("COMMIT");
  if (!s.ok()) Rollback();
  return s;
}

void Index::Impl::Rollback() {
  if (!sqlite3_get_autocommit(db->handle())) sqlite3_exec(db->handle(), "ROLLBACK", 0, 0, 0);
  runs->Invalidate();  // cached runs may include ones that were rolled back
  digests->ForgetChanges();
}

absl::StatusOr<bool> Index::Impl::FetchDoc(uint32_t doc, std::string* id,
                                           std::vector<uint32_t>* minhash) {
  find_doc.BindInt(1, doc);
  DUBARE_ASSIGN_OR_RETURN(bool row, find_doc.Step());
  if (row && find_doc.ColumnInt(2) == 0) {
    find_doc.Reset();
    return DocumentChecksumError(doc);
  }
  if (row) {
    if (id != nullptr) {
      absl::string_view text = find_doc.ColumnText(0);
      id->assign(text.data(), text.size());
    }
    if (minhash != nullptr) {
      absl::StatusOr<std::vector<uint32_t>> values =
          DecodeValues(find_doc.ColumnBlob(1), settings.sketch.num_perm);
      if (!values.ok()) {
        find_doc.Reset();
        return Annotate(values.status(), absl::StrCat(db->path(), ": document ", doc));
      }
      *minhash = *std::move(values);
    }
  }
  find_doc.Reset();
  return row;
}

absl::Status Index::Impl::LookupBatch(absl::Span<const SketchedDocument> docs) {
  const uint32_t bands = settings.lsh.bands;
  batch_keys.keys.resize(docs.size() * KeysPerDoc(bands));
  for (size_t i = 0; i < docs.size(); ++i) {
    DUBARE_RETURN_IF_ERROR(CheckMinHash(docs[i]));
    uint64_t* keys = &batch_keys.keys[i * KeysPerDoc(bands)];
    BandKeys(docs[i].minhash, settings.lsh, absl::MakeSpan(keys, bands));
    keys[bands] = IdKey(docs[i].id);
    keys[bands + 1] = SignatureKey(docs[i].minhash);
  }
  std::vector<Entry>& sorted = batch_keys.sorted;
  sorted.resize(batch_keys.keys.size());
  for (size_t i = 0; i < sorted.size(); ++i) {
    sorted[i] = {batch_keys.keys[i], static_cast<uint32_t>(i)};
  }
  index_internal::SortByKey(&sorted, &batch_keys.sort_scratch);
  batch_keys.shared.assign(sorted.size(), 0);
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].key == sorted[i - 1].key) {
      batch_keys.shared[sorted[i].doc] = batch_keys.shared[sorted[i - 1].doc] = 1;
    }
  }
  batch_keys.found.resize(sorted.size());
  for (std::vector<uint32_t>& found : batch_keys.found) found.clear();
  return runs->LookupSorted(sorted, &batch_keys.found);
}

absl::StatusOr<bool> Index::Impl::FindId(absl::string_view id, absl::Span<const uint32_t> in_runs,
                                         const Pending* pending, uint32_t* doc) {
  if (pending != nullptr) {
    auto it = pending->ids.find(id);
    if (it != pending->ids.end()) {
      *doc = it->second;
      return true;
    }
  }
  std::string found;
  for (uint32_t d : in_runs) {
    DUBARE_ASSIGN_OR_RETURN(bool present, FetchDoc(d, &found, nullptr));
    if (present && found == id) {
      *doc = d;
      return true;
    }
  }
  return false;
}

absl::StatusOr<bool> Index::Impl::FindHead(absl::Span<const uint32_t> minhash,
                                           absl::Span<const uint32_t> in_runs,
                                           const Pending* pending, uint64_t key,
                                           absl::string_view self_id, uint32_t* head,
                                           std::string* head_id) {
  std::vector<uint32_t>& docs = scratch_candidates;
  docs.assign(in_runs.begin(), in_runs.end());
  if (pending != nullptr) {
    auto it = pending->signature_docs.find(key);
    if (it != pending->signature_docs.end()) docs.insert(docs.end(), it->second.begin(), it->second.end());
  }
  std::sort(docs.begin(), docs.end());
  std::vector<uint32_t> other;
  for (uint32_t doc : docs) {
    DUBARE_ASSIGN_OR_RETURN(bool present, FetchDoc(doc, head_id, &other));
    // A key collision is told apart by the signature itself.
    if (!present || *head_id == self_id || !absl::c_equal(other, minhash)) continue;
    *head = doc;
    return true;
  }
  return false;
}

absl::Status Index::Impl::Match(absl::Span<const uint32_t> minhash,
                                absl::Span<const uint64_t> keys,
                                absl::Span<const std::vector<uint32_t>> in_runs,
                                absl::Span<const uint8_t> shared, const Pending* pending,
                                absl::string_view self_id, IndexResult* result) {
  std::vector<uint32_t>& candidates = scratch_candidates;
  candidates.clear();
  for (size_t k = 0; k < keys.size(); ++k) {
    // The key's bucket: documents in the runs, then those of this batch.
    absl::Span<const uint32_t> batch;
    if (pending != nullptr && shared[k]) {
      auto it = pending->key_docs.find(keys[k]);
      if (it != pending->key_docs.end()) batch = it->second;
    }
    const size_t size = in_runs[k].size() + batch.size();
    if (size == 0) continue;
    // The bucket with the new document in it is over the cap: like dedup's
    // star, only its earliest member is a candidate.
    if (size + 1 > options.max_bucket_size) {
      uint32_t earliest = UINT32_MAX;
      for (uint32_t d : in_runs[k]) earliest = std::min(earliest, d);
      for (uint32_t d : batch) earliest = std::min(earliest, d);
      candidates.push_back(earliest);
    } else {
      candidates.insert(candidates.end(), in_runs[k].begin(), in_runs[k].end());
      candidates.insert(candidates.end(), batch.begin(), batch.end());
    }
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  if (candidates.empty()) return absl::OkStatus();
  std::string id;
  std::vector<uint32_t> other;
  std::vector<std::pair<double, uint32_t>> scored;
  std::vector<std::string> ids;
  absl::InlinedVector<uint64_t, 4> digest(digests->words());
  digests->Compute(minhash, digest.data());
  const double num_perm = static_cast<double>(settings.sketch.num_perm);
  for (uint32_t doc : candidates) {
    // The bound of the estimate EstimateJaccard would compute (same
    // expression): most false candidates end here, without a read.
    if (static_cast<double>(digests->MaxEqual(doc, digest.data())) / num_perm <
        settings.threshold) {
      continue;
    }
    DUBARE_ASSIGN_OR_RETURN(bool present, FetchDoc(doc, &id, &other));
    if (!present || id == self_id) continue;  // removed, or the query's own copy
    const double score = EstimateJaccard(minhash, other);
    if (score >= settings.threshold) {
      scored.emplace_back(score, static_cast<uint32_t>(ids.size()));
      ids.push_back(id);
    }
  }
  // Best first; candidates were in doc order, so stable_sort keeps the
  // earlier-added first among equal scores.
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [score, i] : scored) result->matches.push_back({std::move(ids[i]), score});
  return absl::OkStatus();
}

absl::Status Index::Impl::CheckMinHash(const SketchedDocument& doc) const {
  if (doc.id.empty()) return absl::InvalidArgumentError("a document has an empty id");
  if (doc.minhash.size() != settings.sketch.num_perm) {
    return absl::InvalidArgumentError(absl::StrCat("document '", doc.id, "' has ",
                                                   doc.minhash.size(), " MinHash values; the index uses ",
                                                   settings.sketch.num_perm));
  }
  return absl::OkStatus();
}

absl::StatusOr<AddResult> Index::Impl::AddLocked(absl::Span<const SketchedDocument> docs) {
  AddResult out;
  DUBARE_ASSIGN_OR_RETURN(bool row, next_batch.Step());
  out.batch = row ? next_batch.ColumnInt(0) : 1;
  next_batch.Reset();
  DUBARE_ASSIGN_OR_RETURN(row, next_doc.Step());
  int64_t next_docno = row ? next_doc.ColumnInt(0) : 1;
  next_doc.Reset();
  const int64_t now = NowSeconds();
  const uint32_t bands = settings.lsh.bands;
  DUBARE_RETURN_IF_ERROR(LookupBatch(docs));
  Pending pending;
  pending.ids.reserve(docs.size());
  std::vector<uint32_t> docnos(docs.size(), 0);  // 0: not added
  out.results.resize(docs.size());
  // Added copies of a head: stored with their id and signature keys only.
  std::vector<uint8_t> copy(docs.size(), 0);
  const size_t stride = KeysPerDoc(bands);
  for (size_t i = 0; i < docs.size(); ++i) {
    const SketchedDocument& doc = docs[i];
    IndexResult& result = out.results[i];
    absl::Span<const uint64_t> keys(&batch_keys.keys[i * stride], stride);
    absl::Span<const std::vector<uint32_t>> found(&batch_keys.found[i * stride], stride);
    absl::Span<const uint8_t> shared(&batch_keys.shared[i * stride], stride);
    uint32_t existing;
    DUBARE_ASSIGN_OR_RETURN(bool exists, FindId(doc.id, found[bands], &pending, &existing));
    if (exists) {
      result.status = IndexStatus::kExists;
      continue;
    }
    uint32_t head;
    std::string head_id;
    DUBARE_ASSIGN_OR_RETURN(
        copy[i], FindHead(doc.minhash, found[bands + 1], shared[bands + 1] ? &pending : nullptr,
                          keys[bands + 1], doc.id, &head, &head_id));
    DUBARE_RETURN_IF_ERROR(Match(doc.minhash, keys.subspan(0, bands), found.subspan(0, bands),
                                 shared, &pending, doc.id, &result));
    result.status = result.matches.empty() ? IndexStatus::kNew : IndexStatus::kDuplicate;
    if (result.status == IndexStatus::kDuplicate && options.skip_duplicates) continue;
    const std::string minhash = EncodeValues(doc.minhash);
    const int64_t rowid = next_docno++;
    insert_doc.BindInt(1, rowid)
        .BindText(2, doc.id)
        .BindText(3, doc.metadata)
        .BindInt(4, static_cast<int64_t>(doc.length))
        .BindBlob(5, minhash)
        .BindInt(6, static_cast<int64_t>(out.batch))
        .BindInt(7, now);
    DUBARE_RETURN_IF_ERROR(insert_doc.Run());
    if (rowid > int64_t{UINT32_MAX}) {
      return absl::ResourceExhaustedError(
          absl::StrCat(db->path(), ": more than 2^32 documents were ever added"));
    }
    const uint32_t docno = static_cast<uint32_t>(rowid);
    digests->Set(docno, doc.minhash);
    if (!copy[i]) {
      for (uint32_t b = 0; b < bands; ++b) {
        if (shared[b]) pending.key_docs[keys[b]].push_back(docno);
      }
    }
    if (shared[bands + 1]) pending.signature_docs[keys[bands + 1]].push_back(docno);
    docnos[i] = docno;
    pending.ids.emplace(doc.id, docno);
    result.added = true;
    ++out.added;
  }
  // The added documents' keys, already sorted: docnos increase with the
  // position in the batch, so (key, position) order is (key, docno) order.
  std::vector<Entry> entries;
  entries.reserve(out.added * stride);
  for (const Entry& e : batch_keys.sorted) {
    const size_t i = e.doc / stride;
    if (docnos[i] == 0 || (copy[i] && e.doc % stride < bands)) continue;
    entries.push_back({e.key, docnos[i]});
  }
  DUBARE_RETURN_IF_ERROR(runs->Append(entries));
  DUBARE_RETURN_IF_ERROR(digests->WriteChanged());
  insert_batch.BindInt(1, static_cast<int64_t>(out.batch))
      .BindInt(2, static_cast<int64_t>(out.added))
      .BindInt(3, now);
  DUBARE_RETURN_IF_ERROR(insert_batch.Run());
  add_count.BindInt(1, static_cast<int64_t>(out.added));
  DUBARE_RETURN_IF_ERROR(add_count.Run());
  return out;
}

absl::StatusOr<std::vector<IndexResult>> Index::Impl::QueryLocked(
    absl::Span<const SketchedDocument> docs) {
  std::vector<IndexResult> results(docs.size());
  const uint32_t bands = settings.lsh.bands;
  DUBARE_RETURN_IF_ERROR(LookupBatch(docs));
  const size_t stride = KeysPerDoc(bands);
  for (size_t i = 0; i < docs.size(); ++i) {
    absl::Span<const uint64_t> keys(&batch_keys.keys[i * stride], stride);
    absl::Span<const std::vector<uint32_t>> found(&batch_keys.found[i * stride], stride);
    uint32_t existing;
    DUBARE_ASSIGN_OR_RETURN(bool exists, FindId(docs[i].id, found[bands], nullptr, &existing));
    DUBARE_RETURN_IF_ERROR(Match(docs[i].minhash, keys.subspan(0, bands),
                                 found.subspan(0, bands), {}, nullptr, docs[i].id, &results[i]));
    results[i].status = exists                      ? IndexStatus::kExists
                        : results[i].matches.empty() ? IndexStatus::kNew
                                                     : IndexStatus::kDuplicate;
  }
  return results;
}

absl::StatusOr<std::vector<bool>> Index::Impl::RemoveLocked(absl::Span<const std::string> ids) {
  std::vector<bool> removed(ids.size());
  int64_t count = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    const uint64_t key = IdKey(ids[i]);
    std::vector<std::vector<uint32_t>> found;
    DUBARE_RETURN_IF_ERROR(runs->Lookup({&key, 1}, &found));
    uint32_t doc;
    DUBARE_ASSIGN_OR_RETURN(bool exists, FindId(ids[i], found[0], nullptr, &doc));
    if (!exists) continue;
    std::string id;
    std::vector<uint32_t> minhash;
    DUBARE_RETURN_IF_ERROR(FetchDoc(doc, &id, &minhash).status());
    // The document's band entries stay in their runs until a merge drops
    // them; lookups skip documents that no longer exist.
    delete_doc.BindInt(1, doc);
    DUBARE_RETURN_IF_ERROR(delete_doc.Run());
    DUBARE_RETURN_IF_ERROR(runs->MarkRemoved(doc));
    // A removed head hands its band keys to the next of its copies, which
    // were stored without theirs.
    const uint64_t signature_key = SignatureKey(minhash);
    std::vector<std::vector<uint32_t>> same;
    DUBARE_RETURN_IF_ERROR(runs->Lookup({&signature_key, 1}, &same));
    uint32_t head;
    std::string head_id;
    DUBARE_ASSIGN_OR_RETURN(bool has_copies,
                            FindHead(minhash, same[0], nullptr, signature_key, "", &head, &head_id));
    if (has_copies && head > doc) {
      std::vector<uint64_t> keys(settings.lsh.bands);
      BandKeys(minhash, settings.lsh, absl::MakeSpan(keys));
      std::vector<Entry> entries;
      for (uint64_t key : keys) entries.push_back({key, head});
      std::sort(entries.begin(), entries.end(),
                [](const Entry& a, const Entry& b) { return a.key < b.key; });
      entries.erase(std::unique(entries.begin(), entries.end(),
                                [](const Entry& a, const Entry& b) { return a.key == b.key; }),
                    entries.end());
      DUBARE_RETURN_IF_ERROR(runs->Append(entries));
    }
    removed[i] = true;
    ++count;
  }
  add_count.BindInt(1, -count);
  DUBARE_RETURN_IF_ERROR(add_count.Run());
  return removed;
}

// ---- Index --------------------------------------------------------------------------

Index::Index(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Index::~Index() = default;

const std::string& Index::path() const { return impl_->db->path(); }
const IndexSettings& Index::settings() const { return impl_->settings; }
const IndexOptions& Index::options() const { return impl_->options; }

absl::StatusOr<std::unique_ptr<Index>> Index::Create(const std::string& path,
                                                     const IndexOptions& options) {
  DUBARE_RETURN_IF_ERROR(options.Validate());
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    return absl::AlreadyExistsError(absl::StrCat(path, ": already exists"));
  }
  IndexSettings settings = options.settings;
  DUBARE_ASSIGN_OR_RETURN(settings.lsh,
                          ChooseLshParams(settings.threshold, settings.sketch.num_perm, settings.lsh));
  {
    DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(path, /*create=*/true, false));
    // Written before WAL is switched on, so the header and schema are in the
    // main file from the start. 16 KiB pages hold four chunks: a quarter of
    // the pages, and of the system calls per WAL frame and checkpoint, of
    // 4 KiB pages, for the same bytes (~10% less CPU per document at 1M).
    absl::Status s = db->Exec(
        absl::StrCat("PRAGMA page_size=16384; PRAGMA application_id=", kApplicationId,
                     "; PRAGMA user_version=", kIndexSchemaVersion,
                     "; BEGIN;"
                     " CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
                     " CREATE TABLE batches(batch INTEGER PRIMARY KEY, documents INTEGER NOT NULL,"
                     "  committed_at INTEGER NOT NULL);"
                     " CREATE TABLE documents(doc INTEGER PRIMARY KEY AUTOINCREMENT,"
                     "  id TEXT NOT NULL, metadata TEXT NOT NULL, length INTEGER NOT NULL,"
                     "  minhash BLOB NOT NULL, batch INTEGER NOT NULL, added_at INTEGER NOT NULL,"
                     "  checksum INTEGER);")
            .c_str());
    if (s.ok()) s = RunStore::CreateSchema(db.get());
    if (s.ok()) s = DigestStore::CreateSchema(db.get());
    if (s.ok()) {
      DUBARE_ASSIGN_OR_RETURN(Stmt put, db->Prepare("INSERT INTO meta(key, value) VALUES(?, ?)"));
      const std::pair<const char*, std::string> rows[] = {
          {"schema_version", absl::StrCat(kIndexSchemaVersion)},
          {"sketch_params", settings.sketch.ToString()},
          {"lsh_params", settings.lsh.ToString()},
          {"threshold", FormatDouble(settings.threshold)},
          {"created_at", absl::StrCat(NowSeconds())},
          {"settings_checksum",
           SettingsChecksum(settings.sketch.ToString(), settings.lsh.ToString(),
                            FormatDouble(settings.threshold))},
      };
      for (const auto& [key, value] : rows) {
        put.BindText(1, key).BindText(2, value);
        if (s.ok()) s = put.Run();
      }
      if (s.ok()) s = db->Exec("INSERT INTO meta(key, value) VALUES('documents', 0); COMMIT;");
    }
    if (s.ok()) s = db->Exec("PRAGMA journal_mode=WAL");
    if (!s.ok()) {
      db.reset();
      std::remove(path.c_str());
      return s;
    }
  }
  // A mark left by a deleted index of the same name is not this one's.
  std::remove(BatchMarkPath(path).c_str());
  IndexOptions open_options = options;
  open_options.read_only = false;
  return Open(path, open_options);
}

absl::StatusOr<std::unique_ptr<Index>> Index::Open(const std::string& path,
                                                   const IndexOptions& options) {
  DUBARE_RETURN_IF_ERROR(options.Validate());
  DUBARE_RETURN_IF_ERROR(CheckFileHeader(path));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->options.threads = base::ResolveThreads(options.threads);
  if (!options.read_only) {
    // SQLite would fail later, naming a pragma; say what is wrong.
    const std::string dir = std::filesystem::path(path).parent_path().string();
    if (::access(path.c_str(), W_OK) != 0 || ::access(dir.empty() ? "." : dir.c_str(), W_OK) != 0) {
      return absl::PermissionDeniedError(absl::StrCat(
          path, ": cannot write: this user may not write the file or create its -wal file in ",
          dir.empty() ? "." : dir, " (reading it with index query, stats or check works)"));
    }
  }
  DUBARE_ASSIGN_OR_RETURN(impl->db, Db::Open(path, /*create=*/false, options.read_only));
  DUBARE_RETURN_IF_ERROR(impl->Init());
  DUBARE_RETURN_IF_ERROR(impl->Begin(false));  // loads the runs' filters
  DUBARE_RETURN_IF_ERROR(impl->Commit());
  return std::unique_ptr<Index>(new Index(std::move(impl)));
}

absl::StatusOr<std::vector<SketchedDocument>> Index::Sketch(absl::Span<const IndexDocument> docs) {
  std::vector<SketchedDocument> out;
  index_internal::SketchJob job(docs, &out);
  const size_t workers = std::min(impl_->sketchers.size(), std::max<size_t>(1, docs.size() / 16));
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) {
    threads.emplace_back([&job, this, w] { job.Work(*impl_->sketchers[w]); });
  }
  job.Work(*impl_->sketchers[0]);
  for (std::thread& t : threads) t.join();
  DUBARE_RETURN_IF_ERROR(job.Wait());
  return out;
}

absl::StatusOr<AddResult> Index::Add(absl::Span<const IndexDocument> docs) {
  DUBARE_ASSIGN_OR_RETURN(std::vector<SketchedDocument> sketched, Sketch(docs));
  return AddSketched(sketched);
}

absl::StatusOr<AddResult> Index::AddSketched(absl::Span<const SketchedDocument> docs) {
  // Merge work for earlier batches, in transactions of its own: this batch's
  // transaction below only appends its own run.
  uint64_t merged = 0;
  if (!impl_->options.read_only && impl_->options.merge_work > 0) {
    const uint64_t entries = docs.size() * (uint64_t{impl_->settings.lsh.bands} + 1);
    DUBARE_ASSIGN_OR_RETURN(merged, impl_->runs->Merge(entries * impl_->options.merge_work));
  }
  DUBARE_RETURN_IF_ERROR(impl_->Begin(true));
  absl::StatusOr<AddResult> result = impl_->AddLocked(docs);
  if (!result.ok()) {
    impl_->Rollback();
    return result.status();
  }
  DUBARE_RETURN_IF_ERROR(impl_->Commit());
  result->merged_entries = merged;
  // Not synced: after a power loss it may lag (no false alarm), or name
  // batches the unsynced WAL really lost.
  if (FILE* mark = std::fopen(BatchMarkPath(path()).c_str(), "w")) {
    std::fprintf(mark, "%llu\n", static_cast<unsigned long long>(result->batch));
    std::fclose(mark);
  }
  return result;
}

absl::Status Index::FinishMerges() {
  if (impl_->options.read_only) {
    return absl::FailedPreconditionError(absl::StrCat(path(), ": opened read-only"));
  }
  DUBARE_RETURN_IF_ERROR(impl_->runs->Merge(UINT64_MAX).status());
  // A finished run leaves everything in the file: it no longer needs the WAL.
  return impl_->db->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

absl::StatusOr<CompactResult> Index::Compact() {
  if (impl_->options.read_only) {
    return absl::FailedPreconditionError(absl::StrCat(path(), ": opened read-only"));
  }
  DUBARE_ASSIGN_OR_RETURN(RunStore::CompactStats stats, impl_->runs->Compact());
  CompactResult result;
  result.runs_before = stats.runs_before;
  result.runs_after = stats.runs_after;
  result.entries_before = stats.entries_before;
  result.entries_after = stats.entries_after;
  return result;
}

absl::StatusOr<std::vector<IndexResult>> Index::Query(absl::Span<const IndexDocument> docs) {
  DUBARE_ASSIGN_OR_RETURN(std::vector<SketchedDocument> sketched, Sketch(docs));
  return QuerySketched(sketched);
}

absl::StatusOr<std::vector<IndexResult>> Index::QuerySketched(
    absl::Span<const SketchedDocument> docs) {
  DUBARE_RETURN_IF_ERROR(impl_->Begin(false));
  absl::StatusOr<std::vector<IndexResult>> result = impl_->QueryLocked(docs);
  if (!result.ok()) {
    impl_->Rollback();
    return result.status();
  }
  DUBARE_RETURN_IF_ERROR(impl_->Commit());
  return result;
}

absl::StatusOr<std::vector<bool>> Index::Remove(absl::Span<const std::string> ids) {
  DUBARE_RETURN_IF_ERROR(impl_->Begin(true));
  absl::StatusOr<std::vector<bool>> result = impl_->RemoveLocked(ids);
  if (!result.ok()) {
    impl_->Rollback();
    return result.status();
  }
  DUBARE_RETURN_IF_ERROR(impl_->Commit());
  return result;
}

absl::StatusOr<std::vector<std::optional<StoredDocument>>> Index::Get(
    absl::Span<const std::string> ids) {
  Impl& m = *impl_;
  DUBARE_RETURN_IF_ERROR(m.Begin(false));
  std::vector<std::optional<StoredDocument>> out(ids.size());
  absl::Status s = [&]() -> absl::Status {
    DUBARE_ASSIGN_OR_RETURN(
        Stmt row, m.db->Prepare(absl::StrCat("SELECT metadata, length, batch, added_at, ",
                                             kDocumentChecksumOk, " FROM documents WHERE doc = ?")
                                    .c_str()));
    for (size_t i = 0; i < ids.size(); ++i) {
      const uint64_t key = IdKey(ids[i]);
      std::vector<std::vector<uint32_t>> found;
      DUBARE_RETURN_IF_ERROR(m.runs->Lookup({&key, 1}, &found));
      uint32_t doc;
      DUBARE_ASSIGN_OR_RETURN(bool exists, m.FindId(ids[i], found[0], nullptr, &doc));
      if (!exists) continue;
      row.BindInt(1, doc);
      DUBARE_ASSIGN_OR_RETURN(bool has_row, row.Step());
      if (has_row && row.ColumnInt(4) == 0) {
        row.Reset();
        return m.DocumentChecksumError(doc);
      }
      if (has_row) {
        StoredDocument d;
        d.id = ids[i];
        d.metadata = std::string(row.ColumnText(0));
        d.length = static_cast<uint64_t>(row.ColumnInt(1));
        d.batch = static_cast<uint64_t>(row.ColumnInt(2));
        d.added_at = row.ColumnInt(3);
        out[i] = std::move(d);
      }
      row.Reset();
    }
    return absl::OkStatus();
  }();
  DUBARE_RETURN_IF_ERROR(m.Commit());
  DUBARE_RETURN_IF_ERROR(s);
  return out;
}

absl::StatusOr<IndexStats> Index::Stats() {
  Db& db = *impl_->db;
  DUBARE_RETURN_IF_ERROR(impl_->Begin(false));
  IndexStats stats;
  absl::Status s = [&]() -> absl::Status {
    stats.settings = impl_->settings;
    DUBARE_ASSIGN_OR_RETURN(int64_t docs,
                            db.QueryInt("SELECT value FROM meta WHERE key = 'documents'"));
    stats.documents = docs;
    DUBARE_ASSIGN_OR_RETURN(int64_t batches, db.QueryInt("SELECT count(*) FROM batches"));
    stats.batches = batches;
    DUBARE_ASSIGN_OR_RETURN(int64_t merging,
                            db.QueryInt("SELECT count(*) FROM runs WHERE state = 1"));
    stats.merging_runs = merging;
    DUBARE_ASSIGN_OR_RETURN(int64_t removed, db.QueryInt("SELECT count(*) FROM removed"));
    stats.removed_documents = removed;
    DUBARE_ASSIGN_OR_RETURN(stats.created_at,
                            db.QueryInt("SELECT value FROM meta WHERE key = 'created_at'"));
    DUBARE_ASSIGN_OR_RETURN(stats.last_batch_at,
                            db.QueryInt("SELECT coalesce(max(committed_at), 0) FROM batches"));
    DUBARE_ASSIGN_OR_RETURN(int64_t page_size, db.QueryInt("PRAGMA page_size"));
    DUBARE_ASSIGN_OR_RETURN(int64_t pages, db.QueryInt("PRAGMA page_count"));
    DUBARE_ASSIGN_OR_RETURN(int64_t free_pages, db.QueryInt("PRAGMA freelist_count"));
    stats.file_bytes = pages * page_size;
    stats.free_bytes = free_pages * page_size;
    return absl::OkStatus();
  }();
  stats.runs = impl_->runs->num_runs();
  stats.band_entries = impl_->runs->num_entries();
  stats.filter_memory_bytes = impl_->runs->memory_bytes() + impl_->digests->memory_bytes();
  stats.resident_runs = impl_->runs->resident_runs();
  DUBARE_RETURN_IF_ERROR(impl_->Commit());
  DUBARE_RETURN_IF_ERROR(s);
  struct stat st;
  if (stat((path() + "-wal").c_str(), &st) == 0) stats.wal_bytes = st.st_size;
  return stats;
}

absl::Status Index::CheckIntegrity() {
  Db& db = *impl_->db;
  const std::string& path = db.path();
  DUBARE_ASSIGN_OR_RETURN(std::string result, db.QueryText("PRAGMA integrity_check"));
  if (result != "ok") {
    return absl::DataLossError(absl::StrCat(path, ": integrity_check: ", result));
  }
  DUBARE_RETURN_IF_ERROR(impl_->Begin(false));
  absl::Status s = [&]() -> absl::Status {
    DUBARE_ASSIGN_OR_RETURN(std::vector<Entry> entries, impl_->runs->ReadAll());
    std::sort(entries.begin(), entries.end());
    DUBARE_ASSIGN_OR_RETURN(Stmt docs, db.Prepare(absl::StrCat("SELECT doc, id, minhash, batch, ",
                                                               kDocumentChecksumOk,
                                                               " FROM documents ORDER BY doc")
                                                      .c_str()));
    DUBARE_ASSIGN_OR_RETURN(int64_t counted,
                            db.QueryInt("SELECT value FROM meta WHERE key = 'documents'"));
    DUBARE_ASSIGN_OR_RETURN(int64_t max_batch,
                            db.QueryInt("SELECT coalesce(max(batch), 0) FROM batches"));
    int64_t n = 0;
    std::vector<uint64_t> keys;
    absl::flat_hash_set<uint64_t> heads;
    // The digests as stored (a fresh store reads every block).
    DigestStore stored(&db, impl_->settings.sketch.num_perm);
    DUBARE_RETURN_IF_ERROR(stored.Sync());
    std::vector<uint64_t> digest(stored.words());
    while (true) {
      DUBARE_ASSIGN_OR_RETURN(bool row, docs.Step());
      if (!row) break;
      ++n;
      const uint32_t doc = static_cast<uint32_t>(docs.ColumnInt(0));
      if (docs.ColumnInt(4) == 0) return impl_->DocumentChecksumError(doc);
      const std::string id(docs.ColumnText(1));
      DUBARE_ASSIGN_OR_RETURN(std::vector<uint32_t> minhash,
                              DecodeValues(docs.ColumnBlob(2), impl_->settings.sketch.num_perm));
      if (docs.ColumnInt(3) < 1 || docs.ColumnInt(3) > max_batch) {
        return absl::DataLossError(absl::StrCat(path, ": document '", id, "' has batch ",
                                                docs.ColumnInt(3), " not in the batch log"));
      }
      // Every document has its id and signature keys; the first of a
      // signature (its head) its band keys too.
      const uint64_t signature_key = SignatureKey(minhash);
      const bool head = heads.insert(signature_key).second;
      keys.resize(head ? impl_->settings.lsh.bands : 0);
      if (head) BandKeys(minhash, impl_->settings.lsh, absl::MakeSpan(keys));
      keys.push_back(IdKey(id));
      keys.push_back(signature_key);
      for (uint64_t key : keys) {
        if (!std::binary_search(entries.begin(), entries.end(), Entry{key, doc})) {
          return absl::DataLossError(
              absl::StrCat(path, ": document '", id, "' lacks a band-key entry"));
        }
      }
      stored.Compute(minhash, digest.data());
      if (stored.MaxEqual(doc, digest.data()) != impl_->settings.sketch.num_perm) {
        return absl::DataLossError(
            absl::StrCat(path, ": document '", id, "' has a wrong or missing digest"));
      }
    }
    if (n != counted) {
      return absl::DataLossError(absl::StrCat(path, ": meta counts ", counted,
                                              " documents, the table holds ", n));
    }
    // Every entry belongs to a stored or a removed document, never both.
    DUBARE_ASSIGN_OR_RETURN(
        int64_t both, db.QueryInt("SELECT count(*) FROM removed JOIN documents USING (doc)"));
    if (both > 0) {
      return absl::DataLossError(
          absl::StrCat(path, ": ", both, " documents are both stored and removed"));
    }
    DUBARE_ASSIGN_OR_RETURN(Stmt known,
                            db.Prepare("SELECT doc FROM documents UNION SELECT doc FROM removed"
                                       " ORDER BY 1"));
    std::vector<uint32_t> docs_known;
    while (true) {
      DUBARE_ASSIGN_OR_RETURN(bool row, known.Step());
      if (!row) break;
      docs_known.push_back(static_cast<uint32_t>(known.ColumnInt(0)));
    }
    for (const Entry& e : entries) {
      if (!std::binary_search(docs_known.begin(), docs_known.end(), e.doc)) {
        return absl::DataLossError(absl::StrCat(
            path, ": a band-key entry names document ", e.doc, ", neither stored nor removed"));
      }
    }
    return absl::OkStatus();
  }();
  DUBARE_RETURN_IF_ERROR(impl_->Commit());
  return s;
}

}  // namespace dubare
