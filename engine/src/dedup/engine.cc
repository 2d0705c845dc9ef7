// Copyright 2026 The Dubare Authors.
//
// The dedup engine of dedup.h: options, verification, the Deduper and Dedup.

#include <algorithm>
#include <chrono>
#include <iterator>
#include <condition_variable>
#include <memory>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"
#include "base/enum_names.h"
#include "base/parallel.h"
#include "dedup/sketch_rows.h"
#include "dubare/dedup.h"
#include "dubare/status.h"

namespace dubare {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Documents handed to the sketch workers: a batch of texts and where its
// sketches go.
struct Work {
  std::vector<std::string> texts;
  SketchBatch* out = nullptr;
};

// A bounded queue between the caller of Add and the sketch workers.
class WorkQueue {
 public:
  explicit WorkQueue(size_t capacity) : capacity_(capacity) {}
  void Push(Work work) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < capacity_; });
    queue_.push_back(std::move(work));
    not_empty_.notify_one();
  }
  std::optional<Work> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return std::nullopt;
    Work w = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return w;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<Work> queue_;
  size_t capacity_;
  bool closed_ = false;
};

}  // namespace

// ---- Options -------------------------------------------------------------------

absl::Status DedupOptions::Validate() const {
  DUBARE_RETURN_IF_ERROR(sketch.Validate());
  if (!(threshold > 0 && threshold <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("threshold ", threshold, " is not in (0, 1]"));
  }
  if (sketch.num_perm < 64 || sketch.num_perm > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_perm ", sketch.num_perm, " is not in [64, 1024]"));
  }
  if ((bands == 0) != (rows == 0)) {
    return absl::InvalidArgumentError("give both bands and rows, or neither");
  }
  if (uint64_t{bands} * rows > sketch.num_perm) {
    return absl::InvalidArgumentError(
        absl::StrCat("bands ", bands, " x rows ", rows, " exceeds num_perm ", sketch.num_perm));
  }
  if (method == DedupMethod::kSimHash && (hamming < 0 || hamming > 31)) {
    return absl::InvalidArgumentError(absl::StrCat("hamming ", hamming, " is not in [0, 31]"));
  }
  if (!(containment_ratio > 0 && containment_ratio <= 1)) {
    return absl::InvalidArgumentError("containment_ratio must be in (0, 1]");
  }
  if (!(containment_threshold > 0 && containment_threshold <= 1)) {
    return absl::InvalidArgumentError("containment_threshold must be in (0, 1]");
  }
  if (keep.kind == KeepPolicy::Kind::kEarliest && keep.field.empty()) {
    return absl::InvalidArgumentError("keep policy earliest needs a field");
  }
  if (min_shingles < 1) return absl::InvalidArgumentError("min_shingles must be >= 1");
  if (max_bucket_size < 2) return absl::InvalidArgumentError("max_bucket_size must be >= 2");
  if (threads < 0) return absl::InvalidArgumentError("threads must be >= 0");
  return absl::OkStatus();
}

namespace {

// The layout of a search for texts contained at `containment` in ones up to
// 1/ratio as long. Their Jaccard is low, and the optimum for it is often one
// row per band, which makes every pair sharing a single minimum a candidate:
// a number that grows with the square of the corpus. Two rows (num_perm / 2
// bands) are the floor.
// The LSH rule is for thresholds under 1; a threshold of 1 (identical
// shingle sets) is searched with the layout for 0.99.
constexpr double kMaxLshThreshold = 0.99;

absl::StatusOr<LshParams> ChooseContainmentLsh(double containment, double ratio,
                                               uint32_t num_perm, LshParams given) {
  const double jaccard = std::min(ContainmentToJaccard(containment, ratio), kMaxLshThreshold);
  if (given.bands == 0 && given.rows == 0) {
    DUBARE_ASSIGN_OR_RETURN(const LshParams chosen, OptimalLshParams(jaccard, num_perm));
    given.bands = chosen.rows < 2 ? num_perm / 2 : chosen.bands;
    given.rows = std::max<uint32_t>(chosen.rows, 2);
  }
  return ChooseLshParams(jaccard, num_perm, given);
}

}  // namespace

bool DedupOptions::UsesContainmentBands() const {
  return method == DedupMethod::kMinHash && (verify == VerifyMode::kEstimateOrContainment ||
                                             verify == VerifyMode::kJaccardOrContainment);
}

absl::StatusOr<LshParams> DedupOptions::ResolveLsh() const {
  LshParams given;
  given.bands = bands;
  given.rows = rows;
  if (verify == VerifyMode::kContainment) {
    return ChooseContainmentLsh(threshold, containment_ratio, sketch.num_perm, given);
  }
  double jaccard = threshold;
  if (UsesContainmentBands()) {
    // The containment bands keep only pairs whose sizes differ by more than
    // containment_band_ratio; a pair closer in size that is contained at
    // containment_threshold has at least this Jaccard, which these bands
    // must find (it is above the default threshold, 0.47 against 0.4).
    jaccard = std::min(jaccard, ContainmentToJaccard(containment_threshold, containment_band_ratio));
  }
  return ChooseLshParams(std::min(jaccard, kMaxLshThreshold), sketch.num_perm, given);
}

bool TooShort(uint32_t shingle_count, const DedupOptions& options) {
  return shingle_count < options.min_shingles;
}

std::string TooShortDetail(uint32_t shingle_count, const DedupOptions& options) {
  return absl::StrCat(shingle_count, " shingle", shingle_count == 1 ? "" : "s",
                      "; fewer than min_shingles ", options.min_shingles,
                      " cannot be judged (identical copies still are)");
}

absl::StatusOr<LshParams> DedupOptions::ResolveContainmentLsh() const {
  LshParams given;
  given.bands = containment_bands;
  given.rows = containment_rows;
  given.seed ^= 0x636f6e74;  // not the Jaccard bands' keys
  return ChooseContainmentLsh(containment_threshold, containment_ratio, sketch.num_perm, given);
}

SketchBatchOptions DedupOptions::SketchOptions() const {
  SketchBatchOptions o;
  o.simhash = method == DedupMethod::kSimHash;
  o.shingle_sets = verify != VerifyMode::kEstimate && verify != VerifyMode::kEstimateOrContainment;
  o.threads = threads;
  return o;
}

// ---- Stages --------------------------------------------------------------------

namespace {
constexpr base::EnumName<PairRule> kPairRules[] = {{PairRule::kJaccard, "jaccard"},
                                                   {PairRule::kContainment, "containment"},
                                                   {PairRule::kExactCopy, "exact_copy"},
                                                   {PairRule::kSimHash, "simhash"}};
}  // namespace

absl::string_view PairRuleName(PairRule rule) { return base::NameOf(rule, kPairRules); }

ScoredPair ExactCopyPair(uint32_t head, uint32_t copy) {
  return {head, copy, 1.0, 1.0, 1.0, PairRule::kExactCopy};
}

DocumentFeatures FeaturesOf(const SketchBatch& batch, size_t doc) {
  DocumentFeatures f;
  f.minhash = batch.signature(doc);
  if (batch.has_shingle_sets) f.shingles = batch.shingle_sets[doc];
  return f;
}

namespace {

// Both similarities of a pair, its score and whether it makes a duplicate.
// The two-rule modes: the Jaccard when it reaches the threshold, else the
// containment of the smaller set in the larger when that reaches its own.
struct Decision {
  ScoredPair pair;
  bool duplicate = false;
};

Decision Decide(const dedup_internal::SketchRows& sketches, uint32_t a, uint32_t b,
                const DedupOptions& options) {
  const SketchBatch& batch = sketches.batch;
  Decision d;
  ScoredPair& p = d.pair;
  p.a = a;
  p.b = b;
  double jaccard = 0, containment = 0;
  const bool exact = options.verify == VerifyMode::kExact ||
                     options.verify == VerifyMode::kContainment ||
                     options.verify == VerifyMode::kJaccardOrContainment;
  if (exact) {
    const SetOverlap o = ExactOverlap(batch.shingle_sets[a], batch.shingle_sets[b]);
    jaccard = o.jaccard();
    containment = std::max(o.containment_a(), o.containment_b());
  } else {
    const SignatureOverlap o = CompareSignatures(sketches.signature(a), sketches.signature(b));
    jaccard = o.jaccard();
    containment = std::max(o.containment_a(), o.containment_b());
  }
  p.jaccard = jaccard;
  p.containment = containment;
  if (options.method == DedupMethod::kSimHash && !exact) {
    // SimHash candidates are already within the Hamming distance; the
    // fingerprint has no containment estimate.
    p.score = SimHashSimilarity(batch.simhash[a], batch.simhash[b]);
    p.rule = PairRule::kSimHash;
    d.duplicate = true;
    return d;
  }
  p.score = jaccard;
  p.rule = PairRule::kJaccard;
  switch (options.verify) {
    case VerifyMode::kEstimate:
    case VerifyMode::kExact:
      d.duplicate = jaccard >= options.threshold;
      break;
    case VerifyMode::kContainment:
      p.score = containment;
      p.rule = PairRule::kContainment;
      d.duplicate = containment >= options.threshold;
      break;
    case VerifyMode::kEstimateOrContainment:
    case VerifyMode::kJaccardOrContainment: {
      if (jaccard >= options.threshold) {
        d.duplicate = true;
        break;
      }
      if (options.verify == VerifyMode::kEstimateOrContainment) {
        // A short text's estimate rests on few slots: below
        // containment_ratio of the longer text's shingles, it is not judged
        // by containment.
        const uint32_t na = batch.shingle_count[a], nb = batch.shingle_count[b];
        if (std::min(na, nb) < options.containment_ratio * std::max(na, nb)) break;
      }
      if (containment >= options.containment_threshold) {
        p.score = containment;
        p.rule = PairRule::kContainment;
        d.duplicate = true;
      }
      break;
    }
  }
  return d;
}

}  // namespace

ScoredPair JudgePair(const SketchBatch& batch, uint32_t a, uint32_t b, const DedupOptions& options) {
  return Decide({batch, {}}, a, b, options).pair;
}

double ScoreDocuments(const SketchBatch& batch, uint32_t a, uint32_t b,
                      const DedupOptions& options) {
  return Decide({batch, {}}, a, b, options).pair.score;
}

std::vector<ScoredPair> VerifyCandidates(const SketchBatch& batch,
                                         absl::Span<const CandidatePair> candidates,
                                         const DedupOptions& options) {
  return dedup_internal::VerifyCandidates({batch, {}}, candidates, options);
}

namespace dedup_internal {

double ScoreDocuments(const SketchRows& sketches, uint32_t a, uint32_t b,
                      const DedupOptions& options) {
  return Decide(sketches, a, b, options).pair.score;
}

std::vector<ScoredPair> VerifyCandidates(const SketchRows& sketches,
                                         absl::Span<const CandidatePair> candidates,
                                         const DedupOptions& options) {
  const SketchBatch& batch = sketches.batch;
  // Chunks of candidates, each keeping only its verified pairs (a few per
  // cent of them), joined in order.
  constexpr size_t kChunk = 4096;
  const size_t chunks = (candidates.size() + kChunk - 1) / kChunk;
  std::vector<std::vector<ScoredPair>> verified_in(chunks);
  const size_t k = batch.params.num_perm;
  const bool prefetch =
      k > 0 && (!sketches.rows.empty() || batch.minhash.size() >= batch.size() * k);
  base::ParallelFor(chunks, base::ResolveThreads(options.threads), [&](size_t c, int) {
    const size_t begin = c * kChunk, end = std::min(candidates.size(), begin + kChunk);
    for (size_t i = begin; i < end; ++i) {
      // Candidates come sorted by their first document; the second's
      // signature is a random read, fetched a few pairs ahead.
      if (prefetch && i + 8 < end) {
        const char* next =
            reinterpret_cast<const char*>(sketches.signature(candidates[i + 8].b).data());
        for (size_t byte = 0; byte < k * sizeof(uint32_t); byte += 64) {
          __builtin_prefetch(next + byte);
        }
      }
      const Decision d = Decide(sketches, candidates[i].a, candidates[i].b, options);
      if (d.duplicate) verified_in[c].push_back(d.pair);
    }
  });
  size_t total = 0;
  for (const std::vector<ScoredPair>& v : verified_in) total += v.size();
  std::vector<ScoredPair> verified;
  verified.reserve(total);
  for (std::vector<ScoredPair>& v : verified_in) {
    verified.insert(verified.end(), v.begin(), v.end());
    std::vector<ScoredPair>().swap(v);
  }
  return verified;
}

}  // namespace dedup_internal

ExactGroups GroupExactCopies(const SketchBatch& batch, int threads) {
  const size_t n = batch.size();
  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  base::ParallelSort(&order, threads, [&](uint32_t x, uint32_t y) {
    return std::tuple(batch.key(x), x) < std::tuple(batch.key(y), y);
  });
  ExactGroups groups;
  groups.head_of.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t d = order[i];
    const bool first = i == 0 || batch.key(order[i - 1]) != batch.key(d);
    groups.head_of[d] = first ? d : groups.head_of[order[i - 1]];
  }
  for (uint32_t d = 0; d < n; ++d) {
    if (groups.head_of[d] == d) groups.heads.push_back(d);
  }
  return groups;
}

// ---- Deduper -------------------------------------------------------------------

struct Deduper::Impl {
  Impl(const DedupOptions& o, ProgressCallback p)
      : options(o),
        progress(std::move(p)),
        threads(base::ResolveThreads(o.threads)),
        sketch_options(o.SketchOptions()),
        queue(2 * static_cast<size_t>(threads)) {
    for (int i = 0; i < threads; ++i) {
      workers.emplace_back([this] {
        DocumentSketcher sketcher(options.sketch);
        while (std::optional<Work> work = queue.Pop()) {
          // Sized once: grown document by document, the signatures would be
          // copied eight times over on the way to a full batch. Sized here,
          // not by the reading thread: the first touch of fresh memory is
          // costly (the kernel zeroes it), and the reading thread is the one
          // the workers wait for.
          work->out->minhash.reserve(work->texts.size() * options.sketch.num_perm);
          for (const std::string& text : work->texts) {
            sketcher.AppendTo(text, sketch_options, work->out);
          }
        }
      });
    }
  }
  ~Impl() { Join(); }

  void Join() {
    if (joined) return;
    queue.Close();
    for (std::thread& t : workers) t.join();
    joined = true;
  }

  SketchBatch EmptyBatch() const {
    SketchBatch b;
    b.params = options.sketch;
    b.has_simhash = sketch_options.simhash;
    b.has_shingle_sets = sketch_options.shingle_sets;
    return b;
  }

  void Flush() {
    if (pending.texts.empty()) return;
    parts.push_back(EmptyBatch());
    pending.out = &parts.back();
    queue.Push(std::move(pending));
    pending = Work();
  }

  void Report(absl::string_view stage, bool finished = false) {
    if (!progress) return;
    ProgressEvent e;
    e.stage = stage;
    e.documents = ids.size();
    e.done = stage == "sketching" ? ids.size() : 0;
    e.finished = finished;
    progress(e);
  }

  // Records a document's id (and keep value, when the policy reads it).
  // Under DuplicateIds::kError, the first of `ids` that is taken (by an
  // earlier document or an earlier one of `ids`) fails the whole call: a
  // failed Add adds nothing.
  template <typename Ids>
  absl::Status CheckNewIds(const Ids& new_ids) {
    if (options.duplicate_ids != DuplicateIds::kError) return absl::OkStatus();
    absl::flat_hash_map<absl::string_view, uint32_t> batch;
    for (size_t i = 0; i < new_ids.size(); ++i) {
      const absl::string_view id = new_ids[i];
      const uint32_t doc = static_cast<uint32_t>(ids.size() + i);
      std::optional<uint32_t> first;
      if (auto it = id_index.find(id); it != id_index.end()) first = it->second;
      if (auto [it, inserted] = batch.emplace(id, doc); !first && !inserted) first = it->second;
      if (first) {
        refused_duplicate = Deduper::DuplicateId{std::string(id), *first, doc};
        return absl::InvalidArgumentError(absl::StrCat(
            "document ", doc, " has id '", id, "', as document ", *first,
            " has: ids must be unique (or rename repeats: duplicate ids 'rename')"));
      }
    }
    return absl::OkStatus();
  }

  void AddMeta(std::string id, std::string keep_value) {
    const uint32_t doc = static_cast<uint32_t>(ids.size());
    if (id_index.contains(id)) {  // DuplicateIds::kRename (CheckNewIds refused the rest)
      std::string original = std::move(id);
      for (int n = 2;; ++n) {
        id = absl::StrCat(original, "~", n);
        if (!id_index.contains(id)) break;
      }
      renamed.push_back({doc, std::move(original)});
    }
    ids.push_back(std::move(id));
    id_index.emplace(ids.back(), doc);
    if (options.keep.kind == KeepPolicy::Kind::kEarliest) keep_values.push_back(std::move(keep_value));
  }

  absl::StatusOr<DedupResult> Finish();

  static constexpr size_t kBatchDocs = 256;

  const DedupOptions options;
  const ProgressCallback progress;
  const int threads;
  const SketchBatchOptions sketch_options;
  LshParams lsh;  // resolved once by Create (MinHash only)
  LshParams containment_lsh;  // when options.UsesContainmentBands()
  Clock::time_point start = Clock::now();
  WorkQueue queue;
  std::vector<std::thread> workers;
  bool joined = false;
  bool finished = false;

  Work pending;
  std::deque<SketchBatch> parts;  // push_back keeps references valid
  std::deque<std::string> ids;  // a deque: id_index views them
  absl::flat_hash_map<absl::string_view, uint32_t> id_index;
  std::optional<Deduper::DuplicateId> refused_duplicate;
  std::vector<DedupResult::Renamed> renamed;
  std::vector<std::string> keep_values;  // KeepPolicy::kEarliest only
};

absl::StatusOr<DedupResult> Deduper::Impl::Finish() {
  if (finished) return absl::FailedPreconditionError("Deduper::Finish called twice");
  finished = true;
  Flush();
  Join();
  DedupResult result;
  result.renamed = std::move(renamed);
  DedupStats& stats = result.stats;
  stats.threads = threads;
  const size_t n = ids.size();
  stats.documents = n;
  result.fate.assign(n, DocumentFate::kKept);
  result.cluster_of.assign(n, -1);

  // Sketched documents, renumbered densely (live[i] is the document index):
  // rejected documents take no part in grouping.
  const size_t k = options.sketch.num_perm;
  std::vector<uint32_t> live;
  std::vector<KeepKey> keys;
  // The parts' arrays are joined into one; each part's copy runs on its own
  // worker, so the page faults of the new arrays are taken in parallel.
  SketchBatch sketches = EmptyBatch();
  std::vector<size_t> part_live(parts.size() + 1, 0);  // live documents before each part
  std::vector<size_t> part_first(parts.size(), 0);     // the part's first document
  live.reserve(n);
  {
    size_t doc = 0;
    for (size_t p = 0; p < parts.size(); ++p) {
      SketchBatch& b = parts[p];
      part_first[p] = doc;
      for (size_t i = 0; i < b.size(); ++i, ++doc) {
        if (!b.ok(i)) {
          result.fate[doc] = DocumentFate::kRejected;
          result.rejected.push_back({static_cast<uint32_t>(doc), std::move(b.reject_reason[i]),
                                     std::move(b.reject_detail[i])});
          continue;
        }
        live.push_back(static_cast<uint32_t>(doc));
      }
      part_live[p + 1] = live.size();
    }
  }
  const size_t num_live = live.size();
  sketches.text_bytes.resize(num_live);
  sketches.key_hash.resize(2 * num_live);
  sketches.shingle_count.resize(num_live);
  sketches.reject_reason.resize(num_live);
  sketches.reject_detail.resize(num_live);
  if (sketches.has_simhash) sketches.simhash.resize(num_live);
  if (sketches.has_shingle_sets) sketches.shingle_sets.resize(num_live);
  // The signatures stay in their parts (rows points at them): copied into
  // one array they would be as much fresh memory again.
  std::vector<std::vector<uint32_t>> signature_parts(parts.size());
  std::vector<const uint32_t*> rows(num_live);
  base::ParallelFor(parts.size(), threads, [&](size_t p, int) {
    SketchBatch& b = parts[p];
    for (size_t to = part_live[p]; to < part_live[p + 1]; ++to) {
      const size_t i = live[to] - part_first[p];
      sketches.text_bytes[to] = b.text_bytes[i];
      sketches.key_hash[2 * to] = b.key_hash[2 * i];
      sketches.key_hash[2 * to + 1] = b.key_hash[2 * i + 1];
      sketches.shingle_count[to] = b.shingle_count[i];
      rows[to] = b.minhash.data() + i * k;
      if (sketches.has_simhash) sketches.simhash[to] = b.simhash[i];
      if (sketches.has_shingle_sets) sketches.shingle_sets[to] = std::move(b.shingle_sets[i]);
    }
    signature_parts[p] = std::move(b.minhash);
    b = SketchBatch();  // the rest freed as it goes
  });
  parts.clear();
  stats.rejected = result.rejected.size();
  stats.sketch_seconds = SecondsSince(start);

  // Exact copies: documents with one match key have one shingle set, so only
  // the first of each (its head) goes through candidates and verification;
  // the others join it with score 1. A crowd of identical texts costs one
  // pair per member, not one per pair of members.
  Clock::time_point t = Clock::now();
  Report("grouping");
  ExactGroups exact = GroupExactCopies(sketches, threads);
  stats.exact_duplicates = live.size() - exact.heads.size();
  // Heads too short to judge (TooShort) take no part in LSH; alone they are
  // rejected, with exact copies they are the head of their copies' cluster.
  std::vector<uint32_t> too_short;
  {
    std::vector<bool> has_copy(live.size(), false);
    for (uint32_t i = 0; i < live.size(); ++i) {
      if (exact.head_of[i] != i) has_copy[exact.head_of[i]] = true;
    }
    std::vector<uint32_t> judged;
    judged.reserve(exact.heads.size());
    for (uint32_t h : exact.heads) {
      if (!TooShort(sketches.shingle_count[h], options)) {
        judged.push_back(h);
      } else if (!has_copy[h]) {
        too_short.push_back(h);
      }
    }
    if (judged.size() != exact.heads.size()) exact.heads.swap(judged);
  }

  // Candidates among the heads, in live indices.
  CandidateStats candidate_stats;
  std::vector<CandidatePair> candidates;
  if (options.method == DedupMethod::kSimHash) {
    SimHashSearchOptions o;
    o.max_distance = options.hamming;
    o.max_bucket_size = options.max_bucket_size;
    o.threads = threads;
    std::vector<uint64_t> head_simhash;
    head_simhash.reserve(exact.heads.size());
    for (uint32_t h : exact.heads) head_simhash.push_back(sketches.simhash[h]);
    DUBARE_ASSIGN_OR_RETURN(candidates,
                            FindSimHashCandidates(head_simhash, o, &candidate_stats));
  } else {
    stats.bands = lsh.bands;
    stats.rows = lsh.rows;
    // Band keys are computed table by table from the heads' signatures,
    // never stored as a matrix.
    std::vector<const uint32_t*> head_rows(exact.heads.size());
    for (size_t i = 0; i < exact.heads.size(); ++i) head_rows[i] = rows[exact.heads[i]];
    CandidateOptions o;
    o.max_bucket_size = options.max_bucket_size;
    o.threads = threads;
    candidates = FindCandidates(head_rows, lsh, o, &candidate_stats);
    if (options.UsesContainmentBands()) {
      std::vector<uint32_t> sizes;
      sizes.reserve(exact.heads.size());
      for (uint32_t h : exact.heads) sizes.push_back(sketches.shingle_count[h]);
      o.sizes = sizes;
      o.max_size_ratio = options.containment_band_ratio;
      CandidateStats cs;
      std::vector<CandidatePair> more = FindCandidates(head_rows, containment_lsh, o, &cs);
      std::vector<CandidatePair> all;
      all.reserve(candidates.size() + more.size());
      std::set_union(candidates.begin(), candidates.end(), more.begin(), more.end(),
                     std::back_inserter(all));
      candidates.swap(all);
      candidate_stats.capped_buckets += cs.capped_buckets;
    }
  }
  for (CandidatePair& c : candidates) {
    c.a = exact.heads[c.a];
    c.b = exact.heads[c.b];
  }
  stats.capped_buckets = candidate_stats.capped_buckets;
  stats.candidate_pairs = candidates.size();
  stats.group_seconds = SecondsSince(t);

  // Verification; then the exact copies' pairs, in (a, b) order with the rest.
  t = Clock::now();
  Report("verifying");
  const dedup_internal::SketchRows sketch_rows{sketches, rows};
  std::vector<ScoredPair> pairs = dedup_internal::VerifyCandidates(sketch_rows, candidates, options);
  std::vector<CandidatePair>().swap(candidates);
  if (stats.exact_duplicates > 0) {
    for (uint32_t i = 0; i < live.size(); ++i) {
      if (exact.head_of[i] != i) pairs.push_back(ExactCopyPair(exact.head_of[i], i));
    }
    base::ParallelSort(&pairs, threads, [](const ScoredPair& x, const ScoredPair& y) {
                         return std::pair(x.a, x.b) < std::pair(y.a, y.b);
                       });
  }
  stats.verified_pairs = pairs.size();
  stats.verify_seconds = SecondsSince(t);

  // Clusters, in live indices, then everything back to document indices.
  t = Clock::now();
  Report("clustering");
  keys.reserve(live.size());
  for (uint32_t i = 0; i < live.size(); ++i) {
    const uint32_t d = live[i];
    keys.push_back({i, sketches.text_bytes[i], ids[d],
                    keep_values.empty() ? absl::string_view() : keep_values[d]});
  }
  result.clusters = dedup_internal::BuildClusters(sketch_rows, pairs, keys, options);
  for (size_t c = 0; c < result.clusters.size(); ++c) {
    Cluster& cluster = result.clusters[c];
    cluster.representative = live[cluster.representative];
    for (ClusterMember& m : cluster.members) {
      m.doc = live[m.doc];
      if (m.doc == cluster.representative) continue;
      result.fate[m.doc] = DocumentFate::kDuplicate;
      result.cluster_of[m.doc] = static_cast<int32_t>(c);
    }
    stats.duplicates += cluster.members.size() - 1;
  }
  for (ScoredPair& p : pairs) {
    p.a = live[p.a];
    p.b = live[p.b];
  }
  if (!too_short.empty()) {
    for (uint32_t i : too_short) {
      const uint32_t d = live[i];
      result.fate[d] = DocumentFate::kRejected;
      result.rejected.push_back({d, "too_short", TooShortDetail(sketches.shingle_count[i], options)});
    }
    std::sort(result.rejected.begin(), result.rejected.end(),
              [](const DedupRejection& x, const DedupRejection& y) { return x.doc < y.doc; });
    stats.rejected += too_short.size();
  }
  result.pairs = std::move(pairs);
  stats.clusters = result.clusters.size();
  stats.kept = live.size() - stats.duplicates - too_short.size();
  stats.cluster_seconds = SecondsSince(t);
  Report("done", /*finished=*/true);
  return result;
}

absl::StatusOr<std::unique_ptr<Deduper>> Deduper::Create(const DedupOptions& options,
                                                         ProgressCallback progress) {
  DUBARE_RETURN_IF_ERROR(options.Validate());
  auto impl = std::make_unique<Impl>(options, std::move(progress));
  if (options.method == DedupMethod::kMinHash) {
    // Each layout search takes ~3 ms at K = 128, before the first document
    // is read: the two run side by side.
    const bool both = options.UsesContainmentBands();
    absl::StatusOr<LshParams> layouts[2];
    base::ParallelFor(both ? 2 : 1, impl->threads, [&](size_t i, int) {
      layouts[i] = i == 0 ? options.ResolveLsh() : options.ResolveContainmentLsh();
    }, /*grain=*/1);
    DUBARE_ASSIGN_OR_RETURN(impl->lsh, std::move(layouts[0]));
    if (both) {
      DUBARE_ASSIGN_OR_RETURN(impl->containment_lsh, std::move(layouts[1]));
    }
  }
  return absl::WrapUnique(new Deduper(std::move(impl)));
}

Deduper::Deduper(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Deduper::~Deduper() = default;

absl::Status Deduper::Add(absl::Span<const DedupInput> docs) {
  Impl& m = *impl_;
  if (m.finished) return absl::FailedPreconditionError("Deduper::Add after Finish");
  struct Ids {
    absl::Span<const DedupInput> docs;
    size_t size() const { return docs.size(); }
    absl::string_view operator[](size_t i) const { return docs[i].id; }
  };
  DUBARE_RETURN_IF_ERROR(m.CheckNewIds(Ids{docs}));
  for (const DedupInput& d : docs) {
    m.AddMeta(std::string(d.id), std::string(d.keep_value));
    m.pending.texts.emplace_back(d.text);
    if (m.pending.texts.size() == Impl::kBatchDocs) m.Flush();
  }
  m.Report("sketching");
  return absl::OkStatus();
}

absl::Status Deduper::Add(std::vector<std::string> ids, std::vector<std::string> texts,
                          std::vector<std::string> keep_values) {
  Impl& m = *impl_;
  if (m.finished) return absl::FailedPreconditionError("Deduper::Add after Finish");
  if (ids.size() != texts.size() || (!keep_values.empty() && keep_values.size() != texts.size())) {
    return absl::InvalidArgumentError(absl::StrCat("Deduper::Add: ", ids.size(), " ids, ",
                                                   texts.size(), " texts and ", keep_values.size(),
                                                   " keep values"));
  }
  DUBARE_RETURN_IF_ERROR(m.CheckNewIds(ids));
  for (size_t i = 0; i < texts.size(); ++i) {
    m.AddMeta(std::move(ids[i]), keep_values.empty() ? "" : std::move(keep_values[i]));
    m.pending.texts.push_back(std::move(texts[i]));
    if (m.pending.texts.size() == Impl::kBatchDocs) m.Flush();
  }
  m.Report("sketching");
  return absl::OkStatus();
}

absl::Status Deduper::AddSketched(SketchBatch batch, std::vector<std::string> ids,
                                  std::vector<std::string> keep_values) {
  Impl& m = *impl_;
  if (m.finished) return absl::FailedPreconditionError("Deduper::AddSketched after Finish");
  DUBARE_RETURN_IF_ERROR(m.options.sketch.CheckCompatible(batch.params));
  if ((m.sketch_options.simhash && !batch.has_simhash) ||
      (m.sketch_options.shingle_sets && !batch.has_shingle_sets)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "sketch batch lacks the ", m.sketch_options.simhash ? "SimHash fingerprints" : "shingle sets",
        " that method ", DedupMethodName(m.options.method), " with verify ",
        VerifyModeName(m.options.verify), " needs"));
  }
  if (ids.size() != batch.size() || (!keep_values.empty() && keep_values.size() != batch.size())) {
    return absl::InvalidArgumentError(absl::StrCat("Deduper::AddSketched: ", batch.size(),
                                                   " sketches but ", ids.size(), " ids and ",
                                                   keep_values.size(), " keep values"));
  }
  // Extra features are dropped, so that every part has the same layout.
  if (!m.sketch_options.simhash) {
    batch.has_simhash = false;
    std::vector<uint64_t>().swap(batch.simhash);
  }
  if (!m.sketch_options.shingle_sets) {
    batch.has_shingle_sets = false;
    std::vector<std::vector<uint64_t>>().swap(batch.shingle_sets);
  }
  DUBARE_RETURN_IF_ERROR(m.CheckNewIds(ids));
  m.Flush();  // documents added before keep their numbers
  for (size_t i = 0; i < ids.size(); ++i) {
    m.AddMeta(std::move(ids[i]), keep_values.empty() ? "" : std::move(keep_values[i]));
  }
  m.parts.push_back(std::move(batch));
  m.Report("sketching");
  return absl::OkStatus();
}

size_t Deduper::size() const { return impl_->ids.size(); }
const std::string& Deduper::id(size_t doc) const { return impl_->ids[doc]; }
const std::optional<Deduper::DuplicateId>& Deduper::refused_duplicate() const {
  return impl_->refused_duplicate;
}

absl::StatusOr<DedupResult> Deduper::Finish() { return impl_->Finish(); }

absl::StatusOr<DedupResult> Dedup(absl::Span<const DedupInput> docs, const DedupOptions& options,
                                  ProgressCallback progress) {
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<Deduper> deduper,
                          Deduper::Create(options, std::move(progress)));
  DUBARE_RETURN_IF_ERROR(deduper->Add(docs));
  return deduper->Finish();
}

}  // namespace dubare
