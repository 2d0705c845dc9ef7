// Copyright 2026 The Dubare Authors.
//
// RunDedupJob (jobs.h): the reader's documents streamed into a Deduper, and
// its result written into the output directory.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <utility>

#include <xxhash.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

// Backslash escapes, so that an id or a message cannot break a TSV row.
std::string EscapeTsv(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

std::string FormatScore(double score) { return absl::StrFormat("%.4f", score); }

// Where a document came from, so that its raw record can be written back.
struct DocRecord {
  uint64_t input_order = 0;   // position among all units of input
  // The raw record (JSONL and lines inputs): at raw_offset in its source file
  // when raw_in_source (checked against raw_hash when read back), else in
  // the spool.
  uint64_t raw_offset = 0;
  uint64_t raw_hash = 0;
  uint64_t line = 0;          // 0 for a whole file
  uint32_t raw_bytes = 0;
  uint32_t source = 0;
  InputFormat format = InputFormat::kFile;
  bool raw_in_source = false;
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
  absl::Status Read(const std::vector<std::string>& inputs);
  absl::Status CollectRejections(DedupResult* result);
  absl::Status WriteOutputs(const DedupResult& result);
  absl::Status WriteRejected();
  absl::Status WriteKept(const std::vector<bool>& kept);
  absl::Status CopyFile(const std::string& from);
  absl::Status WriteRenamed(const DedupResult& result);
  std::string Where(const DocRecord& rec) const;  // FILE:LINE, or FILE
  bool RawIsInSource(const Document& doc);
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
  std::unique_ptr<Deduper> deduper_;
  std::unique_ptr<Reader> reader_;
  std::unique_ptr<Spool> spool_;
  std::vector<int8_t> source_direct_;  // per source: -1 unknown, 0 spooled, 1 read back
  std::vector<DocRecord> docs_;
  std::vector<Rejection> rejections_;
  DedupSummary summary_;
};

// Whether the raw records of doc's source can be read back from the file
// itself (an uncompressed regular file), which saves spooling the corpus.
// Decided once per source by comparing its first record with the file.
bool DedupJob::RawIsInSource(const Document& doc) {
  if (doc.source >= source_direct_.size()) source_direct_.resize(doc.source + 1, -1);
  int8_t& direct = source_direct_[doc.source];
  if (direct < 0) {
    direct = 0;
    const std::string& path = reader_->source_path(doc.source);
    absl::StatusOr<std::unique_ptr<RecordReader>> file =
        path == "-" ? absl::NotFoundError("stdin") : RecordReader::Open(path);
    if (file.ok()) {
      absl::StatusOr<absl::string_view> record = (*file)->Read(doc.offset, doc.raw.size());
      direct = record.ok() && *record == doc.raw;
    }
  }
  return direct == 1;
}

absl::Status DedupJob::Read(const std::vector<std::string>& inputs) {
  ReaderOptions reader_options = options_.reader;
  reader_options.extra_fields.clear();
  const bool want_keep = options_.dedup.keep.kind == KeepPolicy::Kind::kEarliest;
  if (want_keep) reader_options.extra_fields.push_back(options_.dedup.keep.field);
  DUBARE_ASSIGN_OR_RETURN(reader_, Reader::Open(inputs, reader_options));
  DUBARE_ASSIGN_OR_RETURN(spool_, Spool::Create(dir_));

  // Input size for the progress bar; stdin and unreadable paths count 0.
  uint64_t input_bytes = 0;
  for (size_t i = 0; i < reader_->num_sources(); ++i) {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(reader_->source_path(i), ec);
    if (!ec) input_bytes += size;
  }
  // Batches of texts move into the Deduper, which sketches them on its
  // workers while the next batch is read.
  constexpr size_t kBatchDocs = 256;
  std::vector<std::string> ids, texts, keep_values;
  auto flush = [&]() -> absl::Status {
    if (texts.empty()) return absl::OkStatus();
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
      rec.raw_bytes = static_cast<uint32_t>(doc.raw.size());
      if (RawIsInSource(doc)) {
        rec.raw_in_source = true;
        rec.raw_offset = doc.offset;
        rec.raw_hash = XXH3_64bits(doc.raw.data(), doc.raw.size());
      } else {
        DUBARE_ASSIGN_OR_RETURN(rec.raw_offset, spool_->Append(doc.raw));
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

absl::Status DedupJob::CollectRejections(DedupResult* result) {
  for (DedupRejection& r : result->rejected) {
    const DocRecord& rec = docs_[r.doc];
    Rejection rejection{rec.input_order, Where(rec), deduper_->id(r.doc), std::move(r.reason),
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
  DUBARE_ASSIGN_OR_RETURN(auto out, OutputFile::Create(dir_ + "/rejected.tsv"));
  DUBARE_RETURN_IF_ERROR(out->Append("where\tid\treason\tdetail\n"));
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

absl::Status DedupJob::WriteKept(const std::vector<bool>& kept) {
  const std::string dir = dir_;
  // One output per input format present, so the corpus comes back as it came.
  std::unique_ptr<OutputFile> jsonl, lines, files;
  std::unique_ptr<RecordReader> source_file;
  uint32_t source_file_index = 0;
  for (size_t d = 0; d < docs_.size(); ++d) {
    const DocRecord& rec = docs_[d];
    std::unique_ptr<OutputFile>* out = rec.format == InputFormat::kJsonl   ? &jsonl
                                       : rec.format == InputFormat::kLines ? &lines
                                                                           : &files;
    if (*out == nullptr) {
      const char* name = out == &jsonl ? "/kept.jsonl" : out == &lines ? "/kept_lines.txt"
                                                                        : "/kept_files.txt";
      DUBARE_ASSIGN_OR_RETURN(*out, OutputFile::Create(dir + name));
    }
    if (!kept[d]) continue;
    if (rec.format == InputFormat::kFile) {
      const std::string& path = reader_->source_path(rec.source);
      DUBARE_RETURN_IF_ERROR((*out)->Append(absl::StrCat(path, "\n")));
      if (options_.copy_files) DUBARE_RETURN_IF_ERROR(CopyFile(path));
      continue;
    }
    absl::string_view raw;
    if (rec.raw_in_source) {
      const std::string& path = reader_->source_path(rec.source);
      if (source_file == nullptr || source_file_index != rec.source) {
        DUBARE_ASSIGN_OR_RETURN(source_file, RecordReader::Open(path));
        source_file_index = rec.source;
      }
      DUBARE_ASSIGN_OR_RETURN(raw, source_file->Read(rec.raw_offset, rec.raw_bytes));
      if (XXH3_64bits(raw.data(), raw.size()) != rec.raw_hash) {
        return absl::DataLossError(absl::StrCat(path, ":", rec.line,
                                                ": the record changed while dedup ran"));
      }
    } else {
      DUBARE_ASSIGN_OR_RETURN(raw, spool_->Read(rec.raw_offset, rec.raw_bytes));
    }
    DUBARE_RETURN_IF_ERROR((*out)->Append(raw));
    DUBARE_RETURN_IF_ERROR((*out)->Append("\n"));
    Progress("writing the kept corpus", docs_.size(), d, docs_.size());
  }
  for (auto* out : {&jsonl, &lines, &files}) {
    if (*out != nullptr) DUBARE_RETURN_IF_ERROR((*out)->Commit());
  }
  return absl::OkStatus();
}

absl::Status DedupJob::WriteOutputs(const DedupResult& result) {
  const std::string dir = dir_;
  auto id_of = [&](uint32_t doc) -> const std::string& { return deduper_->id(doc); };

  DUBARE_ASSIGN_OR_RETURN(auto pairs_out, OutputFile::Create(dir + "/pairs.tsv"));
  DUBARE_RETURN_IF_ERROR(pairs_out->Append("id_a\tid_b\tscore\n"));
  for (const ScoredPair& p : result.pairs) {
    DUBARE_RETURN_IF_ERROR(pairs_out->Append(absl::StrCat(
        EscapeTsv(id_of(p.a)), "\t", EscapeTsv(id_of(p.b)), "\t", FormatScore(p.score), "\n")));
  }
  DUBARE_RETURN_IF_ERROR(pairs_out->Commit());

  // Clusters, numbered from 1 in the input order of their first member.
  DUBARE_ASSIGN_OR_RETURN(auto clusters_out, OutputFile::Create(dir + "/clusters.jsonl"));
  DUBARE_ASSIGN_OR_RETURN(auto dups_out, OutputFile::Create(dir + "/duplicates.tsv"));
  DUBARE_RETURN_IF_ERROR(dups_out->Append("id\tcluster\trepresentative\tscore\n"));
  uint64_t cluster_id = 0;
  for (const Cluster& cluster : result.clusters) {
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
  DUBARE_RETURN_IF_ERROR(dups_out->Commit());
  DUBARE_RETURN_IF_ERROR(WriteRenamed(result));

  std::vector<bool> kept(docs_.size());
  for (size_t d = 0; d < docs_.size(); ++d) kept[d] = result.fate[d] == DocumentFate::kKept;
  DUBARE_RETURN_IF_ERROR(WriteKept(kept));
  return WriteRejected();
}

absl::StatusOr<DedupSummary> DedupJob::Run(const std::vector<std::string>& inputs) {
  const Clock::time_point start = Clock::now();
  // The run is written into a fresh directory and swapped into place at the
  // end: the output directory never mixes two runs, and a killed run leaves
  // the previous output whole.
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
  DUBARE_RETURN_IF_ERROR(CollectRejections(&result));

  const DedupStats& stats = result.stats;
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

  const Clock::time_point t = Clock::now();
  DUBARE_RETURN_IF_ERROR(WriteOutputs(result));
  summary_.output_seconds = SecondsSince(t);
  summary_.seconds = SecondsSince(start);
  struct rusage usage;
  if (::getrusage(RUSAGE_SELF, &usage) == 0) {
    summary_.peak_rss_bytes = static_cast<uint64_t>(usage.ru_maxrss) * 1024;
  }
  DUBARE_ASSIGN_OR_RETURN(auto summary_out, OutputFile::Create(dir_ + "/summary.json"));
  DUBARE_RETURN_IF_ERROR(summary_out->Append(summary_.ToJson() + "\n"));
  DUBARE_RETURN_IF_ERROR(summary_out->Commit());
  spool_.reset();  // its file lives in the directory about to be published
  DUBARE_RETURN_IF_ERROR(out_->Commit());
  if (options_.progress) {
    ProgressEvent e;
    e.stage = "done";
    e.documents = summary_.inputs;
    e.finished = true;
    options_.progress(e);
  }
  return summary_;
}

}  // namespace

absl::Status DedupJobOptions::Validate() const {
  DUBARE_RETURN_IF_ERROR(reader.Validate());
  DUBARE_RETURN_IF_ERROR(dedup.Validate());
  if (out_dir.empty()) return absl::InvalidArgumentError("no output directory (--out)");
  return absl::OkStatus();
}

std::string DedupSummary::ToJson() const {
  std::string out;
  JsonObjectWriter(&out)
      .Field("inputs", inputs)
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
      .Field("peak_rss_bytes", peak_rss_bytes)
      .Close();
  return out;
}

std::string DedupSummary::ToText() const {
  std::string lsh = bands > 0 ? absl::StrCat(" (LSH ", bands, " bands x ", rows, " rows)") : "";
  return absl::StrFormat(
      "documents  %d read, %d rejected\n"
      "removed    %d duplicates in %d clusters (%d exact copies); %d kept\n"
      "pairs      %d candidates, %d verified%s\n"
      "time       %.2f s (read+sketch %.2f, group %.2f, verify %.2f, output %.2f) on %d threads\n"
      "memory     %.0f MiB peak\n",
      inputs, rejected, duplicates, clusters, exact_duplicates, kept, candidate_pairs, verified_pairs, lsh, seconds,
      sketch_seconds, group_seconds, verify_seconds, output_seconds, threads,
      peak_rss_bytes / 1048576.0);
}

absl::StatusOr<DedupSummary> RunDedupJob(const std::vector<std::string>& inputs,
                                         const DedupJobOptions& options) {
  DUBARE_RETURN_IF_ERROR(options.Validate());
  if (inputs.empty()) return absl::InvalidArgumentError("no input (give files, directories or -)");
  DedupJob job(options);
  return job.Run(inputs);
}

}  // namespace dubare
