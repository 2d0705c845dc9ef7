// Copyright 2026 The Dubare Authors.
//
// DedupShards (distributed.h): the dedup engine's stages over shares of the
// documents held by several processes.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <iterator>
#include <type_traits>
#include <utility>

#include <xxhash.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "base/parallel.h"
#include "dubare/distributed.h"
#include "dubare/lsh.h"
#include "dubare/status.h"

namespace dubare {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---- Bytes on the wire ---------------------------------------------------------
// All processes run one binary, so plain structs travel as their bytes.

template <typename T>
void Put(std::string* out, const T& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}

void PutString(std::string* out, absl::string_view s) {
  Put<uint32_t>(out, static_cast<uint32_t>(s.size()));
  out->append(s.data(), s.size());
}

class Cursor {
 public:
  explicit Cursor(absl::string_view bytes) : rest_(bytes) {}
  bool done() const { return rest_.empty(); }
  template <typename T>
  T Get() {
    T v;
    std::memcpy(&v, rest_.data(), sizeof v);
    rest_.remove_prefix(sizeof v);
    return v;
  }
  absl::string_view GetString() {
    const uint32_t n = Get<uint32_t>();
    absl::string_view s = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return s;
  }

 private:
  absl::string_view rest_;
};

// Packs values[r] as run r, freeing each vector as it goes.
template <typename T>
Communicator::Packed Pack(std::vector<std::vector<T>> values) {
  static_assert(std::is_trivially_copyable_v<T>);
  Communicator::Packed out;
  size_t total = 0;
  for (const auto& v : values) total += v.size() * sizeof(T);
  out.bytes.reserve(total);
  for (auto& v : values) {
    out.counts.push_back(v.size() * sizeof(T));
    out.bytes.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
    std::vector<T>().swap(v);
  }
  return out;
}

// Sends values[r] to process r; returns what each process sent here, by sender.
template <typename T>
absl::StatusOr<std::vector<std::vector<T>>> ExchangeBySender(Communicator& comm,
                                                             std::vector<std::vector<T>> values) {
  DUBARE_ASSIGN_OR_RETURN(Communicator::Packed in, comm.ExchangePacked(Pack(std::move(values))));
  std::vector<std::vector<T>> by_sender(in.counts.size());
  uint64_t at = 0;
  for (size_t r = 0; r < in.counts.size(); ++r) {
    by_sender[r].resize(in.counts[r] / sizeof(T));
    if (in.counts[r] > 0) std::memcpy(reinterpret_cast<char*>(by_sender[r].data()), in.bytes.data() + at, in.counts[r]);
    at += in.counts[r];
  }
  return by_sender;
}

// The same, all senders' values in one vector, in rank order.
template <typename T>
absl::StatusOr<std::vector<T>> ExchangeValues(Communicator& comm, std::vector<std::vector<T>> values) {
  DUBARE_ASSIGN_OR_RETURN(Communicator::Packed in, comm.ExchangePacked(Pack(std::move(values))));
  std::vector<T> all(in.bytes.size() / sizeof(T));
  if (!all.empty()) std::memcpy(reinterpret_cast<char*>(all.data()), in.bytes.data(), in.bytes.size());
  return all;
}

struct KeyDoc {
  uint64_t lo, hi;
  uint32_t doc, pad;
};
struct DocPair {
  uint32_t a, b;
};
struct DocLabel {
  uint32_t doc, label;
};

// Copies documents `docs` of `batch` into a batch of their own.
SketchBatch Select(const SketchBatch& batch, absl::Span<const uint32_t> docs) {
  SketchBatch out;
  out.params = batch.params;
  out.has_simhash = batch.has_simhash;
  out.has_shingle_sets = batch.has_shingle_sets;
  const size_t k = batch.params.num_perm;
  for (uint32_t d : docs) {
    out.text_bytes.push_back(batch.text_bytes[d]);
    out.key_hash.insert(out.key_hash.end(), {batch.key_hash[2 * d], batch.key_hash[2 * d + 1]});
    out.shingle_count.push_back(batch.shingle_count[d]);
    out.minhash.insert(out.minhash.end(), batch.minhash.begin() + d * k,
                       batch.minhash.begin() + (d + 1) * k);
    if (batch.has_simhash) out.simhash.push_back(batch.simhash[d]);
    if (batch.has_shingle_sets) out.shingle_sets.push_back(batch.shingle_sets[d]);
    out.reject_reason.push_back(batch.reject_reason[d]);
    out.reject_detail.push_back(batch.reject_detail[d]);
  }
  return out;
}

// Drops the documents after the first n.
void Truncate(SketchBatch* batch, size_t n) {
  batch->text_bytes.resize(n);
  batch->key_hash.resize(2 * n);
  batch->shingle_count.resize(n);
  batch->minhash.resize(n * batch->params.num_perm);
  if (batch->has_simhash) batch->simhash.resize(n);
  if (batch->has_shingle_sets) batch->shingle_sets.resize(n);
  batch->reject_reason.resize(n);
  batch->reject_detail.resize(n);
}

class ShardRun {
 public:
  ShardRun(Communicator& comm, ShardInput input, const DedupOptions& options,
           ProgressCallback progress)
      : comm_(comm),
        p_(comm.size()),
        rank_(comm.rank()),
        options_(options),
        progress_(std::move(progress)),
        input_(std::move(input)),
        threads_(base::ResolveThreads(options.threads)) {}

  absl::StatusOr<ShardResult> Run(RefusedId* refused);

 private:
  int Owner(uint32_t doc) const {
    return static_cast<int>(std::upper_bound(start_.begin(), start_.end(), uint64_t{doc}) -
                            start_.begin()) - 1;
  }
  bool Local(uint32_t doc) const { return doc >= first_ && doc < first_ + n_; }
  uint32_t LocalIndex(uint32_t doc) const { return doc - first_; }
  // Work index of a document: local ones first, then those fetched.
  uint32_t WorkIndex(uint32_t doc) const {
    return Local(doc) ? LocalIndex(doc) : fetched_.at(doc);
  }
  void Report(const std::string& stage) {
    if (!progress_ || rank_ != 0) return;
    ProgressEvent e;
    e.stage = stage;
    e.documents = total_;
    progress_(e);
  }

  absl::Status Layout();
  absl::Status CheckIds(RefusedId* refused);
  absl::Status GroupExact();
  absl::Status BandCandidates(const LshParams& lsh, std::vector<CandidatePair>* candidates,
                              uint64_t* received, uint64_t* capped);
  absl::Status Candidates(std::vector<CandidatePair>* candidates);
  absl::Status Fetch(std::vector<uint32_t> docs);
  void Unfetch();
  absl::Status Verify(std::vector<CandidatePair> candidates);
  absl::Status Components(absl::flat_hash_map<uint32_t, uint32_t>* label);
  absl::Status Clusters(const absl::flat_hash_map<uint32_t, uint32_t>& label);
  absl::Status PairIds();
  // Bytes this process sent since the last mark, booked to stage i (kStages).
  void Mark(int i) {
    stage_bytes_[i] += comm_.bytes_sent() - marked_;
    marked_ = comm_.bytes_sent();
  }
  static constexpr const char* kStages[] = {"ids", "exact", "band_keys", "verify", "components",
                                            "clusters"};
  std::array<uint64_t, 6> stage_bytes_{};
  uint64_t marked_ = 0;

  Communicator& comm_;
  const int p_;
  const int rank_;
  const DedupOptions& options_;
  const ProgressCallback progress_;
  ShardInput input_;
  const int threads_;

  std::vector<uint64_t> start_;  // start_[r]: first document of process r; start_[p] = total
  uint32_t first_ = 0, n_ = 0;
  uint64_t total_ = 0;
  std::vector<uint32_t> head_of_;  // per local document: the global head of its key
  absl::flat_hash_map<uint32_t, uint32_t> fetched_;  // global doc -> work index
  // UsesContainmentBands(): the containment bands' pairs, filtered by size in
  // Verify.
  std::vector<CandidatePair> containment_candidates_;
  // Per local document, set by Verify: a head that has exact copies.
  std::vector<bool> head_has_copy_;
  ShardResult result_;
};

absl::Status ShardRun::Layout() {
  n_ = static_cast<uint32_t>(input_.ids.size());
  if (input_.sketches.size() != input_.ids.size() ||
      (!input_.keep_values.empty() && input_.keep_values.size() != input_.ids.size())) {
    return absl::InvalidArgumentError(absl::StrCat("DedupShards: ", input_.sketches.size(),
                                                   " sketches, ", input_.ids.size(), " ids, ",
                                                   input_.keep_values.size(), " keep values"));
  }
  std::string mine;
  Put<uint64_t>(&mine, input_.ids.size());
  DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> all, AllGather(comm_, std::move(mine)));
  start_.assign(p_ + 1, 0);
  for (int r = 0; r < p_; ++r) start_[r + 1] = start_[r] + Cursor(all[r]).Get<uint64_t>();
  total_ = start_[p_];
  if (total_ > UINT32_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat(total_, " documents: one run takes at most 4,294,967,295"));
  }
  first_ = static_cast<uint32_t>(start_[rank_]);
  result_.processes = p_;
  result_.first_doc = first_;
  result_.num_docs = n_;
  result_.total_docs = total_;
  return absl::OkStatus();
}

// Each id goes to the process that owns its hash; a repeat there is refused,
// the earliest refused document over all processes first (as a single
// process, adding documents in order, refuses it).
absl::Status ShardRun::CheckIds(RefusedId* refused) {
  std::vector<std::string> out(p_);
  for (uint32_t i = 0; i < n_; ++i) {
    const std::string& id = input_.ids[i];
    // A hash every process computes alike (absl::Hash is seeded per process).
    std::string& o = out[XXH3_64bits(id.data(), id.size()) % p_];
    Put<uint32_t>(&o, first_ + i);
    PutString(&o, id);
  }
  DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> in, comm_.Exchange(std::move(out)));
  std::vector<std::pair<absl::string_view, uint32_t>> entries;
  for (const std::string& b : in) {
    for (Cursor c(b); !c.done();) {
      const uint32_t doc = c.Get<uint32_t>();
      entries.emplace_back(c.GetString(), doc);
    }
  }
  std::sort(entries.begin(), entries.end());
  std::string best;  // first, second, id of this process's earliest refusal
  uint32_t best_second = UINT32_MAX;
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].first != entries[i - 1].first || entries[i].second >= best_second) continue;
    size_t f = i - 1;
    while (f > 0 && entries[f - 1].first == entries[i].first) --f;
    best_second = entries[i].second;
    best.clear();
    Put<uint32_t>(&best, entries[f].second);
    Put<uint32_t>(&best, entries[i].second);
    PutString(&best, entries[i].first);
  }
  DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> all, AllGather(comm_, std::move(best)));
  std::optional<RefusedId> first;
  for (const std::string& b : all) {
    if (b.empty()) continue;
    Cursor c(b);
    RefusedId r;
    r.first = c.Get<uint32_t>();
    r.second = c.Get<uint32_t>();
    r.id = std::string(c.GetString());
    if (!first || r.second < first->second) first = std::move(r);
  }
  if (!first) return absl::OkStatus();
  absl::Status error = absl::InvalidArgumentError(absl::StrCat(
      "document ", first->second, " has id '", first->id, "', as document ", first->first,
      " has: ids must be unique"));
  if (refused != nullptr) *refused = std::move(*first);
  return error;
}

// The head of each match key is its first document (GroupExactCopies).
absl::Status ShardRun::GroupExact() {
  std::vector<std::vector<KeyDoc>> out(p_);
  const SketchBatch& b = input_.sketches;
  for (uint32_t i = 0; i < n_; ++i) {
    if (!b.ok(i)) continue;
    const auto [lo, hi] = b.key(i);
    out[lo % p_].push_back({lo, hi, first_ + i, 0});
  }
  DUBARE_ASSIGN_OR_RETURN(std::vector<KeyDoc> keys, ExchangeValues(comm_, std::move(out)));
  base::ParallelSort(&keys, threads_, [](const KeyDoc& x, const KeyDoc& y) {
    return std::tie(x.lo, x.hi, x.doc) < std::tie(y.lo, y.hi, y.doc);
  });
  std::vector<std::vector<DocLabel>> heads(p_);
  uint32_t head = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i == 0 || keys[i].lo != keys[i - 1].lo || keys[i].hi != keys[i - 1].hi) {
      head = keys[i].doc;
    } else {
      heads[Owner(keys[i].doc)].push_back({keys[i].doc, head});
    }
  }
  std::vector<KeyDoc>().swap(keys);
  DUBARE_ASSIGN_OR_RETURN(std::vector<DocLabel> copies, ExchangeValues(comm_, std::move(heads)));
  head_of_.resize(n_);
  for (uint32_t i = 0; i < n_; ++i) head_of_[i] = first_ + i;
  for (const DocLabel& c : copies) head_of_[LocalIndex(c.doc)] = c.label;
  return absl::OkStatus();
}

// The candidate pairs of one band layout among the exact-copy heads, each at
// the owner of its first document; counts are added to *received and *capped.
absl::Status ShardRun::BandCandidates(const LshParams& lsh, std::vector<CandidatePair>* candidates,
                                      uint64_t* received, uint64_t* capped) {
  const SketchBatch& b = input_.sketches;
  const uint32_t k = b.params.num_perm;
  std::vector<uint32_t> heads, local_heads;
  for (uint32_t i = 0; i < n_; ++i) {
    if (!b.ok(i) || head_of_[i] != first_ + i || TooShort(b.shingle_count[i], options_)) continue;
    heads.push_back(first_ + i);
    local_heads.push_back(i);
  }
  std::vector<uint64_t> keys = ComputeBandKeys(b.minhash, k, local_heads, lsh, threads_);
  std::vector<std::vector<BandTuple>> out(p_);
  for (size_t h = 0; h < heads.size(); ++h) {
    for (uint32_t band = 0; band < lsh.bands; ++band) {
      const uint64_t key = keys[h * lsh.bands + band];
      const uint64_t owner = (key ^ (uint64_t{band} * 0x9E3779B97F4A7C15u)) % p_;
      out[owner].push_back({key, band, heads[h]});
    }
  }
  std::vector<uint64_t>().swap(keys);
  DUBARE_ASSIGN_OR_RETURN(std::vector<BandTuple> tuples, ExchangeValues(comm_, std::move(out)));
  *received += tuples.size();
  CandidateOptions o;
  o.max_bucket_size = options_.max_bucket_size;
  o.threads = threads_;
  CandidateStats cs;
  std::vector<CandidatePair> found = FindCandidatesInTuples(std::move(tuples), o, &cs);
  *capped += cs.capped_buckets;
  std::vector<std::vector<CandidatePair>> by_owner(p_);
  for (const CandidatePair& c : found) by_owner[Owner(c.a)].push_back(c);
  std::vector<CandidatePair>().swap(found);
  DUBARE_ASSIGN_OR_RETURN(*candidates, ExchangeValues(comm_, std::move(by_owner)));
  base::ParallelSort(candidates, threads_, std::less<CandidatePair>());
  candidates->erase(std::unique(candidates->begin(), candidates->end()), candidates->end());
  return absl::OkStatus();
}

absl::Status ShardRun::Candidates(std::vector<CandidatePair>* candidates) {
  DUBARE_ASSIGN_OR_RETURN(const LshParams lsh, options_.ResolveLsh());
  result_.stats.bands = lsh.bands;
  result_.stats.rows = lsh.rows;
  uint64_t received = 0, capped = 0;
  DUBARE_RETURN_IF_ERROR(BandCandidates(lsh, candidates, &received, &capped));
  if (options_.UsesContainmentBands()) {
    // The containment bands' pairs are filtered by size in Verify, once
    // both documents' sketches are at hand (Dedup filters them in the bucket).
    DUBARE_ASSIGN_OR_RETURN(const LshParams containment, options_.ResolveContainmentLsh());
    DUBARE_RETURN_IF_ERROR(
        BandCandidates(containment, &containment_candidates_, &received, &capped));
  }
  DUBARE_ASSIGN_OR_RETURN(const std::vector<uint64_t> sums,
                          AllSum(comm_, {received, capped, candidates->size()}));
  result_.band_tuples = sums[0];
  result_.stats.capped_buckets = sums[1];
  result_.stats.candidate_pairs = sums[2];
  Report(absl::StrCat("exchanged ", sums[0], " band keys over ", p_, " processes: ", sums[2],
                      " candidate pairs"));
  return absl::OkStatus();
}

// Appends the sketches of other processes' documents `docs` to the local
// batch (fetched_ maps them); every process serves the others' requests.
absl::Status ShardRun::Fetch(std::vector<uint32_t> docs) {
  std::sort(docs.begin(), docs.end());
  docs.erase(std::unique(docs.begin(), docs.end()), docs.end());
  std::vector<std::vector<uint32_t>> requests(p_);
  for (uint32_t d : docs) {
    if (!Local(d)) requests[Owner(d)].push_back(d);
  }
  // Requests arrive by sender; answer each with a batch in its order.
  std::vector<std::string> out(p_);
  for (int r = 0; r < p_; ++r) {
    out[r].assign(reinterpret_cast<const char*>(requests[r].data()),
                  requests[r].size() * sizeof(uint32_t));
  }
  DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> asked, comm_.Exchange(std::move(out)));
  std::vector<std::string> replies(p_);
  for (int r = 0; r < p_; ++r) {
    std::vector<uint32_t> local(asked[r].size() / sizeof(uint32_t));
    if (!local.empty()) std::memcpy(local.data(), asked[r].data(), asked[r].size());
    if (local.empty()) continue;
    for (uint32_t& d : local) d = LocalIndex(d);
    replies[r] = Select(input_.sketches, local).Encode();
  }
  DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> answers, comm_.Exchange(std::move(replies)));
  for (int r = 0; r < p_; ++r) {
    if (requests[r].empty()) continue;
    DUBARE_ASSIGN_OR_RETURN(SketchBatch got, SketchBatch::Decode(answers[r]));
    if (got.size() != requests[r].size()) {
      return absl::InternalError(absl::StrCat("rank ", r, " answered ", got.size(), " sketches for ",
                                              requests[r].size()));
    }
    const uint32_t base = static_cast<uint32_t>(input_.sketches.size());
    for (size_t i = 0; i < requests[r].size(); ++i) {
      fetched_[requests[r][i]] = base + static_cast<uint32_t>(i);
    }
    DUBARE_RETURN_IF_ERROR(input_.sketches.Append(std::move(got)));
  }
  return absl::OkStatus();
}

void ShardRun::Unfetch() {
  Truncate(&input_.sketches, n_);
  fetched_.clear();
}

absl::Status ShardRun::Verify(std::vector<CandidatePair> candidates) {
  std::vector<uint32_t> need;
  for (const CandidatePair& c : candidates) {
    if (!Local(c.b)) need.push_back(c.b);
  }
  for (const CandidatePair& c : containment_candidates_) {
    if (!Local(c.b)) need.push_back(c.b);
  }
  DUBARE_RETURN_IF_ERROR(Fetch(std::move(need)));
  if (!containment_candidates_.empty()) {
    // FindCandidates' size rule for the containment bands (CandidateOptions).
    const std::vector<uint32_t>& count = input_.sketches.shingle_count;
    std::vector<CandidatePair> kept;
    for (const CandidatePair& c : containment_candidates_) {
      const uint32_t a = count[WorkIndex(c.a)], b = count[WorkIndex(c.b)];
      if (std::min(a, b) <= options_.containment_band_ratio * std::max(a, b)) kept.push_back(c);
    }
    std::vector<CandidatePair>().swap(containment_candidates_);
    std::vector<CandidatePair> all;
    std::set_union(candidates.begin(), candidates.end(), kept.begin(), kept.end(),
                   std::back_inserter(all));
    candidates.swap(all);
  }
  DUBARE_ASSIGN_OR_RETURN(const std::vector<uint64_t> candidate_sum,
                          AllSum(comm_, {candidates.size()}));
  result_.stats.candidate_pairs = candidate_sum[0];
  std::vector<CandidatePair> work(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    work[i] = {WorkIndex(candidates[i].a), WorkIndex(candidates[i].b)};
  }
  std::vector<ScoredPair> verified = VerifyCandidates(input_.sketches, work, options_);
  Unfetch();
  // Back to global numbers: the work indices of a pair are in the order of
  // its candidates, which VerifyCandidates keeps.
  size_t j = 0;
  for (ScoredPair& p : verified) {
    while (work[j].a != p.a || work[j].b != p.b) ++j;
    p.a = candidates[j].a;
    p.b = candidates[j].b;
    ++j;
  }
  // The exact copies' pairs go to the owners of their heads.
  struct Copy {
    uint32_t head, doc;
  };
  std::vector<std::vector<Copy>> copies(p_);
  uint64_t exact = 0;
  for (uint32_t i = 0; i < n_; ++i) {
    if (input_.sketches.ok(i) && head_of_[i] != first_ + i) {
      copies[Owner(head_of_[i])].push_back({head_of_[i], first_ + i});
      ++exact;
    }
  }
  DUBARE_ASSIGN_OR_RETURN(std::vector<Copy> mine, ExchangeValues(comm_, std::move(copies)));
  head_has_copy_.assign(n_, false);
  for (const Copy& c : mine) {
    verified.push_back(ExactCopyPair(c.head, c.doc));
    head_has_copy_[LocalIndex(c.head)] = true;
  }
  base::ParallelSort(&verified, threads_, [](const ScoredPair& x, const ScoredPair& y) {
    return std::pair(x.a, x.b) < std::pair(y.a, y.b);
  });
  result_.pairs = std::move(verified);
  DUBARE_ASSIGN_OR_RETURN(const std::vector<uint64_t> sums,
                          AllSum(comm_, {result_.pairs.size(), exact}));
  result_.stats.verified_pairs = sums[0];
  result_.stats.exact_duplicates = sums[1];
  Report(absl::StrCat("verified ", sums[0], " pairs"));
  return absl::OkStatus();
}

// Min-label propagation: every document in a pair ends with the smallest
// document of its component as label.
absl::Status ShardRun::Components(absl::flat_hash_map<uint32_t, uint32_t>* label) {
  auto label_of = [&](uint32_t v) -> uint32_t& { return label->try_emplace(v, v).first->second; };
  for (const ScoredPair& p : result_.pairs) label_of(p.a);
  // Labels of other processes' documents, asked of their owners.
  auto ask = [&](std::vector<uint32_t> docs) -> absl::StatusOr<absl::flat_hash_map<uint32_t, uint32_t>> {
    std::sort(docs.begin(), docs.end());
    docs.erase(std::unique(docs.begin(), docs.end()), docs.end());
    std::vector<std::vector<uint32_t>> requests(p_);
    for (uint32_t d : docs) requests[Owner(d)].push_back(d);
    DUBARE_ASSIGN_OR_RETURN(std::vector<std::vector<uint32_t>> asked,
                            ExchangeBySender(comm_, std::move(requests)));
    std::vector<std::vector<DocLabel>> answers(p_);
    for (int r = 0; r < p_; ++r) {
      for (uint32_t d : asked[r]) answers[r].push_back({d, label_of(d)});
    }
    DUBARE_ASSIGN_OR_RETURN(std::vector<DocLabel> got, ExchangeValues(comm_, std::move(answers)));
    absl::flat_hash_map<uint32_t, uint32_t> known;
    for (const DocLabel& l : got) known[l.doc] = l.label;
    return known;
  };
  uint64_t rounds = 0;
  for (;;) {
    ++rounds;
    uint64_t changed = 0;
    // Hook: each pair pulls both ends to the smaller label.
    std::vector<uint32_t> remote;
    for (const ScoredPair& p : result_.pairs) {
      if (!Local(p.b)) remote.push_back(p.b);
    }
    DUBARE_ASSIGN_OR_RETURN(auto known, ask(std::move(remote)));
    std::vector<std::vector<DocLabel>> proposals(p_);
    for (const ScoredPair& p : result_.pairs) {
      const uint32_t lb = Local(p.b) ? label_of(p.b) : known.at(p.b);
      uint32_t& la = label_of(p.a);
      const uint32_t m = std::min(la, lb);
      if (m < la) {
        la = m;
        ++changed;
      }
      if (m < lb) {
        if (Local(p.b)) {
          uint32_t& l = label_of(p.b);
          if (m < l) {
            l = m;
            ++changed;
          }
        } else {
          proposals[Owner(p.b)].push_back({p.b, m});
        }
      }
    }
    DUBARE_ASSIGN_OR_RETURN(std::vector<DocLabel> got, ExchangeValues(comm_, std::move(proposals)));
    for (const DocLabel& l : got) {
      uint32_t& x = label_of(l.doc);
      if (l.label < x) {
        x = l.label;
        ++changed;
      }
    }
    // Jump: a label takes its label's label.
    std::vector<uint32_t> parents;
    for (const auto& [v, l] : *label) {
      if (l != v && !Local(l)) parents.push_back(l);
    }
    DUBARE_ASSIGN_OR_RETURN(auto grand, ask(std::move(parents)));
    for (auto& [v, l] : *label) {
      if (l == v) continue;
      const uint32_t g = Local(l) ? label_of(l) : grand.at(l);
      if (g < l) {
        l = g;
        ++changed;
      }
    }
    DUBARE_ASSIGN_OR_RETURN(const std::vector<uint64_t> any, AllSum(comm_, {changed}));
    if (any[0] == 0) break;
  }
  result_.label_rounds = rounds;
  return absl::OkStatus();
}

absl::Status ShardRun::Clusters(const absl::flat_hash_map<uint32_t, uint32_t>& label) {
  // Each member, with what the keep policy reads, to the owner of its root.
  std::vector<std::string> out(p_);
  for (const auto& [v, root] : label) {
    std::string& o = out[Owner(root)];
    const uint32_t i = LocalIndex(v);
    Put<uint32_t>(&o, root);
    Put<uint32_t>(&o, v);
    Put<uint64_t>(&o, input_.sketches.text_bytes[i]);
    PutString(&o, input_.ids[i]);
    PutString(&o, input_.keep_values.empty() ? absl::string_view() : input_.keep_values[i]);
  }
  DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> in, comm_.Exchange(std::move(out)));
  struct Member {
    uint32_t root, doc;
    KeepKey key;
  };
  std::vector<Member> members;
  for (const std::string& b : in) {
    for (Cursor c(b); !c.done();) {
      Member m;
      m.root = c.Get<uint32_t>();
      m.doc = c.Get<uint32_t>();
      m.key.index = m.doc;
      m.key.length = c.Get<uint64_t>();
      m.key.id = c.GetString();
      m.key.field = c.GetString();
      members.push_back(m);
    }
  }
  std::sort(members.begin(), members.end(),
            [](const Member& x, const Member& y) { return std::pair(x.root, x.doc) < std::pair(y.root, y.doc); });
  std::vector<KeepKey> keys;
  std::vector<uint32_t> need;
  for (size_t i = 0; i < members.size();) {
    size_t j = i;
    keys.clear();
    for (; j < members.size() && members[j].root == members[i].root; ++j) keys.push_back(members[j].key);
    Cluster c;
    c.representative = members[i + ChooseRepresentative(options_.keep, keys)].doc;
    for (size_t x = i; x < j; ++x) {
      c.members.push_back({members[x].doc, 0});
      if (!Local(members[x].doc)) {
        result_.remote_ids.try_emplace(members[x].doc, members[x].key.id);
        need.push_back(members[x].doc);
      }
    }
    result_.clusters.push_back(std::move(c));
    i = j;
  }
  // Scores against the representative (BuildClusters' rule).
  DUBARE_RETURN_IF_ERROR(Fetch(std::move(need)));
  std::vector<std::vector<uint32_t>> duplicates(p_);
  for (Cluster& c : result_.clusters) {
    const uint32_t rep = WorkIndex(c.representative);
    for (ClusterMember& m : c.members) {
      if (m.doc == c.representative) {
        m.score = 1.0;
        continue;
      }
      const uint32_t w = WorkIndex(m.doc);
      m.score = ScoreDocuments(input_.sketches, std::min(w, rep), std::max(w, rep), options_);
      duplicates[Owner(m.doc)].push_back(m.doc);
    }
  }
  Unfetch();
  DUBARE_ASSIGN_OR_RETURN(std::vector<uint32_t> mine, ExchangeValues(comm_, std::move(duplicates)));
  for (uint32_t d : mine) result_.fate[LocalIndex(d)] = DocumentFate::kDuplicate;
  std::string count;
  Put<uint64_t>(&count, result_.clusters.size());
  DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> counts, AllGather(comm_, std::move(count)));
  uint64_t clusters = 0;
  for (int r = 0; r < p_; ++r) {
    const uint64_t count = Cursor(counts[r]).Get<uint64_t>();
    if (r < rank_) result_.first_cluster += count;
    clusters += count;
  }
  result_.stats.clusters = clusters;
  return absl::OkStatus();
}

// Ids of the other processes' documents that this process's pairs name.
absl::Status ShardRun::PairIds() {
  std::vector<std::vector<uint32_t>> requests(p_);
  for (const ScoredPair& p : result_.pairs) {
    if (!Local(p.b) && !result_.remote_ids.contains(p.b)) requests[Owner(p.b)].push_back(p.b);
  }
  for (auto& r : requests) {
    std::sort(r.begin(), r.end());
    r.erase(std::unique(r.begin(), r.end()), r.end());
  }
  std::vector<std::string> out(p_);
  for (int r = 0; r < p_; ++r) {
    out[r].assign(reinterpret_cast<const char*>(requests[r].data()), requests[r].size() * sizeof(uint32_t));
  }
  DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> asked, comm_.Exchange(std::move(out)));
  std::vector<std::string> replies(p_);
  for (int r = 0; r < p_; ++r) {
    for (Cursor c(asked[r]); !c.done();) PutString(&replies[r], input_.ids[LocalIndex(c.Get<uint32_t>())]);
  }
  DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> answers, comm_.Exchange(std::move(replies)));
  for (int r = 0; r < p_; ++r) {
    Cursor c(answers[r]);
    for (uint32_t d : requests[r]) result_.remote_ids.try_emplace(d, std::string(c.GetString()));
  }
  return absl::OkStatus();
}

absl::StatusOr<ShardResult> ShardRun::Run(RefusedId* refused) {
  const Clock::time_point start = Clock::now();
  marked_ = comm_.bytes_sent();
  DUBARE_RETURN_IF_ERROR(Layout());
  DUBARE_RETURN_IF_ERROR(CheckIds(refused));
  Mark(0);
  DedupStats& stats = result_.stats;
  stats.threads = threads_;
  result_.fate.assign(n_, DocumentFate::kKept);
  uint64_t rejected = 0;
  for (uint32_t i = 0; i < n_; ++i) {
    if (input_.sketches.ok(i)) continue;
    result_.fate[i] = DocumentFate::kRejected;
    result_.rejected.push_back({i, input_.sketches.reject_reason[i], input_.sketches.reject_detail[i]});
    ++rejected;
  }
  Report(absl::StrCat("sketched on ", p_, " processes"));

  Clock::time_point t = Clock::now();
  DUBARE_RETURN_IF_ERROR(GroupExact());
  Mark(1);
  std::vector<CandidatePair> candidates;
  DUBARE_RETURN_IF_ERROR(Candidates(&candidates));
  Mark(2);
  stats.group_seconds = SecondsSince(t);

  t = Clock::now();
  DUBARE_RETURN_IF_ERROR(Verify(std::move(candidates)));
  Mark(3);
  stats.verify_seconds = SecondsSince(t);

  t = Clock::now();
  absl::flat_hash_map<uint32_t, uint32_t> label;
  DUBARE_RETURN_IF_ERROR(Components(&label));
  Mark(4);
  DUBARE_RETURN_IF_ERROR(Clusters(label));
  DUBARE_RETURN_IF_ERROR(PairIds());
  Mark(5);
  // Heads too short to judge and without copies: Dedup's rule.
  const size_t sketch_rejected = result_.rejected.size();
  for (uint32_t i = 0; i < n_; ++i) {
    const uint32_t count = input_.sketches.shingle_count[i];
    if (!input_.sketches.ok(i) || head_of_[i] != first_ + i || head_has_copy_[i] ||
        !TooShort(count, options_)) {
      continue;
    }
    result_.fate[i] = DocumentFate::kRejected;
    result_.rejected.push_back({i, "too_short", TooShortDetail(count, options_)});
    ++rejected;
  }
  if (result_.rejected.size() != sketch_rejected) {
    std::sort(result_.rejected.begin(), result_.rejected.end(),
              [](const DedupRejection& x, const DedupRejection& y) { return x.doc < y.doc; });
  }
  uint64_t duplicates = 0;
  for (DocumentFate f : result_.fate) duplicates += f == DocumentFate::kDuplicate;
  DUBARE_ASSIGN_OR_RETURN(const std::vector<uint64_t> sums, AllSum(comm_, {rejected, duplicates}));
  DUBARE_ASSIGN_OR_RETURN(const std::vector<uint64_t> bytes,
                          AllSum(comm_, std::vector<uint64_t>(stage_bytes_.begin(), stage_bytes_.end())));
  for (size_t i = 0; i < bytes.size(); ++i) result_.bytes_by_stage.emplace_back(kStages[i], bytes[i]);
  stats.documents = total_;
  stats.rejected = sums[0];
  stats.duplicates = sums[1];
  stats.kept = total_ - sums[0] - sums[1];
  stats.cluster_seconds = SecondsSince(t);
  stats.sketch_seconds = 0;
  (void)start;
  result_.ids = std::move(input_.ids);
  Report(absl::StrCat(stats.clusters, " clusters after ", result_.label_rounds,
                      " rounds of label propagation"));
  return std::move(result_);
}

}  // namespace

absl::StatusOr<ShardResult> DedupShards(Communicator& comm, ShardInput input,
                                        const DedupOptions& options, ProgressCallback progress,
                                        RefusedId* refused) {
  DUBARE_RETURN_IF_ERROR(options.Validate());
  if (options.method != DedupMethod::kMinHash) {
    return absl::UnimplementedError(absl::StrCat(
        "method ", DedupMethodName(options.method), " does not run across processes (use minhash)"));
  }
  if (options.duplicate_ids == DuplicateIds::kRename && comm.size() > 1) {
    return absl::UnimplementedError(
        "--duplicate-ids rename does not run across processes: a repeat's new name depends on "
        "every earlier id");
  }
  DUBARE_RETURN_IF_ERROR(options.sketch.CheckCompatible(input.sketches.params));
  ShardRun run(comm, std::move(input), options, std::move(progress));
  return run.Run(refused);
}

}  // namespace dubare
