// Copyright 2026 The Dubare Authors.
//
// RunDedup: the stages of dedup.h wired together, and the output files.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <xxhash.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dedup/output_file.h"
#include "dubare/dedup.h"
#include "dubare/json_writer.h"
#include "dubare/sketch.h"
#include "dubare/status.h"

namespace dubare {
namespace {

using dedup_internal::OutputFile;
using dedup_internal::RecordReader;
using dedup_internal::Spool;
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

// A progress bar on stderr, redrawn at most ten times a second, and only when
// stderr is a terminal: "[=====>    ]  52% reading and sketching: 10400 documents".
class Progress {
 public:
  explicit Progress(bool wanted) : enabled_(wanted && ::isatty(STDERR_FILENO)) {}
  ~Progress() { Done(); }
  // `done` of `total` units of work (bytes, documents) drive the bar; a total
  // of 0 shows the stage alone.
  void Update(absl::string_view stage, uint64_t count, uint64_t done = 0, uint64_t total = 0) {
    if (!enabled_) return;
    const Clock::time_point now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    constexpr int kWidth = 30;
    // Compressed input decodes to more bytes than its files hold: stop at 99%.
    const double fraction = total == 0 ? 0 : std::min(0.99, static_cast<double>(done) / total);
    const int filled = static_cast<int>(fraction * kWidth);
    std::string line = absl::StrCat("\r\x1b[K[", std::string(filled, '='), filled < kWidth ? ">" : "",
                                    std::string(kWidth - std::min(kWidth, filled + 1), ' '), "] ",
                                    absl::StrFormat("%3.0f%% ", 100 * fraction), stage);
    if (count > 0) absl::StrAppend(&line, ": ", count, " documents");
    std::fputs(line.c_str(), stderr);
    shown_ = true;
  }
  void Done() {
    if (shown_) std::fputs("\r\x1b[K", stderr);
    shown_ = false;
  }

 private:
  bool enabled_;
  bool shown_ = false;
  Clock::time_point last_{};
};

// ---- Stage data --------------------------------------------------------------

// A document accepted by the reader.
struct DocRecord {
  std::string id;
  std::string keep_field;     // KeepPolicy::field's value (earliest:FIELD)
  uint64_t input_order = 0;   // position among all units of input
  uint64_t text_bytes = 0;
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

struct Rejection {
  uint64_t input_order = 0;
  std::string where;  // FILE:LINE or FILE
  std::string id;
  std::string reason;
  std::string detail;
};

// Sketches of one batch of documents, filled by a worker.
struct SketchedBatch {
  std::vector<uint32_t> minhash;                // size() * num_perm
  std::vector<uint64_t> simhash;
  std::vector<std::vector<uint64_t>> shingles;  // only when verification needs sets
  std::vector<std::string> reject_reason;       // "" = sketched
  std::vector<std::string> reject_detail;
};

struct Batch {
  std::vector<std::string> texts;
  SketchedBatch* out = nullptr;
};

// What the read+sketch stage hands on: documents that have a sketch, as
// dense indices 0..n-1 (live[i] is the DocRecord index).
struct Sketches {
  std::vector<uint32_t> live;
  std::vector<uint32_t> minhash;                // n * num_perm
  std::vector<uint64_t> simhash;                // n
  std::vector<std::vector<uint64_t>> shingles;  // n, when wanted
};

class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}
  void Push(Batch batch) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < capacity_; });
    queue_.push_back(std::move(batch));
    not_empty_.notify_one();
  }
  std::optional<Batch> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return std::nullopt;
    Batch b = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return b;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<Batch> queue_;
  size_t capacity_;
  bool closed_ = false;
};

// Runs fn(begin, end) over [0, n) split into `threads` contiguous ranges.
template <typename Fn>
void ParallelFor(size_t n, int threads, const Fn& fn) {
  const size_t workers = std::max<size_t>(1, std::min<size_t>(threads, n / 1024 + 1));
  if (workers == 1) {
    fn(size_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  for (size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] { fn(n * w / workers, n * (w + 1) / workers); });
  }
  for (std::thread& t : pool) t.join();
}

class Pipeline {
 public:
  Pipeline(const DedupOptions& options, int threads)
      : options_(options), threads_(threads), progress_(options.progress) {
    sketch_params_.shingle = options.shingle;
    sketch_params_.num_perm = options.num_perm;
    sketch_params_.method = options.minhash;
    want_sets_ = options.verify != VerifyMode::kEstimate;
  }

  absl::StatusOr<DedupSummary> Run(const std::vector<std::string>& inputs);

 private:
  absl::Status ReadAndSketch(const std::vector<std::string>& inputs);
  absl::Status AssembleSketches(std::deque<SketchedBatch>* batches);
  absl::StatusOr<std::vector<CandidatePair>> Group();
  std::vector<ScoredPair> Verify(const std::vector<CandidatePair>& candidates);
  double Score(uint32_t a, uint32_t b) const;
  absl::Status WriteOutputs(const std::vector<ScoredPair>& pairs);
  absl::Status WriteRejected();
  absl::Status WriteKept(const std::vector<bool>& kept);
  absl::Status CopyFile(const std::string& from);
  bool RawIsInSource(const Document& doc);

  const DedupOptions& options_;
  const int threads_;
  Progress progress_;
  SketchParams sketch_params_;
  bool want_sets_ = false;
  LshParams lsh_;

  std::unique_ptr<Reader> reader_;
  std::unique_ptr<Spool> spool_;
  std::vector<int8_t> source_direct_;  // per source: -1 unknown, 0 spooled, 1 read back
  std::vector<DocRecord> docs_;
  std::vector<Rejection> rejections_;
  Sketches sketches_;
  DedupSummary summary_;
};

// Whether the raw records of doc's source can be read back from the file
// itself (an uncompressed regular file), which saves spooling the corpus.
// Decided once per source by comparing its first record with the file.
bool Pipeline::RawIsInSource(const Document& doc) {
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

absl::Status Pipeline::ReadAndSketch(const std::vector<std::string>& inputs) {
  ReaderOptions reader_options = options_.reader;
  reader_options.extra_fields.clear();
  if (options_.keep.kind == KeepPolicy::Kind::kEarliest) {
    reader_options.extra_fields.push_back(options_.keep.field);
  }
  DUBARE_ASSIGN_OR_RETURN(reader_, Reader::Open(inputs, reader_options));
  DUBARE_ASSIGN_OR_RETURN(spool_, Spool::Create(options_.out_dir));

  constexpr size_t kBatchDocs = 256;
  BatchQueue queue(2 * static_cast<size_t>(threads_));
  std::deque<SketchedBatch> batches;  // push_back keeps references valid
  auto worker = [&] {
    DocumentSketcher sketcher(sketch_params_);
    DocumentSketch sketch;
    const size_t k = sketch_params_.num_perm;
    while (std::optional<Batch> batch = queue.Pop()) {
      SketchedBatch& out = *batch->out;
      const size_t n = batch->texts.size();
      out.minhash.resize(n * k);
      out.simhash.resize(n);
      out.reject_reason.resize(n);
      out.reject_detail.resize(n);
      if (want_sets_) out.shingles.resize(n);
      for (size_t i = 0; i < n; ++i) {
        if (absl::Status s = sketcher.Sketch(batch->texts[i], &sketch); !s.ok()) {
          out.reject_reason[i] = "sketch_error";
          out.reject_detail[i] = std::string(s.message());
          continue;
        }
        if (sketch.shingles.empty()) {
          out.reject_reason[i] = "no_words";
          out.reject_detail[i] = "no word remains after normalization";
          continue;
        }
        std::copy(sketch.minhash.begin(), sketch.minhash.end(), out.minhash.begin() + i * k);
        out.simhash[i] = sketch.simhash;
        if (want_sets_) out.shingles[i] = sketch.shingles;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int i = 0; i < threads_; ++i) pool.emplace_back(worker);

  absl::Status status;
  Batch batch;
  uint64_t input_order = 0;
  auto flush = [&] {
    if (batch.texts.empty()) return;
    batches.emplace_back();
    batch.out = &batches.back();
    queue.Push(std::move(batch));
    batch = Batch();
  };
  // Input size for the progress bar; stdin and unreadable paths count 0.
  uint64_t input_bytes = 0;
  for (size_t i = 0; i < reader_->num_sources(); ++i) {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(reader_->source_path(i), ec);
    if (!ec) input_bytes += size;
  }
  Document doc;
  for (;;) {
    absl::StatusOr<bool> more = reader_->Next(&doc);
    if (!more.ok()) {
      status = more.status();
      break;
    }
    if (!*more) break;
    progress_.Update("reading and sketching", input_order, reader_->stats().bytes, input_bytes);
    if (!doc.ok()) {
      rejections_.push_back({input_order++, reader_->Location(doc), doc.id,
                             std::string(RejectReasonName(doc.reject)), doc.detail});
      continue;
    }
    DocRecord rec;
    rec.id = std::move(doc.id);
    rec.input_order = input_order++;
    rec.text_bytes = doc.text.size();
    rec.source = doc.source;
    rec.line = doc.line;
    rec.format = doc.format;
    if (!doc.fields.empty()) rec.keep_field = std::move(doc.fields[0]);
    if (doc.format == InputFormat::kJsonl || doc.format == InputFormat::kLines) {
      rec.raw_bytes = static_cast<uint32_t>(doc.raw.size());
      if (RawIsInSource(doc)) {
        rec.raw_in_source = true;
        rec.raw_offset = doc.offset;
        rec.raw_hash = XXH3_64bits(doc.raw.data(), doc.raw.size());
      } else {
        absl::StatusOr<uint64_t> offset = spool_->Append(doc.raw);
        if (!offset.ok()) {
          status = offset.status();
          break;
        }
        rec.raw_offset = *offset;
      }
    }
    docs_.push_back(std::move(rec));
    batch.texts.push_back(std::move(doc.text));
    doc.text.clear();
    if (batch.texts.size() == kBatchDocs) flush();
  }
  if (status.ok()) flush();
  queue.Close();
  for (std::thread& t : pool) t.join();
  DUBARE_RETURN_IF_ERROR(status);
  DUBARE_RETURN_IF_ERROR(spool_->FinishWriting());
  return AssembleSketches(&batches);
}

absl::Status Pipeline::AssembleSketches(std::deque<SketchedBatch>* batches) {
  const size_t k = sketch_params_.num_perm;
  Sketches& s = sketches_;
  s.minhash.reserve(docs_.size() * k);  // no doubling of the largest array
  s.simhash.reserve(docs_.size());
  s.live.reserve(docs_.size());
  size_t doc = 0;
  while (!batches->empty()) {
    SketchedBatch& b = batches->front();
    for (size_t i = 0; i < b.reject_reason.size(); ++i, ++doc) {
      if (!b.reject_reason[i].empty()) {
        const DocRecord& rec = docs_[doc];
        Rejection r{rec.input_order, "", rec.id, std::move(b.reject_reason[i]),
                    std::move(b.reject_detail[i])};
        r.where = reader_->source_path(rec.source);
        if (rec.line > 0) absl::StrAppend(&r.where, ":", rec.line);
        if (options_.reader.strict) {
          return absl::InvalidArgumentError(absl::StrCat(r.where, ": ", r.reason, ": ", r.detail));
        }
        rejections_.push_back(std::move(r));
        continue;
      }
      s.live.push_back(static_cast<uint32_t>(doc));
      s.minhash.insert(s.minhash.end(), b.minhash.begin() + i * k, b.minhash.begin() + (i + 1) * k);
      s.simhash.push_back(b.simhash[i]);
      if (want_sets_) s.shingles.push_back(std::move(b.shingles[i]));
    }
    batches->pop_front();
  }
  std::sort(rejections_.begin(), rejections_.end(),
            [](const Rejection& x, const Rejection& y) { return x.input_order < y.input_order; });
  return absl::OkStatus();
}

absl::StatusOr<std::vector<CandidatePair>> Pipeline::Group() {
  const size_t n = sketches_.live.size();
  CandidateStats stats;
  std::vector<CandidatePair> candidates;
  if (options_.method == DedupMethod::kSimHash) {
    SimHashSearchOptions o;
    o.max_distance = options_.hamming;
    o.max_bucket_size = options_.max_bucket_size;
    o.threads = threads_;
    DUBARE_ASSIGN_OR_RETURN(candidates, FindSimHashCandidates(sketches_.simhash, o, &stats));
  } else {
    // Band keys: a stage of its own, n rows of `bands` keys.
    const size_t k = sketch_params_.num_perm;
    std::vector<uint64_t> keys(n * lsh_.bands);
    ParallelFor(n, threads_, [&](size_t begin, size_t end) {
      for (size_t d = begin; d < end; ++d) {
        BandKeys(absl::MakeConstSpan(sketches_.minhash).subspan(d * k, k), lsh_,
                 absl::MakeSpan(keys).subspan(d * lsh_.bands, lsh_.bands));
      }
    });
    CandidateOptions o;
    o.max_bucket_size = options_.max_bucket_size;
    o.threads = threads_;
    candidates = FindCandidates(keys, lsh_.bands, o, &stats);
  }
  summary_.capped_buckets = stats.capped_buckets;
  summary_.candidate_pairs = candidates.size();
  return candidates;
}

double Pipeline::Score(uint32_t a, uint32_t b) const {
  if (options_.verify == VerifyMode::kEstimate && options_.method == DedupMethod::kSimHash) {
    return SimHashSimilarity(sketches_.simhash[a], sketches_.simhash[b]);
  }
  const size_t k = sketch_params_.num_perm;
  DocumentFeatures fa, fb;
  if (want_sets_) {
    fa.shingles = sketches_.shingles[a];
    fb.shingles = sketches_.shingles[b];
  } else {
    fa.minhash = absl::MakeConstSpan(sketches_.minhash).subspan(a * k, k);
    fb.minhash = absl::MakeConstSpan(sketches_.minhash).subspan(b * k, k);
  }
  return ScorePair(options_.verify, fa, fb);
}

std::vector<ScoredPair> Pipeline::Verify(const std::vector<CandidatePair>& candidates) {
  std::vector<double> scores(candidates.size());
  ParallelFor(candidates.size(), threads_, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) scores[i] = Score(candidates[i].a, candidates[i].b);
  });
  // SimHash candidates are already within the Hamming distance; a set score
  // still has to reach the threshold.
  const bool by_hamming =
      options_.method == DedupMethod::kSimHash && options_.verify == VerifyMode::kEstimate;
  std::vector<ScoredPair> verified;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (by_hamming || scores[i] >= options_.threshold) {
      verified.push_back({candidates[i].a, candidates[i].b, scores[i]});
    }
  }
  return verified;
}

absl::Status Pipeline::WriteRejected() {
  DUBARE_ASSIGN_OR_RETURN(auto out, OutputFile::Create(options_.out_dir + "/rejected.tsv"));
  DUBARE_RETURN_IF_ERROR(out->Append("where\tid\treason\tdetail\n"));
  for (const Rejection& r : rejections_) {
    DUBARE_RETURN_IF_ERROR(out->Append(absl::StrCat(EscapeTsv(r.where), "\t", EscapeTsv(r.id),
                                                    "\t", r.reason, "\t", EscapeTsv(r.detail),
                                                    "\n")));
  }
  return out->Commit();
}

absl::Status Pipeline::CopyFile(const std::string& from) {
  // Keep the input's relative layout under files/; absolute paths lose their
  // leading '/', and '..' components become '__' so nothing escapes out_dir.
  std::filesystem::path rel;
  for (const auto& part : std::filesystem::path(from).relative_path()) {
    rel /= part == ".." ? std::filesystem::path("__") : part;
  }
  const std::filesystem::path to = std::filesystem::path(options_.out_dir) / "files" / rel;
  std::error_code ec;
  std::filesystem::create_directories(to.parent_path(), ec);
  if (!ec) {
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
  }
  if (ec) return absl::InternalError(absl::StrCat(to.string(), ": cannot copy from ", from, ": ", ec.message()));
  return absl::OkStatus();
}

absl::Status Pipeline::WriteKept(const std::vector<bool>& kept) {
  const std::string dir = options_.out_dir;
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
    progress_.Update("writing the kept corpus", 0, d, docs_.size());
  }
  for (auto* out : {&jsonl, &lines, &files}) {
    if (*out != nullptr) DUBARE_RETURN_IF_ERROR((*out)->Commit());
  }
  return absl::OkStatus();
}

absl::Status Pipeline::WriteOutputs(const std::vector<ScoredPair>& pairs) {
  const std::string dir = options_.out_dir;
  const size_t n = sketches_.live.size();
  auto id_of = [&](uint32_t live) -> const std::string& { return docs_[sketches_.live[live]].id; };

  DUBARE_ASSIGN_OR_RETURN(auto pairs_out, OutputFile::Create(dir + "/pairs.tsv"));
  DUBARE_RETURN_IF_ERROR(pairs_out->Append("id_a\tid_b\tscore\n"));
  for (const ScoredPair& p : pairs) {
    DUBARE_RETURN_IF_ERROR(pairs_out->Append(absl::StrCat(
        EscapeTsv(id_of(p.a)), "\t", EscapeTsv(id_of(p.b)), "\t", FormatScore(p.score), "\n")));
  }
  DUBARE_RETURN_IF_ERROR(pairs_out->Commit());

  // Clusters, numbered from 1 in the input order of their first member.
  const std::vector<uint32_t> root = ConnectedComponents(n, pairs);
  std::vector<std::vector<uint32_t>> members_of_root(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (root[i] != i) members_of_root[root[i]].push_back(i);
  }
  std::vector<bool> kept(docs_.size(), true);
  DUBARE_ASSIGN_OR_RETURN(auto clusters_out, OutputFile::Create(dir + "/clusters.jsonl"));
  DUBARE_ASSIGN_OR_RETURN(auto dups_out, OutputFile::Create(dir + "/duplicates.tsv"));
  DUBARE_RETURN_IF_ERROR(dups_out->Append("id\tcluster\trepresentative\tscore\n"));
  std::vector<KeepKey> keys;
  uint64_t cluster_id = 0;
  for (uint32_t r = 0; r < n; ++r) {
    std::vector<uint32_t>& members = members_of_root[r];
    if (members.empty()) continue;
    members.insert(members.begin(), r);  // the root, the smallest index, was not added
    ++cluster_id;
    keys.clear();
    for (uint32_t m : members) {
      const DocRecord& rec = docs_[sketches_.live[m]];
      keys.push_back({m, rec.text_bytes, rec.id, rec.keep_field});
    }
    const uint32_t rep = members[ChooseRepresentative(options_.keep, keys)];
    std::string line;
    {
      JsonObjectWriter w(&line);
      w.Field("cluster", cluster_id).Field("representative", id_of(rep));
      w.Field("size", static_cast<uint64_t>(members.size()));
      std::string list = "[";
      for (uint32_t m : members) {
        if (list.size() > 1) list += ',';
        const double score = m == rep ? 1.0 : Score(std::min(m, rep), std::max(m, rep));
        JsonObjectWriter(&list).Field("id", id_of(m)).Field("score", score).Close();
        if (m == rep) continue;
        kept[sketches_.live[m]] = false;
        DUBARE_RETURN_IF_ERROR(dups_out->Append(absl::StrCat(EscapeTsv(id_of(m)), "\t", cluster_id,
                                                             "\t", EscapeTsv(id_of(rep)), "\t",
                                                             FormatScore(score), "\n")));
      }
      list += ']';
      w.RawField("members", list).Close();
    }
    line += '\n';
    DUBARE_RETURN_IF_ERROR(clusters_out->Append(line));
    summary_.duplicates += members.size() - 1;
    std::vector<uint32_t>().swap(members);
  }
  summary_.clusters = cluster_id;
  DUBARE_RETURN_IF_ERROR(clusters_out->Commit());
  DUBARE_RETURN_IF_ERROR(dups_out->Commit());

  // Rejected documents are not kept either.
  std::vector<bool> kept_docs(docs_.size(), false);
  for (uint32_t live : sketches_.live) kept_docs[live] = kept[live];
  DUBARE_RETURN_IF_ERROR(WriteKept(kept_docs));
  return WriteRejected();
}

absl::StatusOr<DedupSummary> Pipeline::Run(const std::vector<std::string>& inputs) {
  const Clock::time_point start = Clock::now();
  summary_.threads = threads_;
  if (options_.method == DedupMethod::kMinHash) {
    if (options_.bands != 0 || options_.rows != 0) {
      lsh_.bands = options_.bands;
      lsh_.rows = options_.rows;
    } else {
      const double jaccard = options_.verify == VerifyMode::kContainment
                                 ? ContainmentToJaccard(options_.threshold, options_.containment_ratio)
                                 : options_.threshold;
      DUBARE_ASSIGN_OR_RETURN(lsh_, OptimalLshParams(jaccard, options_.num_perm));
    }
    DUBARE_RETURN_IF_ERROR(lsh_.Validate(options_.num_perm));
    summary_.bands = lsh_.bands;
    summary_.rows = lsh_.rows;
  }
  std::error_code ec;
  std::filesystem::create_directories(options_.out_dir, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat(options_.out_dir, ": cannot create: ", ec.message()));
  }

  DUBARE_RETURN_IF_ERROR(ReadAndSketch(inputs));
  summary_.sketch_seconds = SecondsSince(start);
  summary_.documents = sketches_.live.size();
  summary_.rejected = rejections_.size();
  summary_.inputs = docs_.size() + reader_->stats().rejected;

  Clock::time_point t = Clock::now();
  progress_.Update("grouping", summary_.documents);
  DUBARE_ASSIGN_OR_RETURN(std::vector<CandidatePair> candidates, Group());
  summary_.group_seconds = SecondsSince(t);

  t = Clock::now();
  progress_.Update("verifying", summary_.documents);
  std::vector<ScoredPair> pairs = Verify(candidates);
  std::vector<CandidatePair>().swap(candidates);
  summary_.verified_pairs = pairs.size();
  summary_.verify_seconds = SecondsSince(t);

  t = Clock::now();
  DUBARE_RETURN_IF_ERROR(WriteOutputs(pairs));
  summary_.kept = summary_.documents - summary_.duplicates;
  summary_.output_seconds = SecondsSince(t);
  progress_.Done();

  summary_.seconds = SecondsSince(start);
  struct rusage usage;
  if (::getrusage(RUSAGE_SELF, &usage) == 0) {
    summary_.peak_rss_bytes = static_cast<uint64_t>(usage.ru_maxrss) * 1024;
  }
  DUBARE_ASSIGN_OR_RETURN(auto summary_out, OutputFile::Create(options_.out_dir + "/summary.json"));
  DUBARE_RETURN_IF_ERROR(summary_out->Append(summary_.ToJson() + "\n"));
  DUBARE_RETURN_IF_ERROR(summary_out->Commit());
  return summary_;
}

}  // namespace

absl::Status DedupOptions::Validate() const {
  DUBARE_RETURN_IF_ERROR(reader.Validate());
  DUBARE_RETURN_IF_ERROR(shingle.Validate());
  if (!(threshold > 0 && threshold <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("threshold ", threshold, " is not in (0, 1]"));
  }
  if (num_perm < 64 || num_perm > 1024) {
    return absl::InvalidArgumentError(absl::StrCat("num_perm ", num_perm, " is not in [64, 1024]"));
  }
  if ((bands == 0) != (rows == 0)) {
    return absl::InvalidArgumentError("give both bands and rows, or neither");
  }
  if (uint64_t{bands} * rows > num_perm) {
    return absl::InvalidArgumentError(absl::StrCat("bands ", bands, " x rows ", rows,
                                                   " exceeds num_perm ", num_perm));
  }
  if (method == DedupMethod::kSimHash && (hamming < 0 || hamming > 31)) {
    return absl::InvalidArgumentError(absl::StrCat("hamming ", hamming, " is not in [0, 31]"));
  }
  if (!(containment_ratio > 0 && containment_ratio <= 1)) {
    return absl::InvalidArgumentError("containment_ratio must be in (0, 1]");
  }
  if (keep.kind == KeepPolicy::Kind::kEarliest && keep.field.empty()) {
    return absl::InvalidArgumentError("keep policy earliest needs a field");
  }
  if (max_bucket_size < 2) return absl::InvalidArgumentError("max_bucket_size must be >= 2");
  if (threads < 0) return absl::InvalidArgumentError("threads must be >= 0");
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
      "removed    %d duplicates in %d clusters; %d kept\n"
      "pairs      %d candidates, %d verified%s\n"
      "time       %.2f s (read+sketch %.2f, group %.2f, verify %.2f, output %.2f) on %d threads\n"
      "memory     %.0f MiB peak\n",
      inputs, rejected, duplicates, clusters, kept, candidate_pairs, verified_pairs, lsh, seconds,
      sketch_seconds, group_seconds, verify_seconds, output_seconds, threads,
      peak_rss_bytes / 1048576.0);
}

absl::StatusOr<DedupSummary> RunDedup(const std::vector<std::string>& inputs,
                                      const DedupOptions& options) {
  DUBARE_RETURN_IF_ERROR(options.Validate());
  if (inputs.empty()) return absl::InvalidArgumentError("no input (give files, directories or -)");
  int threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  Pipeline pipeline(options, threads);
  return pipeline.Run(inputs);
}

}  // namespace dubare
