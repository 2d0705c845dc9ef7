// Copyright 2026 The Dubare Authors.
//
// dedup.h: near-duplicate removal for a corpus, from input files to a clean
// corpus, clusters and pairs on disk.
//
// RunDedup runs five stages with plain data between them, so that each can
// later run on its own or be sharded:
//
//   read+sketch  documents -> MinHash signatures / SimHash fingerprints
//                (parallel over batches; rejections recorded in input order)
//   band keys    signatures -> one 64-bit key per band (lsh.h)
//   group        band keys -> candidate pairs (sort-based, lsh.h)
//   verify       candidate pairs -> scored pairs at or above the threshold
//   cluster      scored pairs -> clusters (union-find) with a representative
//                chosen by KeepPolicy
//
// Every unit of input ends in the output exactly once: kept (in the kept
// corpus), a duplicate (in duplicates.tsv and in its cluster), or rejected
// (rejected.tsv, with its reason). The output does not depend on the number
// of threads. The files written into DedupOptions::out_dir are described in
// docs/dedup.md.
//
// Ownership: RunDedup owns everything it allocates; the caller owns options.
// Thread safety: the free functions are reentrant; RunDedup starts and joins
// its own worker threads.

#ifndef DUBARE_DEDUP_H_
#define DUBARE_DEDUP_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "dubare/lsh.h"
#include "dubare/reader.h"
#include "dubare/shingle.h"
#include "dubare/sketch.h"

namespace dubare {

enum class DedupMethod : uint8_t {
  kMinHash = 0,  // MinHash LSH, threshold on (estimated) Jaccard
  kSimHash = 1,  // SimHash permuted tables, Hamming distance <= hamming
};
const char* DedupMethodName(DedupMethod method);  // "minhash", "simhash"
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

// A verified pair: documents a < b and their score.
struct ScoredPair {
  uint32_t a = 0;
  uint32_t b = 0;
  double score = 0;
};

// Connected components of the pair graph over documents [0, num_docs), by
// union-find. Returns, for each document, the smallest document index in its
// component (itself when it has no pair): a label independent of pair order.
std::vector<uint32_t> ConnectedComponents(size_t num_docs, absl::Span<const ScoredPair> pairs);

struct DedupOptions {
  ReaderOptions reader;  // input format, id/text fields, glob, strict

  DedupMethod method = DedupMethod::kMinHash;
  // Similarity a pair needs to be a duplicate: Jaccard (estimate/exact) or
  // containment, per `verify`. The default is the project-wide one of
  // sketch.h (0.4), which gives F1 > 0.99 on the synthetic corpus.
  double threshold = kDefaultJaccardThreshold;
  uint32_t num_perm = 128;  // MinHash values per document (64..1024)
  MinHashMethod minhash = MinHashMethod::kClassic;
  // Explicit LSH bands and rows; both 0 = chosen for the threshold by
  // OptimalLshParams with weights 0.5/0.5.
  uint32_t bands = 0;
  uint32_t rows = 0;
  int hamming = kDefaultSimHashMaxDistance;  // SimHash: maximal Hamming distance
  ShingleOptions shingle;
  VerifyMode verify = VerifyMode::kEstimate;
  // Containment only: LSH bands are tuned for the Jaccard similarity of a
  // text contained (at `threshold`) in one 1/containment_ratio as long.
  double containment_ratio = 0.25;
  KeepPolicy keep;
  uint32_t max_bucket_size = 512;  // see CandidateOptions
  int threads = 0;                 // 0 = all cores

  std::string out_dir;      // created if missing
  bool copy_files = false;  // whole-file inputs: copy kept files to out_dir/files/
  bool progress = true;     // progress on stderr (only when it is a terminal)

  absl::Status Validate() const;
};

struct DedupSummary {
  uint64_t inputs = 0;      // units of input: documents + rejected
  uint64_t documents = 0;   // accepted documents
  uint64_t rejected = 0;
  uint64_t kept = 0;        // documents minus duplicates
  uint64_t duplicates = 0;  // removed as a duplicate of a kept document
  uint64_t clusters = 0;    // clusters of two or more documents
  uint64_t candidate_pairs = 0;
  uint64_t verified_pairs = 0;
  uint64_t capped_buckets = 0;
  uint32_t bands = 0, rows = 0;  // LSH parameters used (MinHash)
  double seconds = 0;            // wall time, end to end
  double sketch_seconds = 0, group_seconds = 0, verify_seconds = 0, output_seconds = 0;
  uint64_t peak_rss_bytes = 0;   // getrusage maximum resident set size
  int threads = 0;

  std::string ToJson() const;    // one JSON object, no newline
  std::string ToText() const;    // the lines printed at the end of a run
};

// Reads `inputs` (paths, directories, "-"), removes near-duplicates and
// writes the output files into options.out_dir. Errors: bad options; an
// input path that does not exist; in strict mode the first rejection; an
// output file that cannot be written (named in the message).
absl::StatusOr<DedupSummary> RunDedup(const std::vector<std::string>& inputs,
                                      const DedupOptions& options);

}  // namespace dubare

#endif  // DUBARE_DEDUP_H_
