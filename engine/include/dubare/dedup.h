// Copyright 2026 The Dubare Authors.
//
// dedup.h: near-duplicate removal over documents held in memory: texts in,
// clusters, verified pairs and the kept documents out.
//
// The engine runs six stages with plain data between them; each is also a
// public function, so that a caller can run them one by one, or on different
// machines (a SketchBatch serializes with its parameters):
//
//   sketch      texts -> SketchBatch (MinHash signatures, SimHash
//               fingerprints, shingle sets when verification needs them;
//               SketchTexts in sketch.h)
//   exact       identical match keys -> one head per key; only heads go on,
//               the copies join their head with score 1 (GroupExactCopies)
//   band keys   signatures -> one 64-bit key per band (ComputeBandKeys, lsh.h)
//   candidates  band keys -> candidate pairs (FindCandidates, lsh.h)
//   verify      candidate pairs -> scored pairs at or above the threshold
//               (VerifyCandidates)
//   cluster     scored pairs -> clusters with a representative chosen by
//               KeepPolicy (BuildClusters)
//
// Dedup() runs them all over a span of documents; a Deduper takes documents
// in batches as they arrive (a crawler, a Python iterator) and sketches them
// on worker threads while the caller fetches the next batch; it holds the
// sketches, ids and lengths, never the texts. Nothing here touches a file, a
// terminal or a directory: reading inputs and writing an output directory is
// the jobs layer's (dubare/jobs.h).
//
// Every document ends in the result exactly once: kept, a duplicate of its
// cluster's representative, or rejected (a text with no word left after
// normalization; invalid UTF-8). Results do not depend on the number of
// threads.
//
// Ownership: inputs are views the caller keeps alive for the call (a Deduper
// copies what it keeps); results are owned values.
// Thread safety: the free functions are reentrant and start and join their
// own threads. A Deduper is thread-compatible: one caller at a time; it owns
// worker threads, joined by Finish() or its destructor.

#ifndef DUBARE_DEDUP_H_
#define DUBARE_DEDUP_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "dubare/lsh.h"
#include "dubare/progress.h"
#include "dubare/sketch.h"

namespace dubare {

enum class DedupMethod : uint8_t {
  kMinHash = 0,  // MinHash LSH, threshold on (estimated) Jaccard
  kSimHash = 1,  // SimHash permuted tables, Hamming distance <= hamming
};
absl::string_view DedupMethodName(DedupMethod method);  // "minhash", "simhash"
absl::StatusOr<DedupMethod> ParseDedupMethod(absl::string_view name);

// Which member of a cluster is kept.
struct KeepPolicy {
  enum class Kind : uint8_t {
    kFirst = 0,     // the first in input order
    kLongest = 1,   // the longest text (bytes); ties: smaller id
    kEarliest = 2,  // the smallest value of `field` compared as a string
                    // (ISO dates sort right); ties: smaller id
  };
  Kind kind = Kind::kFirst;
  std::string field;  // kEarliest only: a JSON field (dotted path allowed)

  // "first", "longest", "earliest:FIELD"; and back.
  static absl::StatusOr<KeepPolicy> Parse(absl::string_view text);
  std::string ToString() const;
};

// What the keep policy looks at, per document.
struct KeepKey {
  uint32_t index = 0;      // input order
  uint64_t length = 0;     // text bytes
  absl::string_view id;
  absl::string_view field; // value of KeepPolicy::field
};

// The member of `members` that `policy` keeps; members is not empty.
// Returns its position in `members`.
size_t ChooseRepresentative(const KeepPolicy& policy, absl::Span<const KeepKey> members);

// Which rule made a pair a duplicate.
enum class PairRule : uint8_t {
  kJaccard = 0,      // the Jaccard similarity (estimate or exact) reached the threshold
  kContainment = 1,  // the shorter text's share in the longer reached its threshold
  kExactCopy = 2,    // identical match keys (GroupExactCopies), before LSH
  kSimHash = 3,      // SimHash fingerprints within the Hamming distance
};
// "jaccard", "containment", "exact_copy", "simhash"
absl::string_view PairRuleName(PairRule rule);

// A verified pair: documents a < b, the score that made it a duplicate, both
// similarities (estimates or exact, per VerifyMode) and the rule that
// decided.
struct ScoredPair {
  uint32_t a = 0;
  uint32_t b = 0;
  double score = 0;
  double jaccard = 0;
  // The share of the shorter text's shingles in the longer's.
  double containment = 0;
  PairRule rule = PairRule::kJaccard;
  friend bool operator==(const ScoredPair&, const ScoredPair&) = default;
};

// The pair of an exact copy and the first document with its match key:
// score, Jaccard and containment 1, rule kExactCopy.
ScoredPair ExactCopyPair(uint32_t head, uint32_t copy);

// Connected components of the pair graph over documents [0, num_docs), by
// union-find. Returns, for each document, the smallest document index in its
// component (itself when it has no pair): a label independent of pair order.
std::vector<uint32_t> ConnectedComponents(size_t num_docs, absl::Span<const ScoredPair> pairs);

// Two documents with one id.
enum class DuplicateIds : uint8_t {
  kError,   // Add fails (kInvalidArgument) naming both documents
  kRename,  // the later ones become "ID~2", "ID~3", ... (DedupResult::renamed)
};
absl::string_view DuplicateIdsName(DuplicateIds d);  // "error", "rename"
absl::StatusOr<DuplicateIds> ParseDuplicateIds(absl::string_view name);

// The engine's parameters. Plain data; every default is the CLI's.
struct DedupOptions {
  // Normalization, shingles, MinHash method and K (num_perm 64..1024).
  SketchParams sketch;
  DedupMethod method = DedupMethod::kMinHash;
  // Similarity a pair needs to be a duplicate: Jaccard (estimate/exact) or
  // containment, per `verify`. The default is the project-wide one of
  // sketch.h (0.4), which gives F1 > 0.99 on the synthetic corpus.
  double threshold = kDefaultJaccardThreshold;
  // Explicit LSH bands and rows; both 0 = chosen by ChooseLshParams.
  uint32_t bands = 0;
  uint32_t rows = 0;
  int hamming = kDefaultSimHashMaxDistance;  // SimHash: maximal Hamming distance
  // The default judges a pair by MinHash estimates alone: its Jaccard, or
  // else the containment of the shorter text in the longer (a story inside a
  // round-up). On the re-publication evaluation (tests/eval) it gives
  // precision 1.0, recall 0.995 against 0.90 for the Jaccard estimate alone,
  // at the same memory.
  VerifyMode verify = VerifyMode::kEstimateOrContainment;
  // The shortest text that containment looks for, as a share of the longer
  // text's shingles. estimate+containment does not judge shorter ones by
  // containment: their estimate rests on about 128·ratio signature slots
  // (K = 128), too few to tell. The round-ups of the evaluation hold stories
  // of 0.09 of their length; a ratio of 0.15 missed them.
  double containment_ratio = 0.08;
  // The combined modes (estimate+containment, jaccard+containment): a pair
  // whose Jaccard is under `threshold` is still a duplicate when this
  // fraction of the smaller text's shingles are in the larger. 0.85 rather
  // than 0.8 removes the evaluation's false pairs at the same recall.
  double containment_threshold = 0.85;
  // The combined modes search twice: bands for `threshold`, and containment
  // bands (0 = chosen for the Jaccard of a text contained at
  // containment_threshold in one 1/containment_ratio as long, at least two
  // rows each) whose pairs are candidates only when the smaller document has
  // at most containment_band_ratio of the larger's shingles.
  uint32_t containment_bands = 0;
  uint32_t containment_rows = 0;
  double containment_band_ratio = 0.6;
  // A document with fewer shingles cannot be judged: a text of n shingles
  // moves its Jaccard by 1/n per shingle, so under 3 one word pair decides
  // (at word:2, a text of 1 to 3 words). It takes no part in LSH; alone it is
  // rejected as "too_short", with identical copies (same match key) it heads
  // their cluster as any exact copy does. 1 judges every document.
  uint32_t min_shingles = 3;
  KeepPolicy keep;
  uint32_t max_bucket_size = 512;  // see CandidateOptions
  int threads = 0;                 // 0 = all cores
  // Ids name documents in every output, so two documents never share one.
  DuplicateIds duplicate_ids = DuplicateIds::kError;

  absl::Status Validate() const;
  // The LSH layout these options use (MinHash): bands x rows when given,
  // else ChooseLshParams for the threshold (or, for containment, the Jaccard
  // of a text contained at the threshold in one 1/containment_ratio as long,
  // at least two rows per band; in the combined modes, the lower of the
  // threshold and the Jaccard of texts closer in size than
  // containment_band_ratio contained at containment_threshold). A threshold
  // of 1 is searched with the layout for 0.99.
  absl::StatusOr<LshParams> ResolveLsh() const;
  // Whether the search adds the size-filtered containment bands (the
  // combined verify modes), and their layout.
  bool UsesContainmentBands() const;
  absl::StatusOr<LshParams> ResolveContainmentLsh() const;
  // What the sketch stage must produce for these options.
  SketchBatchOptions SketchOptions() const;
};

// ---- Stages ------------------------------------------------------------------

// Whether a document of `shingle_count` shingles is under options.min_shingles,
// and the detail its "too_short" rejection gives.
bool TooShort(uint32_t shingle_count, const DedupOptions& options);
std::string TooShortDetail(uint32_t shingle_count, const DedupOptions& options);

// The features of one sketched document that a score may use, from a batch.
DocumentFeatures FeaturesOf(const SketchBatch& batch, size_t doc);

// Scores every candidate (documents index `batch`) and keeps those at or
// above options.threshold (SimHash estimates: every candidate, already
// within options.hamming). Sorted like the candidates.
std::vector<ScoredPair> VerifyCandidates(const SketchBatch& batch,
                                         absl::Span<const CandidatePair> candidates,
                                         const DedupOptions& options);

// One member of a cluster and its score against the representative (1 for
// the representative itself).
struct ClusterMember {
  uint32_t doc = 0;
  double score = 0;
  friend bool operator==(const ClusterMember&, const ClusterMember&) = default;
};

struct Cluster {
  uint32_t representative = 0;          // the kept document
  std::vector<ClusterMember> members;   // every member, representative included, by index
  friend bool operator==(const Cluster&, const Cluster&) = default;
};

// Documents a and b of `batch` scored under options.verify (SimHash
// estimates: SimHashSimilarity), whether or not they are duplicates.
ScoredPair JudgePair(const SketchBatch& batch, uint32_t a, uint32_t b, const DedupOptions& options);

// JudgePair's score.
double ScoreDocuments(const SketchBatch& batch, uint32_t a, uint32_t b, const DedupOptions& options);

// Documents of `batch` with identical match keys (SketchBatch::key_hash):
// one shingle set, so one of them (the head) stands for all in candidates
// and verification.
struct ExactGroups {
  std::vector<uint32_t> heads;    // the first document of each key, increasing
  std::vector<uint32_t> head_of;  // per document: the first with its key
};
ExactGroups GroupExactCopies(const SketchBatch& batch, int threads = 1);

// Clusters of two or more documents of `batch` (keys[i] describes document
// i), ordered by their smallest member, each with the representative
// options.keep chooses and every member's score against it.
std::vector<Cluster> BuildClusters(const SketchBatch& batch, absl::Span<const ScoredPair> pairs,
                                   absl::Span<const KeepKey> keys, const DedupOptions& options);

// ---- The whole run -------------------------------------------------------------

// A document to deduplicate; the views live for the call that takes them.
struct DedupInput {
  absl::string_view id;
  absl::string_view text;
  // The keep policy's field (KeepPolicy::kEarliest), e.g. a date.
  absl::string_view keep_value;
};

// What happened to one document.
enum class DocumentFate : uint8_t { kKept = 0, kDuplicate = 1, kRejected = 2 };
absl::string_view DocumentFateName(DocumentFate fate);  // "kept", "duplicate", "rejected"

struct DedupRejection {
  uint32_t doc = 0;    // document index
  std::string reason;  // "no_words", "sketch_error", "too_short"
  std::string detail;
};

struct DedupStats {
  uint64_t documents = 0;  // documents given
  uint64_t rejected = 0;   // of which not sketched
  uint64_t kept = 0;       // sketched documents minus duplicates
  uint64_t duplicates = 0;
  // Of the sketched documents, those whose match key equals an earlier one's
  // (grouped by GroupExactCopies, not by LSH).
  uint64_t exact_duplicates = 0;
  uint64_t clusters = 0;   // clusters of two or more documents
  uint64_t candidate_pairs = 0;
  uint64_t verified_pairs = 0;
  uint64_t capped_buckets = 0;
  uint32_t bands = 0, rows = 0;  // LSH layout used (MinHash)
  int threads = 0;
  double sketch_seconds = 0, group_seconds = 0, verify_seconds = 0, cluster_seconds = 0;
};

struct DedupResult {
  // Verified pairs, sorted by (a, b); indices are document indices.
  std::vector<ScoredPair> pairs;
  // Clusters of two or more documents, ordered by their smallest member.
  std::vector<Cluster> clusters;
  // Per document.
  std::vector<DocumentFate> fate;
  // For each duplicate, the index of its cluster in `clusters`; -1 otherwise.
  std::vector<int32_t> cluster_of;
  std::vector<DedupRejection> rejected;  // by document index
  // DuplicateIds::kRename: the documents whose id was taken, with the id
  // they came with (their new one is Deduper::id()).
  struct Renamed {
    uint32_t doc = 0;
    std::string original_id;
  };
  std::vector<Renamed> renamed;
  DedupStats stats;
};

// Streams documents in; see the file comment.
class Deduper {
 public:
  // Errors: options that do not Validate().
  static absl::StatusOr<std::unique_ptr<Deduper>> Create(const DedupOptions& options,
                                                         ProgressCallback progress = nullptr);
  ~Deduper();
  Deduper(const Deduper&) = delete;
  Deduper& operator=(const Deduper&) = delete;

  // Queues documents for sketching (copying their texts) and returns; blocks
  // while the workers are 2 batches per thread behind. Documents are
  // numbered in the order they are added, from 0.
  absl::Status Add(absl::Span<const DedupInput> docs);
  // The same, taking the texts (no copy); texts, ids and keep_values have
  // equal sizes (keep_values may be empty).
  absl::Status Add(std::vector<std::string> ids, std::vector<std::string> texts,
                   std::vector<std::string> keep_values = {});
  // Documents sketched elsewhere: `batch` must have been made with these
  // options' sketch parameters (kFailedPrecondition naming the first that
  // differs) and the features they need; ids (and keep_values, when the
  // policy reads them) have batch.size() entries.
  absl::Status AddSketched(SketchBatch batch, std::vector<std::string> ids,
                           std::vector<std::string> keep_values = {});

  // Documents added so far.
  size_t size() const;
  const std::string& id(size_t doc) const;
  // After Add or AddSketched failed on a repeated id (DuplicateIds::kError):
  // the id, the earlier document with it and the refused one, numbered as
  // if the failed call had been taken (it added nothing).
  struct DuplicateId {
    std::string id;
    uint32_t first = 0;
    uint32_t second = 0;
  };
  const std::optional<DuplicateId>& refused_duplicate() const;

  // Waits for the sketches, then groups, verifies and clusters. Call once;
  // the Deduper keeps its ids (id()) for the caller's output.
  absl::StatusOr<DedupResult> Finish();

 private:
  struct Impl;
  explicit Deduper(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The whole run over documents in memory.
absl::StatusOr<DedupResult> Dedup(absl::Span<const DedupInput> docs, const DedupOptions& options,
                                  ProgressCallback progress = nullptr);

}  // namespace dubare

#endif  // DUBARE_DEDUP_H_
