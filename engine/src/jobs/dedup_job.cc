// Copyright 2026 The Dubare Authors.
//
// RunDedupJob (jobs.h): the reader's documents streamed into a Deduper, and
// its result written into the output directory.

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <functional>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <utility>

#include <xxhash.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_format.h"
#include "base/parallel.h"
#include "base/write_all.h"
#include "dubare/file.h"
#include "dubare/jobs.h"
#include "dubare/json_writer.h"
#include "dubare/status.h"
#include "jobs/spool.h"

namespace dubare {
namespace {

using jobs_internal::RecordReader;
using jobs_internal::Spool;
using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string EscapeTsv(absl::string_view s) { return EscapeTsvField(s); }

// Copies file `from` (`size` bytes) into `to` at `offset`, and syncs it.
absl::Status CopyInto(const std::string& from, const std::string& to, uint64_t offset, uint64_t size) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return ErrnoError(from, "cannot open", errno);
  const int out = ::open(to.c_str(), O_WRONLY | O_CLOEXEC);
  if (out < 0) {
    const int err = errno;
    ::close(in);
    return ErrnoError(to, "cannot open", err);
  }
  absl::Status status = base::CopyRange(in, from, 0, out, to, offset, size);
  if (status.ok() && ::fdatasync(out) != 0) status = ErrnoError(to, "sync failed", errno);
  ::close(in);
  ::close(out);
  return status;
}

std::string FormatScore(double score) { return absl::StrFormat("%.4f", score); }

// Where a document came from, so that its raw record can be written back.
struct DocRecord {
  uint64_t input_order = 0;   // position among all units of input
  // The raw record (JSONL and lines inputs): at raw_offset in its source file
  // when raw_in_source (copied back from there if the file is unchanged:
  // SourceIdentity), else in the spool.
  uint64_t raw_offset = 0;
  uint64_t line = 0;          // 0 for a whole file
  uint32_t raw_bytes = 0;
  uint32_t source = 0;
  InputFormat format = InputFormat::kFile;
  bool raw_in_source = false;
};

// What says a source file is the one that was read: any write changes its
// size, modification or change time (ctime, which no one can set back).
struct SourceIdentity {
  bool known = false;
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  struct timespec mtime {};
  struct timespec ctime {};

  static SourceIdentity Of(const struct stat& st) {
    SourceIdentity id;
    id.known = true;
    id.dev = st.st_dev;
    id.ino = st.st_ino;
    id.size = st.st_size;
    id.mtime = st.st_mtim;
    id.ctime = st.st_ctim;
    return id;
  }
  bool operator==(const SourceIdentity& o) const {
    return known && o.known && dev == o.dev && ino == o.ino && size == o.size &&
           mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec &&
           ctime.tv_sec == o.ctime.tv_sec && ctime.tv_nsec == o.ctime.tv_nsec;
  }
};

// Names a directory as a complete output of `dubare dedup`.
constexpr char kOutputMarker[] = ".dubare-dedup";

struct Rejection {
  uint64_t input_order = 0;
  std::string where;  // FILE:LINE or FILE
  std::string id;
  std::string reason;
  std::string detail;
};

class DedupJob {
 public:
  explicit DedupJob(const DedupJobOptions& options) : options_(options) {}

  absl::StatusOr<DedupSummary> Run(const std::vector<std::string>& inputs);

 private:
  // The parts of a run over several processes (DedupJobOptions::communicator).
  absl::StatusOr<DedupSummary> RunShared(const std::vector<std::string>& inputs);
  absl::Status OpenReader(const std::vector<std::string>& inputs);
  absl::Status RestrictToShare();
  absl::Status JoinParts();
  // DedupJobOptions::work_dir.
  std::string CheckpointPath() const;
  std::string Fingerprint() const;
  absl::Status SaveCheckpoint();
  absl::StatusOr<bool> LoadCheckpoint();
  absl::Status CheckInputsOutsideOut(const std::vector<std::string>& inputs) const;
  void FillSummary(const DedupStats& stats);
  absl::Status WriteSummary(Clock::time_point start);
  absl::Status Read(const std::vector<std::string>& inputs);
  absl::Status CollectRejections(std::vector<DedupRejection>* rejected,
                                 const std::function<const std::string&(uint32_t)>& id);
  // What the outputs show: pairs and clusters name documents by number
  // (global numbers in a shared run), `id` gives their ids.
  struct Results {
    const std::vector<ScoredPair>* pairs;
    const std::vector<Cluster>* clusters;
    uint64_t first_cluster = 0;
    const std::vector<DocumentFate>* fate;  // per document of docs_
    std::function<const std::string&(uint32_t)> id;
  };
  absl::Status WriteOutputs(const Results& result);
  absl::Status WriteLists(const Results& result);  // pairs, clusters, duplicates
  std::string Name(absl::string_view file) const { return absl::StrCat(dir_, "/", file, part_); }
  absl::Status WriteRejected();
  // The kept corpus, planned in document order as pieces at known offsets
  // of the outputs, then copied by workers chunk by chunk (pread into a
  // buffer, pwrite at the offset).
  struct KeptPiece {
    enum From : uint8_t { kSource, kSpool, kPath };
    uint64_t in_offset = 0;  // in the source file or the spool
    uint64_t size = 0;       // bytes before the line end (kPath: the path's)
    uint64_t out_offset = 0;
    uint32_t source = 0;
    uint8_t out = 0;  // KeptPlan::outputs
    From from = kSource;
    bool line_end = true;  // a run cut in parts has its line end after the last
  };
  struct KeptPlan {
    std::unique_ptr<OutputFile> outputs[3];  // kept.jsonl, kept_lines.txt, kept_files.txt
    std::vector<KeptPiece> pieces;
    std::vector<size_t> chunk_begin;   // chunk c: pieces [chunk_begin[c], chunk_begin[c + 1])
    std::vector<uint64_t> chunk_docs;  // kept documents that chunk c ends (progress)
    uint64_t kept_docs = 0;
  };
  static constexpr uint64_t kKeptChunkBytes = uint64_t{4} << 20;
  static constexpr size_t kKeptBufferBytes = size_t{1} << 20;
  absl::StatusOr<KeptPlan> PlanKept(const std::vector<bool>& kept);
  absl::Status CopyKept(const KeptPlan& plan, size_t chunk, char* buffer);
  absl::Status CopyFile(const std::string& from);
  absl::Status WriteRenamed(const DedupResult& result);
  std::string Where(const DocRecord& rec) const;  // FILE:LINE, or FILE
  bool RawIsInSource(const Document& doc, absl::string_view raw);
  void ReportDone() {
    if (!options_.progress) return;
    ProgressEvent e;
    e.stage = "done";
    e.documents = summary_.inputs;
    e.finished = true;
    options_.progress(e);
  }
  void Progress(absl::string_view stage, uint64_t documents, uint64_t done, uint64_t total) {
    if (!options_.progress) return;
    ProgressEvent e;
    e.stage = stage;
    e.documents = documents;
    e.done = done;
    e.total = total;
    options_.progress(e);
  }

  const DedupJobOptions& options_;
  std::unique_ptr<OutputDir> out_;
  std::string dir_;  // where outputs are written: out_->path() until committed
  // Shared runs: this process's documents and outputs. Output files are
  // parts, NAME.part-RANK; process 0 writes the header rows.
  Communicator* comm_ = nullptr;
  std::unique_ptr<LocalGroup> local_;  // a one-process group for work_dir runs without one
  ShardInput shard_;
  uint64_t reader_rejected_ = 0;
  std::string part_;
  bool header_ = true;
  std::unique_ptr<Deduper> deduper_;
  std::unique_ptr<Reader> reader_;
  std::unique_ptr<Spool> spool_;
  std::vector<int8_t> source_direct_;  // per source: -1 unknown, 0 spooled, 1 read back
  std::vector<SourceIdentity> source_identity_;  // per source, before any was read
  std::vector<DocRecord> docs_;
  std::vector<Rejection> rejections_;
  DedupSummary summary_;
};

// Whether the raw records of doc's source can be read back from the file
// itself (an uncompressed regular file), which saves spooling the corpus.
// Decided once per source by comparing its first record with the file.
bool DedupJob::RawIsInSource(const Document& doc, absl::string_view raw) {
  if (doc.source >= source_direct_.size()) source_direct_.resize(doc.source + 1, -1);
  int8_t& direct = source_direct_[doc.source];
  if (direct < 0) {
    direct = 0;
    if (doc.source >= source_identity_.size() || !source_identity_[doc.source].known) {
      return false;
    }
    // The record's own bytes, not a reader's 1 MiB window: this runs once
    // per source (a regular file: its identity is known), on the reading
    // thread.
    const int fd = ::open(reader_->source_path(doc.source).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      std::string record(raw.size(), '\0');
      direct = ::pread(fd, record.data(), record.size(), static_cast<off_t>(doc.offset)) ==
                   static_cast<ssize_t>(record.size()) &&
               record == raw;
      ::close(fd);
    }
  }
  return direct == 1;
}

absl::Status DedupJob::OpenReader(const std::vector<std::string>& inputs) {
  ReaderOptions reader_options = options_.reader;
  reader_options.keep_raw = false;  // Reader::raw() is read in place
  reader_options.extra_fields.clear();
  if (options_.dedup.keep.kind == KeepPolicy::Kind::kEarliest) {
    reader_options.extra_fields.push_back(options_.dedup.keep.field);
  }
  reader_options.on_skipping = [this](uint64_t bytes) {
    Progress(kSkippingStage, summary_.inputs, bytes, reader_->SourceBytes());
  };
  DUBARE_ASSIGN_OR_RETURN(reader_, Reader::Open(inputs, reader_options));
  // Before a byte is read: kept records are copied back from the sources at
  // the end, and only from a source that is still this one.
  source_identity_.assign(reader_->num_sources(), SourceIdentity());
  for (size_t i = 0; i < reader_->num_sources(); ++i) {
    const std::string& path = reader_->source_path(static_cast<uint32_t>(i));
    struct stat st;
    if (path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      source_identity_[i] = SourceIdentity::Of(st);
    }
  }
  return absl::OkStatus();
}

absl::Status DedupJob::Read(const std::vector<std::string>& inputs) {
  const bool want_keep = options_.dedup.keep.kind == KeepPolicy::Kind::kEarliest;
  if (reader_ == nullptr) DUBARE_RETURN_IF_ERROR(OpenReader(inputs));
  DUBARE_ASSIGN_OR_RETURN(spool_, Spool::Create(dir_));
  SketchBatchOptions sketch_options = options_.dedup.SketchOptions();
  sketch_options.threads = options_.dedup.threads;
  if (comm_ != nullptr) {
    shard_.sketches.params = options_.dedup.sketch;
    shard_.sketches.has_simhash = sketch_options.simhash;
    shard_.sketches.has_shingle_sets = sketch_options.shingle_sets;
  }

  const uint64_t input_bytes = reader_->SourceBytes();  // for the progress bar
  // Batches of texts move into the Deduper, which sketches them on its
  // workers while the next batch is read.
  const size_t kBatchDocs = comm_ != nullptr ? 4096 : 256;
  std::vector<std::string> ids, texts, keep_values;
  auto flush = [&]() -> absl::Status {
    if (texts.empty()) return absl::OkStatus();
    if (comm_ != nullptr) {  // a share: sketched here, on all cores, grouped later
      std::vector<absl::string_view> views(texts.begin(), texts.end());
      DUBARE_ASSIGN_OR_RETURN(SketchBatch batch,
                              SketchTexts(views, options_.dedup.sketch, sketch_options));
      DUBARE_RETURN_IF_ERROR(shard_.sketches.Append(std::move(batch)));
      for (std::string& id : ids) shard_.ids.push_back(std::move(id));
      for (std::string& v : keep_values) shard_.keep_values.push_back(std::move(v));
      ids.clear();
      texts.clear();
      keep_values.clear();
      return absl::OkStatus();
    }
    absl::Status s = deduper_->Add(std::move(ids), std::move(texts), std::move(keep_values));
    ids.clear();
    texts.clear();
    keep_values.clear();
    if (!s.ok() && deduper_->refused_duplicate()) {
      const Deduper::DuplicateId& d = *deduper_->refused_duplicate();
      return absl::InvalidArgumentError(absl::StrCat(
          Where(docs_[d.second]), ": id '", d.id, "' is already the id of ",
          Where(docs_[d.first]), "; ids must be unique (--duplicate-ids rename renames repeats)"));
    }
    return s;
  };
  uint64_t input_order = 0;
  Document doc;
  for (;;) {
    DUBARE_ASSIGN_OR_RETURN(const bool more, reader_->Next(&doc));
    if (!more) break;
    Progress("reading and sketching", input_order, reader_->stats().bytes, input_bytes);
    if (!doc.ok()) {
      rejections_.push_back({input_order++, reader_->Location(doc), doc.id,
                             std::string(RejectReasonName(doc.reject)), doc.detail});
      continue;
    }
    DocRecord rec;
    rec.input_order = input_order++;
    rec.source = doc.source;
    rec.line = doc.line;
    rec.format = doc.format;
    if (doc.format == InputFormat::kJsonl || doc.format == InputFormat::kLines) {
      const absl::string_view raw = reader_->raw();
      rec.raw_bytes = static_cast<uint32_t>(raw.size());
      if (RawIsInSource(doc, raw)) {
        rec.raw_in_source = true;
        rec.raw_offset = doc.offset;
      } else {
        DUBARE_ASSIGN_OR_RETURN(rec.raw_offset, spool_->Append(raw));
      }
    }
    docs_.push_back(rec);
    ids.push_back(std::move(doc.id));
    texts.push_back(std::move(doc.text));
    if (want_keep) keep_values.push_back(doc.fields.empty() ? "" : std::move(doc.fields[0]));
    doc.id.clear();
    doc.text.clear();
    if (texts.size() == kBatchDocs) DUBARE_RETURN_IF_ERROR(flush());
  }
  DUBARE_RETURN_IF_ERROR(flush());
  return spool_->FinishWriting();
}

// Documents the sketch stage refused join the reader's rejections, in input
// order; in strict mode the first is an error.
std::string DedupJob::Where(const DocRecord& rec) const {
  std::string where = reader_->source_path(rec.source);
  if (rec.line > 0) absl::StrAppend(&where, ":", rec.line);
  return where;
}

absl::Status DedupJob::CollectRejections(std::vector<DedupRejection>* rejected,
                                         const std::function<const std::string&(uint32_t)>& id) {
  for (DedupRejection& r : *rejected) {
    const DocRecord& rec = docs_[r.doc];
    Rejection rejection{rec.input_order, Where(rec), id(r.doc), std::move(r.reason),
                        std::move(r.detail)};
    if (options_.reader.strict) {
      return absl::InvalidArgumentError(absl::StrCat(rejection.where, ": ", rejection.reason, ": ",
                                                     rejection.detail));
    }
    rejections_.push_back(std::move(rejection));
  }
  std::sort(rejections_.begin(), rejections_.end(),
            [](const Rejection& x, const Rejection& y) { return x.input_order < y.input_order; });
  return absl::OkStatus();
}

// --duplicate-ids rename: which records got a new id (the kept corpus keeps
// the record as it was; every other output uses the new id).
absl::Status DedupJob::WriteRenamed(const DedupResult& result) {
  if (result.renamed.empty()) return absl::OkStatus();
  DUBARE_ASSIGN_OR_RETURN(auto out, OutputFile::Create(dir_ + "/renamed_ids.tsv"));
  DUBARE_RETURN_IF_ERROR(out->Append("where\tid\tnew_id\n"));
  for (const DedupResult::Renamed& r : result.renamed) {
    DUBARE_RETURN_IF_ERROR(out->Append(absl::StrCat(EscapeTsv(Where(docs_[r.doc])), "\t",
                                                    EscapeTsv(r.original_id), "\t",
                                                    EscapeTsv(deduper_->id(r.doc)), "\n")));
  }
  return out->Commit();
}

absl::Status DedupJob::WriteRejected() {
  DUBARE_ASSIGN_OR_RETURN(auto out, OutputFile::Create(Name("rejected.tsv")));
  if (header_) DUBARE_RETURN_IF_ERROR(out->Append("where\tid\treason\tdetail\n"));
  for (const Rejection& r : rejections_) {
    DUBARE_RETURN_IF_ERROR(out->Append(absl::StrCat(EscapeTsv(r.where), "\t", EscapeTsv(r.id),
                                                    "\t", r.reason, "\t", EscapeTsv(r.detail),
                                                    "\n")));
  }
  return out->Commit();
}

absl::Status DedupJob::CopyFile(const std::string& from) {
  // Keep the input's relative layout under files/; absolute paths lose their
  // leading '/', and '..' components become '__' so nothing escapes out_dir.
  std::filesystem::path rel;
  for (const auto& part : std::filesystem::path(from).relative_path()) {
    rel /= part == ".." ? std::filesystem::path("__") : part;
  }
  const std::filesystem::path to = std::filesystem::path(dir_) / "files" / rel;
  std::error_code ec;
  std::filesystem::create_directories(to.parent_path(), ec);
  if (!ec) {
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
  }
  if (ec) {
    return absl::InternalError(
        absl::StrCat(to.string(), ": cannot copy from ", from, ": ", ec.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<DedupJob::KeptPlan> DedupJob::PlanKept(const std::vector<bool>& kept) {
  // One output per input format present, so the corpus comes back as it came.
  static constexpr const char* kNames[3] = {"kept.jsonl", "kept_lines.txt", "kept_files.txt"};
  KeptPlan plan;
  std::vector<KeptPiece> runs;
  std::vector<uint64_t> kept_through;  // per run: kept documents up to its end
  uint64_t kept_docs = 0;
  for (size_t d = 0; d < docs_.size(); ++d) {
    const DocRecord& rec = docs_[d];
    const uint8_t out = rec.format == InputFormat::kJsonl   ? 0
                        : rec.format == InputFormat::kLines ? 1
                                                            : 2;
    if (plan.outputs[out] == nullptr) {
      DUBARE_ASSIGN_OR_RETURN(plan.outputs[out], OutputFile::Create(Name(kNames[out])));
    }
    if (!kept[d]) continue;
    ++kept_docs;
    KeptPiece piece;
    piece.out = out;
    piece.source = rec.source;
    if (rec.format == InputFormat::kFile) {
      const std::string& path = reader_->source_path(rec.source);
      if (options_.copy_files) DUBARE_RETURN_IF_ERROR(CopyFile(path));
      piece.from = KeptPiece::kPath;
      piece.size = path.size();
    } else if (rec.raw_in_source) {
      // Records one line end apart in their source go out as one range.
      if (!runs.empty()) {
        KeptPiece& last = runs.back();
        if (last.from == KeptPiece::kSource && last.out == out && last.source == rec.source &&
            rec.raw_offset == last.in_offset + last.size + 1) {
          last.size = rec.raw_offset + rec.raw_bytes - last.in_offset;
          kept_through.back() = kept_docs;
          continue;
        }
      }
      piece.from = KeptPiece::kSource;
      piece.in_offset = rec.raw_offset;
      piece.size = rec.raw_bytes;
    } else {
      piece.from = KeptPiece::kSpool;
      piece.in_offset = rec.raw_offset;
      piece.size = rec.raw_bytes;
    }
    runs.push_back(piece);
    kept_through.push_back(kept_docs);
  }
  plan.kept_docs = kept_docs;
  // Output offsets, with long runs cut so that every worker gets a share,
  // then chunks of about kKeptChunkBytes for the workers to take.
  uint64_t out_size[3] = {};
  std::vector<uint64_t> piece_through;
  for (size_t r = 0; r < runs.size(); ++r) {
    KeptPiece piece = runs[r];
    while (piece.from == KeptPiece::kSource && piece.size > kKeptChunkBytes) {
      KeptPiece part = piece;
      part.size = kKeptChunkBytes;
      part.line_end = false;
      part.out_offset = out_size[piece.out];
      out_size[piece.out] += part.size;
      plan.pieces.push_back(part);
      piece_through.push_back(r == 0 ? 0 : kept_through[r - 1]);
      piece.in_offset += part.size;
      piece.size -= part.size;
    }
    piece.out_offset = out_size[piece.out];
    out_size[piece.out] += piece.size + 1;
    plan.pieces.push_back(piece);
    piece_through.push_back(kept_through[r]);
  }
  plan.chunk_begin.push_back(0);
  uint64_t bytes = 0, docs_before = 0;
  for (size_t i = 0; i < plan.pieces.size(); ++i) {
    bytes += plan.pieces[i].size + 1;
    if (bytes >= kKeptChunkBytes || i + 1 == plan.pieces.size()) {
      plan.chunk_begin.push_back(i + 1);
      plan.chunk_docs.push_back(piece_through[i] - docs_before);
      docs_before = piece_through[i];
      bytes = 0;
    }
  }
  return plan;
}

absl::Status DedupJob::CopyKept(const KeptPlan& plan, size_t chunk, char* buffer) {
  // buffer[0, used) goes to outputs[buffer_out] at buffer_offset.
  size_t used = 0;
  uint8_t buffer_out = 0;
  uint64_t buffer_offset = 0;
  auto flush = [&]() -> absl::Status {
    if (used == 0) return absl::OkStatus();
    const size_t n = std::exchange(used, 0);
    absl::Status s = plan.outputs[buffer_out]->WriteAt(buffer_offset, absl::string_view(buffer, n));
    buffer_offset += n;
    return s;
  };
  auto put = [&](absl::string_view data) -> absl::Status {
    while (!data.empty()) {
      if (used == kKeptBufferBytes) DUBARE_RETURN_IF_ERROR(flush());
      const size_t n = std::min(data.size(), kKeptBufferBytes - used);
      std::memcpy(buffer + used, data.data(), n);
      used += n;
      data.remove_prefix(n);
    }
    return absl::OkStatus();
  };
  // The source being read. Whether it is still the file that was read is
  // checked when it is opened and when its last piece is out, so nothing
  // copied after a change goes unnoticed.
  struct Source {
    uint32_t index = 0;
    int fd = -1;
    ~Source() {
      if (fd >= 0) ::close(fd);
    }
  } source;
  auto check_source = [&]() -> absl::Status {
    struct stat st;
    if (::fstat(source.fd, &st) != 0 || !(SourceIdentity::Of(st) == source_identity_[source.index])) {
      return absl::DataLossError(absl::StrCat(
          reader_->source_path(source.index),
          ": the input changed while dedup ran; its kept records cannot be copied back (run again)"));
    }
    return absl::OkStatus();
  };
  auto close_source = [&]() -> absl::Status {
    if (source.fd < 0) return absl::OkStatus();
    DUBARE_RETURN_IF_ERROR(check_source());
    ::close(std::exchange(source.fd, -1));
    return absl::OkStatus();
  };
  for (size_t i = plan.chunk_begin[chunk]; i < plan.chunk_begin[chunk + 1]; ++i) {
    const KeptPiece& piece = plan.pieces[i];
    if (used > 0 && (piece.out != buffer_out || piece.out_offset != buffer_offset + used)) {
      DUBARE_RETURN_IF_ERROR(flush());
    }
    if (used == 0) {
      buffer_out = piece.out;
      buffer_offset = piece.out_offset;
    }
    if (piece.from == KeptPiece::kPath) {
      DUBARE_RETURN_IF_ERROR(put(reader_->source_path(piece.source)));
      DUBARE_RETURN_IF_ERROR(put("\n"));
      continue;
    }
    int fd = spool_->fd();
    const std::string* name = &spool_->name();
    if (piece.from == KeptPiece::kSource) {
      if (source.fd < 0 || source.index != piece.source) {
        DUBARE_RETURN_IF_ERROR(close_source());
        const std::string& path = reader_->source_path(piece.source);
        source.index = piece.source;
        source.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (source.fd < 0) return ErrnoError(path, "cannot open", errno);
        DUBARE_RETURN_IF_ERROR(check_source());
      }
      fd = source.fd;
      name = &reader_->source_path(piece.source);
    }
    // Read straight into the buffer. (copy_file_range per range, ~14 KB of
    // kept records, took twice as long on ext4: a splice set up per call.)
    uint64_t at = piece.in_offset, left = piece.size;
    while (left > 0) {
      if (used == kKeptBufferBytes) DUBARE_RETURN_IF_ERROR(flush());
      const size_t want = std::min<uint64_t>(left, kKeptBufferBytes - used);
      const ssize_t r = ::pread(fd, buffer + used, want, static_cast<off_t>(at));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return ErrnoError(*name, "read failed", errno);
      if (r == 0) {
        return absl::DataLossError(absl::StrCat(*name, ": ", left, " bytes at offset ", at,
                                                " are past the end; did the file change?"));
      }
      used += static_cast<size_t>(r);
      at += static_cast<uint64_t>(r);
      left -= static_cast<uint64_t>(r);
    }
    if (piece.line_end) DUBARE_RETURN_IF_ERROR(put("\n"));
  }
  DUBARE_RETURN_IF_ERROR(flush());
  return close_source();
}

absl::Status DedupJob::WriteOutputs(const Results& result) {
  std::vector<bool> kept(docs_.size());
  for (size_t d = 0; d < docs_.size(); ++d) kept[d] = (*result.fate)[d] == DocumentFate::kKept;
  DUBARE_ASSIGN_OR_RETURN(KeptPlan plan, PlanKept(kept));
  // The kept corpus is most of the bytes written (64 MB of 66 for 20,000
  // articles): every worker copies chunks of it, at their places in the
  // output, and one of them writes the lists first.
  const size_t chunks = plan.chunk_begin.size() - 1;
  const int workers = base::ResolveThreads(options_.dedup.threads);
  std::vector<absl::Status> statuses(chunks + 1);
  std::vector<std::unique_ptr<char[]>> buffers(workers);
  std::atomic<uint64_t> written{0};
  base::ParallelFor(
      chunks + 1, workers,
      [&](size_t i, int worker) {
        if (i == 0) {
          statuses[0] = WriteLists(result);
          return;
        }
        // Uninitialized: written before it is read.
        if (buffers[worker] == nullptr) buffers[worker].reset(new char[kKeptBufferBytes]);
        statuses[i] = CopyKept(plan, i - 1, buffers[worker].get());
        written += plan.chunk_docs[i - 1];
        // Progress is reported from the calling thread only.
        if (worker == 0) Progress("writing the kept corpus", docs_.size(), written, plan.kept_docs);
      },
      /*grain=*/1);
  for (const absl::Status& s : statuses) DUBARE_RETURN_IF_ERROR(s);
  for (std::unique_ptr<OutputFile>& out : plan.outputs) {
    if (out != nullptr) DUBARE_RETURN_IF_ERROR(out->Commit());
  }
  return WriteRejected();
}

absl::Status DedupJob::WriteLists(const Results& result) {
  const auto& id_of = result.id;
  DUBARE_ASSIGN_OR_RETURN(auto pairs_out, OutputFile::Create(Name("pairs.tsv")));
  if (header_) {
    DUBARE_RETURN_IF_ERROR(
        pairs_out->Append("id_a\tid_b\tscore\tjaccard\tcontainment\tdecided_by\n"));
  }
  for (const ScoredPair& p : *result.pairs) {
    DUBARE_RETURN_IF_ERROR(pairs_out->Append(absl::StrCat(
        EscapeTsv(id_of(p.a)), "\t", EscapeTsv(id_of(p.b)), "\t", FormatScore(p.score), "\t",
        FormatScore(p.jaccard), "\t", FormatScore(p.containment), "\t", PairRuleName(p.rule),
        "\n")));
  }
  DUBARE_RETURN_IF_ERROR(pairs_out->Commit());

  // Clusters, numbered from 1 in the input order of their first member.
  DUBARE_ASSIGN_OR_RETURN(auto clusters_out, OutputFile::Create(Name("clusters.jsonl")));
  DUBARE_ASSIGN_OR_RETURN(auto dups_out, OutputFile::Create(Name("duplicates.tsv")));
  if (header_) DUBARE_RETURN_IF_ERROR(dups_out->Append("id\tcluster\trepresentative\tscore\n"));
  uint64_t cluster_id = result.first_cluster;
  for (const Cluster& cluster : *result.clusters) {
    ++cluster_id;
    const std::string& rep = id_of(cluster.representative);
    std::string line;
    JsonObjectWriter w(&line);
    w.Field("cluster", cluster_id).Field("representative", rep);
    w.Field("size", static_cast<uint64_t>(cluster.members.size()));
    std::string list = "[";
    for (const ClusterMember& m : cluster.members) {
      if (list.size() > 1) list += ',';
      JsonObjectWriter(&list).Field("id", id_of(m.doc)).Field("score", m.score).Close();
      if (m.doc == cluster.representative) continue;
      DUBARE_RETURN_IF_ERROR(dups_out->Append(absl::StrCat(EscapeTsv(id_of(m.doc)), "\t", cluster_id,
                                                           "\t", EscapeTsv(rep), "\t",
                                                           FormatScore(m.score), "\n")));
    }
    list += ']';
    w.RawField("members", list).Close();
    line += '\n';
    DUBARE_RETURN_IF_ERROR(clusters_out->Append(line));
  }
  DUBARE_RETURN_IF_ERROR(clusters_out->Commit());
  return dups_out->Commit();
}

absl::Status DedupJob::CheckInputsOutsideOut(const std::vector<std::string>& inputs) const {
  std::error_code ec;
  const std::filesystem::path out = std::filesystem::weakly_canonical(options_.out_dir, ec);
  for (const std::string& input : inputs) {
    if (input == "-" || ec) continue;
    std::error_code input_ec;
    const std::filesystem::path in = std::filesystem::weakly_canonical(input, input_ec);
    const auto [o, i] = std::mismatch(out.begin(), out.end(), in.begin(), in.end());
    if (!input_ec && o == out.end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          input, ": an input inside the output directory ", options_.out_dir,
          ", which this run replaces; write the output elsewhere"));
    }
  }
  return absl::OkStatus();
}

void DedupJob::FillSummary(const DedupStats& stats) {
  summary_.threads = stats.threads;
  summary_.bands = stats.bands;
  summary_.rows = stats.rows;
  summary_.documents = stats.documents - stats.rejected;
  summary_.rejected = rejections_.size();
  summary_.inputs = docs_.size() + reader_->stats().rejected;
  summary_.candidate_pairs = stats.candidate_pairs;
  summary_.capped_buckets = stats.capped_buckets;
  summary_.verified_pairs = stats.verified_pairs;
  summary_.duplicates = stats.duplicates;
  summary_.exact_duplicates = stats.exact_duplicates;
  summary_.clusters = stats.clusters;
  summary_.kept = stats.kept;
  summary_.sketch_seconds = stats.sketch_seconds;
  summary_.group_seconds = stats.group_seconds;
  summary_.verify_seconds = stats.verify_seconds + stats.cluster_seconds;
}

absl::Status DedupJob::WriteSummary(Clock::time_point start) {
  summary_.seconds = SecondsSince(start);
  struct rusage usage;
  if (::getrusage(RUSAGE_SELF, &usage) == 0) {
    summary_.peak_rss_bytes = static_cast<uint64_t>(usage.ru_maxrss) * 1024;
  }
  DUBARE_ASSIGN_OR_RETURN(auto summary_out, OutputFile::Create(dir_ + "/summary.json"));
  DUBARE_RETURN_IF_ERROR(summary_out->Append(summary_.ToJson() + "\n"));
  return summary_out->Commit();
}

absl::StatusOr<DedupSummary> DedupJob::Run(const std::vector<std::string>& inputs) {
  if (options_.communicator != nullptr && options_.communicator->size() > 1) {
    comm_ = options_.communicator;
    return RunShared(inputs);
  }
  if (!options_.work_dir.empty()) {  // one process, with the shared run's checkpoints
    local_ = std::make_unique<LocalGroup>(1);
    comm_ = &local_->member(0);
    return RunShared(inputs);
  }
  const Clock::time_point start = Clock::now();
  // The run is written into a fresh directory and swapped into place at the
  // end: the output directory never mixes two runs, and a killed run leaves
  // the previous output whole.
  DUBARE_RETURN_IF_ERROR(CheckInputsOutsideOut(inputs));
  DUBARE_ASSIGN_OR_RETURN(out_, OutputDir::Create(options_.out_dir, kOutputMarker));
  dir_ = out_->path();
  // The engine reports its own stages; reading is this job's.
  ProgressCallback engine_progress;
  if (options_.progress) {
    engine_progress = [this](const ProgressEvent& e) {
      if (e.stage != "sketching" && !e.finished) options_.progress(e);
    };
  }
  DUBARE_ASSIGN_OR_RETURN(deduper_, Deduper::Create(options_.dedup, std::move(engine_progress)));
  DUBARE_RETURN_IF_ERROR(Read(inputs));
  DUBARE_ASSIGN_OR_RETURN(DedupResult result, deduper_->Finish());
  auto id_of = [&](uint32_t doc) -> const std::string& { return deduper_->id(doc); };
  DUBARE_RETURN_IF_ERROR(CollectRejections(&result.rejected, id_of));
  FillSummary(result.stats);

  const Clock::time_point t = Clock::now();
  DUBARE_RETURN_IF_ERROR(WriteOutputs({&result.pairs, &result.clusters, 0, &result.fate, id_of}));
  DUBARE_RETURN_IF_ERROR(WriteRenamed(result));
  summary_.output_seconds = SecondsSince(t);
  DUBARE_RETURN_IF_ERROR(WriteSummary(start));
  spool_.reset();  // its file lives in the directory about to be published
  DUBARE_RETURN_IF_ERROR(out_->Commit());
  ReportDone();
  return summary_;
}

// Shares of the input, the same on every process: the bytes of all sources
// in order are cut into `size` equal runs; a splittable source is cut where
// the runs meet (then at the next line start), any other source goes whole
// to the process where it starts. Then each process knows the line number
// where its part of a source begins from the line ends of the parts before.
absl::Status DedupJob::RestrictToShare() {
  const int p = comm_->size(), rank = comm_->rank();
  struct Piece {
    uint32_t source;
    uint64_t lo, hi, bytes;
    bool whole;
  };
  absl::Status status;
  std::vector<SourceShape> shapes(reader_->num_sources());
  unsigned __int128 total = 0;
  for (uint32_t s = 0; s < shapes.size(); ++s) {
    if (reader_->source_path(s) == "-") {
      status = absl::InvalidArgumentError(
          "standard input (-) cannot be shared by several processes; give files");
    }
    shapes[s] = reader_->Shape(s);
    total += shapes[s].bytes;
  }
  auto boundary = [&](int r) { return static_cast<uint64_t>(total * r / p); };
  auto rank_at = [&](uint64_t pos) {
    int r = 0;
    while (r + 1 < p && boundary(r + 1) <= pos) ++r;
    return r;
  };
  std::vector<Piece> mine;
  uint64_t at = 0;
  for (uint32_t s = 0; s < shapes.size(); ++s) {
    const uint64_t bytes = shapes[s].bytes;
    if (!shapes[s].splittable || bytes == 0) {
      if (rank_at(at) == rank) mine.push_back({s, 0, bytes, bytes, true});
    } else {
      for (int r = rank_at(at); r <= rank_at(at + bytes - 1); ++r) {
        const uint64_t lo = std::max(boundary(r), at) - at;
        const uint64_t hi = std::min(boundary(r + 1), at + bytes) - at;
        if (r == rank) mine.push_back({s, lo, hi, bytes, lo == 0 && hi == bytes});
      }
    }
    at += bytes;
  }
  std::vector<SourceRange> ranges;
  std::string counts;  // (source, line ends) of this process's partial pieces
  for (const Piece& piece : mine) {
    SourceRange range;
    range.source = piece.source;
    if (!piece.whole && status.ok()) {
      absl::StatusOr<uint64_t> begin = reader_->AlignToLine(piece.source, piece.lo);
      absl::StatusOr<uint64_t> end =
          piece.hi == piece.bytes ? UINT64_MAX : reader_->AlignToLine(piece.source, piece.hi);
      absl::StatusOr<uint64_t> ends = begin.ok() && end.ok()
                                          ? reader_->CountLineEnds(piece.source, *begin,
                                                                   std::min(*end, piece.bytes))
                                          : absl::StatusOr<uint64_t>(0);
      for (const absl::Status& s : {begin.status(), end.status(), ends.status()}) {
        if (status.ok() && !s.ok()) status = s;
      }
      if (status.ok()) {
        range.begin = *begin;
        range.end = *end;
        counts.append(reinterpret_cast<const char*>(&piece.source), sizeof piece.source);
        counts.append(reinterpret_cast<const char*>(&*ends), sizeof(uint64_t));
      }
    }
    ranges.push_back(range);
  }
  DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> all, AllGather(*comm_, std::move(counts)));
  DUBARE_RETURN_IF_ERROR(AgreeOk(*comm_, status));
  for (SourceRange& range : ranges) {
    if (range.whole()) continue;
    for (int r = 0; r < rank; ++r) {
      for (size_t i = 0; i + 12 <= all[r].size(); i += 12) {
        uint32_t source;
        uint64_t ends;
        std::memcpy(&source, all[r].data() + i, sizeof source);
        std::memcpy(&ends, all[r].data() + i + 4, sizeof ends);
        if (source == range.source) range.first_line += ends;
      }
    }
  }
  return reader_->Restrict(std::move(ranges));
}

// After every process wrote its parts: each output is its parts joined in
// rank order, as one process would have written it. Collective: each
// process copies its own part into the file at its offset (copy_file_range,
// so the copies run side by side and in the kernel), process 0 having
// created the file at its full size. The run directory is published only
// later, so the files need no temporary names of their own.
absl::Status DedupJob::JoinParts() {
  Communicator& comm = *comm_;
  const int p = comm.size(), rank = comm.rank();
  for (const char* name : {"pairs.tsv", "clusters.jsonl", "duplicates.tsv", "kept.jsonl",
                           "kept_lines.txt", "kept_files.txt", "rejected.tsv"}) {
    const std::string part = Name(name);
    const std::string whole = absl::StrCat(dir_, "/", name);
    std::error_code ec;
    const bool have = std::filesystem::exists(part, ec);
    const uint64_t size = have ? std::filesystem::file_size(part, ec) : 0;
    std::string mine;
    mine.push_back(have ? 1 : 0);
    mine.append(reinterpret_cast<const char*>(&size), sizeof size);
    DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> all, AllGather(comm, std::move(mine)));
    bool any = false;
    uint64_t offset = 0, total = 0;
    for (int r = 0; r < p; ++r) {
      uint64_t n;
      std::memcpy(&n, all[r].data() + 1, sizeof n);
      any = any || all[r][0] != 0;
      if (r < rank) offset += n;
      total += n;
    }
    if (!any) continue;
    absl::Status status;
    if (rank == 0) {
      const int fd = ::open(whole.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(total)) != 0) {
        status = ErrnoError(whole, "cannot create", errno);
      }
      if (fd >= 0) ::close(fd);
    }
    DUBARE_RETURN_IF_ERROR(AgreeOk(comm, status));
    if (have && size > 0) status = CopyInto(part, whole, offset, size);
    if (have && status.ok()) std::filesystem::remove(part, ec);
    DUBARE_RETURN_IF_ERROR(AgreeOk(comm, status));
  }
  return absl::OkStatus();
}

// ---- Checkpoints (work_dir) ------------------------------------------------------

// Version 2: records carry no hash (sources are checked whole, SourceIdentity).
constexpr char kCheckpointMagic[] = "DUBARE-SHARE 2\n";

template <typename T>
void PutValue(std::string* out, const T& v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}
void PutText(std::string* out, absl::string_view s) {
  PutValue<uint64_t>(out, s.size());
  out->append(s.data(), s.size());
}

// Reads what PutValue/PutText wrote; any overrun fails.
class CheckpointCursor {
 public:
  explicit CheckpointCursor(absl::string_view bytes) : rest_(bytes) {}
  template <typename T>
  bool Get(T* v) {
    if (rest_.size() < sizeof(T)) return false;
    std::memcpy(v, rest_.data(), sizeof(T));
    rest_.remove_prefix(sizeof(T));
    return true;
  }
  bool GetText(std::string* s) {
    uint64_t n;
    if (!Get(&n) || rest_.size() < n) return false;
    s->assign(rest_.data(), n);
    rest_.remove_prefix(n);
    return true;
  }

 private:
  absl::string_view rest_;
};

std::string DedupJob::CheckpointPath() const {
  return absl::StrCat(options_.work_dir, "/share-", comm_->rank(), "-of-", comm_->size(), ".dubare");
}

// What the saved share depends on: the inputs as they are on disk, how they
// are read, how they are sketched, and which share this is.
std::string DedupJob::Fingerprint() const {
  const ReaderOptions& r = reader_->options();
  std::string f = absl::StrCat("share ", comm_->rank(), " of ", comm_->size(), "\n",
                               "sketch ", options_.dedup.sketch.ToString(), "\n");
  const SketchBatchOptions so = options_.dedup.SketchOptions();
  absl::StrAppend(&f, "features simhash=", so.simhash, " shingle_sets=", so.shingle_sets, "\n");
  absl::StrAppend(&f, "reader format=", InputFormatName(r.format), " id=", r.id_field,
                  " text=", r.text_field, " fields=", absl::StrJoin(r.extra_fields, ","),
                  " glob=", r.glob, " links=", r.follow_symlinks, " max_doc=", r.max_document_bytes,
                  " max_line=", r.max_line_bytes, " strict=", r.strict, "\n");
  for (size_t i = 0; i < reader_->num_sources(); ++i) {
    const std::string& path = reader_->source_path(static_cast<uint32_t>(i));
    struct stat st{};
    const bool ok = ::stat(path.c_str(), &st) == 0;
    absl::StrAppend(&f, "source ", path, " ", ok ? st.st_size : -1, " ",
                    ok ? st.st_mtim.tv_sec : 0, ".", ok ? st.st_mtim.tv_nsec : 0, "\n");
  }
  return f;
}

absl::Status DedupJob::SaveCheckpoint() {
  std::error_code ec;
  std::filesystem::create_directories(options_.work_dir, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat(options_.work_dir, ": cannot create the work directory: ",
                                            ec.message()));
  }
  std::string out = kCheckpointMagic;
  PutText(&out, Fingerprint());
  PutText(&out, shard_.sketches.Encode());
  PutValue<uint64_t>(&out, shard_.ids.size());
  for (const std::string& id : shard_.ids) PutText(&out, id);
  PutValue<uint64_t>(&out, shard_.keep_values.size());
  for (const std::string& v : shard_.keep_values) PutText(&out, v);
  PutValue<uint64_t>(&out, docs_.size());
  for (const DocRecord& d : docs_) {
    PutValue(&out, d.input_order);
    PutValue(&out, d.raw_offset);
    PutValue(&out, d.line);
    PutValue(&out, d.raw_bytes);
    PutValue(&out, d.source);
    PutValue(&out, static_cast<uint8_t>(d.format));
    PutValue(&out, static_cast<uint8_t>(d.raw_in_source));
  }
  PutValue<uint64_t>(&out, rejections_.size());
  for (const Rejection& r : rejections_) {
    PutValue(&out, r.input_order);
    for (const std::string* s : {&r.where, &r.id, &r.reason, &r.detail}) PutText(&out, *s);
  }
  PutValue<uint64_t>(&out, reader_rejected_);
  // Spooled raw records (compressed inputs) go with the share.
  PutValue<uint64_t>(&out, spool_->size());
  for (uint64_t off = 0; off < spool_->size();) {
    const uint64_t n = std::min<uint64_t>(spool_->size() - off, uint64_t{1} << 22);
    DUBARE_ASSIGN_OR_RETURN(absl::string_view bytes, spool_->Read(off, n));
    out.append(bytes.data(), bytes.size());
    off += n;
  }
  PutValue<uint64_t>(&out, XXH3_64bits(out.data(), out.size()));
  return WriteFileAtomically(CheckpointPath(), out);
}

absl::StatusOr<bool> DedupJob::LoadCheckpoint() {
  const std::string path = CheckpointPath();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return false;
  std::string bytes;
  {
    DUBARE_ASSIGN_OR_RETURN(auto in, RecordReader::Open(path));
    const uint64_t size = std::filesystem::file_size(path, ec);
    DUBARE_ASSIGN_OR_RETURN(absl::string_view all, in->Read(0, size));
    bytes.assign(all.data(), all.size());
  }
  auto damaged = [&](absl::string_view what) {
    return absl::DataLossError(absl::StrCat(path, ": damaged saved share (", what,
                                            "); remove it to sketch again"));
  };
  if (absl::StartsWith(bytes, "DUBARE-SHARE ") && !absl::StartsWith(bytes, kCheckpointMagic)) {
    return false;  // saved by another version: sketch again
  }
  if (bytes.size() < sizeof(kCheckpointMagic) - 1 + 8 || !absl::StartsWith(bytes, kCheckpointMagic)) {
    return damaged("not a saved share");
  }
  uint64_t sum;
  std::memcpy(&sum, bytes.data() + bytes.size() - 8, 8);
  if (XXH3_64bits(bytes.data(), bytes.size() - 8) != sum) return damaged("checksum");
  CheckpointCursor c(absl::string_view(bytes).substr(sizeof(kCheckpointMagic) - 1, bytes.size() - 8 - (sizeof(kCheckpointMagic) - 1)));
  std::string fingerprint, encoded;
  if (!c.GetText(&fingerprint)) return damaged("header");
  if (fingerprint != Fingerprint()) return false;  // other inputs or settings: sketch again
  if (!c.GetText(&encoded)) return damaged("sketches");
  DUBARE_ASSIGN_OR_RETURN(shard_.sketches, SketchBatch::Decode(encoded));
  std::string().swap(encoded);
  uint64_t n = 0;
  if (!c.Get(&n)) return damaged("ids");
  shard_.ids.resize(n);
  for (std::string& id : shard_.ids) {
    if (!c.GetText(&id)) return damaged("ids");
  }
  if (!c.Get(&n)) return damaged("keep values");
  shard_.keep_values.resize(n);
  for (std::string& v : shard_.keep_values) {
    if (!c.GetText(&v)) return damaged("keep values");
  }
  if (!c.Get(&n)) return damaged("records");
  docs_.resize(n);
  for (DocRecord& d : docs_) {
    uint8_t format, in_source;
    if (!c.Get(&d.input_order) || !c.Get(&d.raw_offset) || !c.Get(&d.line) ||
        !c.Get(&d.raw_bytes) || !c.Get(&d.source) || !c.Get(&format) || !c.Get(&in_source)) {
      return damaged("records");
    }
    d.format = static_cast<InputFormat>(format);
    d.raw_in_source = in_source != 0;
  }
  if (!c.Get(&n)) return damaged("rejections");
  rejections_.resize(n);
  for (Rejection& r : rejections_) {
    if (!c.Get(&r.input_order) || !c.GetText(&r.where) || !c.GetText(&r.id) || !c.GetText(&r.reason) ||
        !c.GetText(&r.detail)) {
      return damaged("rejections");
    }
  }
  uint64_t spooled = 0;
  if (!c.Get(&reader_rejected_) || !c.Get(&spooled)) return damaged("spool");
  DUBARE_ASSIGN_OR_RETURN(spool_, Spool::Create(dir_));
  const size_t head = sizeof(kCheckpointMagic) - 1;
  const size_t spool_at = bytes.size() - 8 - spooled;
  if (spooled > bytes.size() - 8 - head) return damaged("spool");
  DUBARE_RETURN_IF_ERROR(spool_->Append(absl::string_view(bytes).substr(spool_at, spooled)).status());
  DUBARE_RETURN_IF_ERROR(spool_->FinishWriting());
  if (shard_.ids.size() != shard_.sketches.size() || shard_.ids.size() != docs_.size()) {
    return damaged("sizes");
  }
  return true;
}

absl::StatusOr<DedupSummary> DedupJob::RunShared(const std::vector<std::string>& inputs) {
  const Clock::time_point start = Clock::now();
  Communicator& comm = *comm_;
  const int rank = comm.rank();
  part_ = absl::StrCat(".part-", rank);
  header_ = rank == 0;
  // Process 0 makes the run directory; every process writes its parts there.
  absl::Status status;
  std::string partial;
  if (rank == 0) {
    status = CheckInputsOutsideOut(inputs);
    if (status.ok()) {
      absl::StatusOr<std::unique_ptr<OutputDir>> out = OutputDir::Create(options_.out_dir, kOutputMarker);
      status = out.status();
      if (out.ok()) {
        out_ = *std::move(out);
        partial = out_->path();
      }
    }
  }
  DUBARE_RETURN_IF_ERROR(AgreeOk(comm, status));
  DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> dirs, AllGather(comm, partial));
  dir_ = dirs[0];

  // Reading and sketching, each process its share.
  DUBARE_RETURN_IF_ERROR(AgreeOk(comm, OpenReader(inputs)));
  DUBARE_RETURN_IF_ERROR(RestrictToShare());
  bool loaded = false;
  if (!options_.work_dir.empty()) {
    absl::StatusOr<bool> l = LoadCheckpoint();
    status = l.status();
    loaded = l.ok() && *l;
  }
  if (status.ok() && !loaded) {
    status = Read(inputs);
    reader_rejected_ = reader_->stats().rejected;
    if (status.ok() && !options_.work_dir.empty()) status = SaveCheckpoint();
  }
  if (status.ok() && std::getenv("DUBARE_TEST_KILL_RANK") != nullptr &&
      std::atoi(std::getenv("DUBARE_TEST_KILL_RANK")) == rank) {
    std::raise(SIGKILL);  // fault injection for tests/mpi: a rank dying mid-run
  }
  DUBARE_RETURN_IF_ERROR(AgreeOk(comm, status));
  const double sketch_seconds = SecondsSince(start);

  ProgressCallback progress;
  if (options_.progress && rank == 0) {
    progress = [this](const ProgressEvent& e) { options_.progress(e); };
  }
  RefusedId refused;
  absl::StatusOr<ShardResult> shard =
      DedupShards(comm, std::move(shard_), options_.dedup, std::move(progress), &refused);
  if (!shard.ok() && !refused.id.empty()) {
    // Name both places, as one process does: each owner says where its is.
    DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> counts, AllGather(comm, absl::StrCat(docs_.size())));
    uint64_t offset = 0;
    for (int r = 0; r < rank; ++r) offset += std::stoull(counts[r]);
    std::string places[2];
    for (int k = 0; k < 2; ++k) {
      const uint32_t doc = k == 0 ? refused.first : refused.second;
      if (doc >= offset && doc - offset < docs_.size()) places[k] = Where(docs_[doc - offset]);
    }
    DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> firsts, AllGather(comm, places[0]));
    DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> seconds, AllGather(comm, places[1]));
    for (const std::string& f : firsts) places[0] += f;
    for (const std::string& s : seconds) places[1] += s;
    return absl::InvalidArgumentError(absl::StrCat(
        places[1], ": id '", refused.id, "' is already the id of ", places[0], "; ids must be unique"));
  }
  if (!shard.ok()) return shard.status();
  ShardResult& r = *shard;
  auto local_id = [&](uint32_t doc) -> const std::string& { return r.ids[doc]; };
  status = CollectRejections(&r.rejected, local_id);
  DUBARE_RETURN_IF_ERROR(AgreeOk(comm, status));

  // Every process writes its parts; process 0 joins them.
  const Clock::time_point t = Clock::now();
  auto global_id = [&](uint32_t doc) -> const std::string& { return r.id(doc); };
  status = WriteOutputs({&r.pairs, &r.clusters, r.first_cluster, &r.fate, global_id});
  spool_.reset();
  DUBARE_RETURN_IF_ERROR(AgreeOk(comm, status));
  DUBARE_ASSIGN_OR_RETURN(
      const std::vector<uint64_t> sums,
      AllSum(comm, {docs_.size() + reader_rejected_, rejections_.size(), comm.bytes_sent(),
                    loaded ? 1u : 0u}));
  FillSummary(r.stats);
  summary_.sketch_seconds = sketch_seconds;
  summary_.inputs = sums[0];
  summary_.rejected = sums[1];
  summary_.processes = comm.size();
  summary_.bytes_exchanged = sums[2];
  summary_.bytes_by_stage = r.bytes_by_stage;
  summary_.sketches_reused = sums[3] == static_cast<uint64_t>(comm.size());
  DUBARE_RETURN_IF_ERROR(JoinParts());
  status = absl::OkStatus();
  if (rank == 0) {
    summary_.output_seconds = SecondsSince(t);
    status = WriteSummary(start);
    if (status.ok()) status = out_->Commit();
  }
  DUBARE_RETURN_IF_ERROR(AgreeOk(comm, status));
  if (rank == 0) ReportDone();
  return summary_;
}

}  // namespace

absl::Status DedupJobOptions::Validate() const {
  DUBARE_RETURN_IF_ERROR(reader.Validate());
  DUBARE_RETURN_IF_ERROR(dedup.Validate());
  if (!work_dir.empty() && dedup.method != DedupMethod::kMinHash) {
    return absl::InvalidArgumentError("--work-dir needs --method minhash");
  }
  if (!work_dir.empty() && dedup.duplicate_ids == DuplicateIds::kRename) {
    return absl::InvalidArgumentError("--work-dir does not take --duplicate-ids rename");
  }
  if (out_dir.empty()) return absl::InvalidArgumentError("no output directory (--out)");
  return absl::OkStatus();
}

std::string DedupSummary::ToJson() const {
  std::string out;
  JsonObjectWriter w(&out);
  w.Field("inputs", inputs)
      .Field("documents", documents)
      .Field("rejected", rejected)
      .Field("kept", kept)
      .Field("duplicates", duplicates)
      .Field("exact_duplicates", exact_duplicates)
      .Field("clusters", clusters)
      .Field("candidate_pairs", candidate_pairs)
      .Field("verified_pairs", verified_pairs)
      .Field("capped_buckets", capped_buckets)
      .Field("bands", bands)
      .Field("rows", rows)
      .Field("threads", threads)
      .Field("seconds", seconds)
      .Field("sketch_seconds", sketch_seconds)
      .Field("group_seconds", group_seconds)
      .Field("verify_seconds", verify_seconds)
      .Field("output_seconds", output_seconds)
      .Field("peak_rss_bytes", peak_rss_bytes);
  if (sketches_reused) w.Field("sketches_reused", true);
  // Only runs over several processes say so: a one-process summary is as before.
  if (processes > 1) {
    w.Field("processes", static_cast<uint64_t>(processes)).Field("bytes_exchanged", bytes_exchanged);
    std::string by_stage;
    JsonObjectWriter stages(&by_stage);
    for (const auto& [stage, bytes] : bytes_by_stage) stages.Field(stage, bytes);
    stages.Close();
    w.RawField("bytes_by_stage", by_stage);
  }
  w.Close();
  return out;
}

std::string DedupSummary::ToText() const {
  std::string lsh = bands > 0 ? absl::StrCat(" (LSH ", bands, " bands x ", rows, " rows)") : "";
  return absl::StrFormat(
      "documents  %d read, %d rejected\n"
      "removed    %d duplicates in %d clusters (%d exact copies); %d kept\n"
      "pairs      %d candidates, %d verified%s\n"
      "time       %.2f s (read+sketch %.2f, group %.2f, verify %.2f, output %.2f) on %d threads\n"
      "memory     %.0f MiB peak%s\n",
      inputs, rejected, duplicates, clusters, exact_duplicates, kept, candidate_pairs, verified_pairs, lsh, seconds,
      sketch_seconds, group_seconds, verify_seconds, output_seconds, threads,
      peak_rss_bytes / 1048576.0,
      processes > 1 ? absl::StrFormat(" (process 0)\nprocesses  %d, %.1f MiB exchanged", processes,
                                      bytes_exchanged / 1048576.0)
                    : "");
}

absl::StatusOr<DedupSummary> RunDedupJob(const std::vector<std::string>& inputs,
                                         const DedupJobOptions& options) {
  DUBARE_RETURN_IF_ERROR(options.Validate());
  if (inputs.empty()) return absl::InvalidArgumentError("no input (give files, directories or -)");
  DedupJob job(options);
  return job.Run(inputs);
}

}  // namespace dubare
