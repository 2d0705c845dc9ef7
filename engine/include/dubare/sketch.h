// Copyright 2026 The Dubare Authors.
//
// sketch.h: MinHash and SimHash signatures of shingle-hash sets, the exact
// Jaccard reference, and the parameters that make signatures comparable.
//
// A signature means something only beside the parameters that made it: the
// normalizer version and form, the shingle kind and size, the hash seed, the
// MinHash method and K. SketchParams holds all of them, is persisted with every
// stored signature (index files, sketch output) and is checked before two
// signatures are compared: comparing incompatible signatures is an error.
//
// MinHash values are 32-bit (the low 32 bits of a 64-bit permuted hash):
// collisions at 2^-32 do not move a Jaccard estimate, and half the width
// doubles the SIMD throughput and halves storage.
//
// Hot loops use the unchecked span functions (EstimateJaccard on spans);
// API boundaries use the checked Signature forms.
//
// Ownership: signatures own their values; sketchers hold immutable tables.
// Thread safety: const sketchers may be shared between threads.

#ifndef DUBARE_SKETCH_H_
#define DUBARE_SKETCH_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "dubare/normalize.h"
#include "dubare/shingle.h"

namespace dubare {

// Two documents are near-duplicates by default when the Jaccard similarity of
// their shingle sets is at least this (chosen from measurements on edited
// Kurdish republications: docs/sketching.md). Dedup and compare share it.
inline constexpr double kDefaultJaccardThreshold = 0.4;
// SimHash: the Hamming distance at or below which two 64-bit fingerprints
// are called near-duplicates (Manku et al.'s k = 3; see docs/sketching.md for
// why SimHash is not the default method).
inline constexpr int kDefaultSimHashMaxDistance = 3;

enum class MinHashMethod : uint8_t {
  kClassic = 0,  // K independent multiply-shift hash functions
  kOnePerm = 1,  // one-permutation hashing with optimal densification
};
// "classic" / "oneperm", as in flags and SketchParams::ToString.
absl::string_view MinHashMethodName(MinHashMethod method);
absl::StatusOr<MinHashMethod> ParseMinHashMethod(absl::string_view name);

// Everything that must match for two signatures to be comparable.
struct SketchParams {
  static constexpr uint32_t kFormatVersion = 1;

  uint32_t format_version = kFormatVersion;
  uint32_t normalizer_version = kNormalizerVersion;
  bool match_key_keep_spaces = true;  // NormalizeOptions::keep_spaces of the match key
  ShingleOptions shingle;
  MinHashMethod method = MinHashMethod::kClassic;
  uint32_t num_perm = 128;  // K, 64..1024
  uint64_t seed = 1;        // seeds the K hash functions (not the shingle hash)

  absl::Status Validate() const;
  // kFailedPrecondition naming the first field that differs.
  absl::Status CheckCompatible(const SketchParams& other) const;
  // A stable one-line text form, e.g.
  // "v1 norm1 keep_spaces=1 word:2 shingle_seed=0x... minhash=classic k=128 seed=1".
  std::string ToString() const;
  static absl::StatusOr<SketchParams> Parse(absl::string_view text);
  friend bool operator==(const SketchParams&, const SketchParams&) = default;
};

struct MinHashSignature {
  SketchParams params;
  std::vector<uint32_t> values;  // size == params.num_perm
};

class MinHasher {
 public:
  explicit MinHasher(const SketchParams& params);
  ~MinHasher();
  const SketchParams& params() const { return params_; }
  size_t num_perm() const { return params_.num_perm; }

  // Writes num_perm() values for the set `hashes` (duplicates allowed; they
  // do not change the result). An empty set gives all 0xFFFFFFFF.
  void Sketch(absl::Span<const uint64_t> hashes, absl::Span<uint32_t> out) const;
  MinHashSignature Sketch(absl::Span<const uint64_t> hashes) const;

 private:
  struct Impl;
  SketchParams params_;
  std::unique_ptr<Impl> impl_;
};

// Fraction of equal slots; spans must have equal sizes (unchecked hot path).
double EstimateJaccard(absl::Span<const uint32_t> a, absl::Span<const uint32_t> b);
// Checked form: error if the parameters differ.
absl::StatusOr<double> EstimateJaccard(const MinHashSignature& a, const MinHashSignature& b);

// Two signatures compared slot by slot. In a slot where the values differ,
// the smaller is the minimum of A ∪ B, and it lies outside A ∩ B (else both
// would hold it): a_lower counts slots whose minimum is in A \ B, b_lower
// those in B \ A, equal those in A ∩ B. Their shares estimate |A∩B|, |A\B|
// and |B\A| over |A∪B|, so the containment of A in B, |A∩B| / |A|, is
// estimated by equal / (equal + a_lower) without knowing either size
// (Broder 1997; the estimate of a short A is the noisier, its slots being
// fewer). Spans of equal size (unchecked hot path).
struct SignatureOverlap {
  uint32_t equal = 0;
  uint32_t a_lower = 0;
  uint32_t b_lower = 0;
  double jaccard() const;        // equal / slots
  double containment_a() const;  // A in B: equal / (equal + a_lower); 0 when both are 0
  double containment_b() const;  // B in A
};
SignatureOverlap CompareSignatures(absl::Span<const uint32_t> a, absl::Span<const uint32_t> b);

// ---- SimHash ---------------------------------------------------------------

struct SimHashOptions {
  uint64_t seed = 2;
};

// 64-bit SimHash of a multiset of features: each distinct hash is weighted by
// its count (term frequency) unless `weights` is given.
uint64_t SimHash(absl::Span<const uint64_t> features, const SimHashOptions& options = {});
uint64_t SimHashWeighted(absl::Span<const uint64_t> features, absl::Span<const float> weights,
                         const SimHashOptions& options = {});
inline int HammingDistance(uint64_t a, uint64_t b) { return __builtin_popcountll(a ^ b); }

// ---- Exact reference -------------------------------------------------------

// Both inputs must be sorted and unique (see SortUnique).
struct SetOverlap {
  size_t a_size = 0, b_size = 0, intersection = 0;
  double jaccard() const;          // |A∩B| / |A∪B|; 1 when both are empty
  double containment_a() const;    // |A∩B| / |A|: how much of A is in B; 0 if A is empty
  double containment_b() const;    // |A∩B| / |B|; 0 if B is empty
};
SetOverlap ExactOverlap(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b);

// ---- Text to sketch ---------------------------------------------------------

struct SketchBatch;
struct SketchBatchOptions;

// Everything known about one document after sketching.
struct DocumentSketch {
  std::vector<uint64_t> shingles;  // sorted, unique shingle hashes
  std::vector<uint32_t> minhash;   // params.num_perm values
  uint64_t simhash = 0;            // over the shingle multiset
  size_t normalized_bytes = 0;     // size of the match-key text
  size_t num_shingles = 0;         // shingles hashed, repeats included
};

// The whole front end: match-key normalization, shingling, MinHash and
// SimHash, reusing its scratch buffers from call to call.
// Thread-compatible (not thread-safe): use one per thread.
class DocumentSketcher {
 public:
  explicit DocumentSketcher(const SketchParams& params,
                            InvalidUtf8Policy on_invalid = InvalidUtf8Policy::kError);
  ~DocumentSketcher();
  const SketchParams& params() const;
  // Errors are the normalizer's (invalid UTF-8 with its byte offset).
  absl::Status Sketch(absl::string_view text, DocumentSketch* out);
  // The MinHash signature alone, equal to Sketch()'s: a minimum does not
  // see repeated shingles, so this skips SimHash and the sort that makes the
  // shingle set (what the persistent index needs, ~10% less work).
  // *num_shingles (when not null) gets the number of shingles hashed,
  // repeats included: 0 means the text has no word.
  absl::Status SketchMinHash(absl::string_view text, std::vector<uint32_t>* minhash,
                             size_t* num_shingles = nullptr);
  // Appends the sketch of `text` to *batch as its next document, computing
  // only what `options` asks for (batch's params and features must be
  // these and options'; see SketchBatch).
  void AppendTo(absl::string_view text, const SketchBatchOptions& options,
                SketchBatch* batch);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- A batch of sketches: the sketch stage's output -------------------------

// What SketchTexts computes besides the MinHash signatures; anything not
// asked for is not computed.
struct SketchBatchOptions {
  bool simhash = false;       // SimHash fingerprints (SimHash search and its score)
  bool shingle_sets = false;  // sorted unique shingle sets (exact or containment scores)
  int threads = 1;            // 0 = all cores
  InvalidUtf8Policy on_invalid = InvalidUtf8Policy::kError;
};

// The sketches of a batch of documents, with the parameters that made them:
// what the sketch stage hands to grouping, and what travels between
// processes or machines (Encode/Decode). Documents are numbered from 0 in
// the order given; a document that could not be sketched keeps its number,
// with a reason, and a signature row of 0xFFFFFFFF.
struct SketchBatch {
  // Version of Encode()'s byte layout; Decode refuses others.
  // 2: key_hash added. 3: shingle_count added.
  static constexpr uint32_t kEncodingVersion = 3;

  SketchParams params;
  bool has_simhash = false;
  bool has_shingle_sets = false;
  std::vector<uint64_t> text_bytes;                 // per document
  // Per document, 2 words (low, high): XXH3-128 of its match key. Equal
  // values mean identical match keys (a collision needs ~2^64 documents),
  // so identical shingle sets: grouping collapses them before LSH.
  std::vector<uint64_t> key_hash;
  // Per document: shingles hashed, repeats included (0 when rejected). The
  // containment estimate reads the sizes of both sets from it.
  std::vector<uint32_t> shingle_count;
  std::vector<uint32_t> minhash;                    // size() * params.num_perm
  std::vector<uint64_t> simhash;                    // size() when has_simhash
  std::vector<std::vector<uint64_t>> shingle_sets;  // size() when has_shingle_sets
  // Per document: empty when sketched, else why not ("no_words",
  // "sketch_error") and a detail ("invalid UTF-8 at byte offset 17").
  std::vector<std::string> reject_reason;
  std::vector<std::string> reject_detail;

  size_t size() const { return text_bytes.size(); }
  bool ok(size_t doc) const { return reject_reason[doc].empty(); }
  std::pair<uint64_t, uint64_t> key(size_t doc) const {
    return {key_hash[2 * doc], key_hash[2 * doc + 1]};
  }
  absl::Span<const uint32_t> signature(size_t doc) const {
    return absl::MakeConstSpan(minhash).subspan(doc * params.num_perm, params.num_perm);
  }
  // Appends `other`'s documents. kFailedPrecondition when its parameters
  // (CheckCompatible) or its features differ.
  absl::Status Append(SketchBatch other);

  // A self-checking binary form: magic, encoding version, the parameters in
  // their text form, the arrays (little-endian) and an XXH3 checksum.
  std::string Encode() const;
  // kDataLoss naming the byte offset for truncated or damaged bytes;
  // kFailedPrecondition for another encoding version.
  static absl::StatusOr<SketchBatch> Decode(absl::string_view bytes);
};

// Sketches `texts` on options.threads workers; the result does not depend
// on their number. Errors: invalid params. A text that cannot be sketched is
// a rejection inside the batch, not an error.
absl::StatusOr<SketchBatch> SketchTexts(absl::Span<const absl::string_view> texts,
                                        const SketchParams& params,
                                        const SketchBatchOptions& options);

// ---- Comparing two texts ----------------------------------------------------

// Everything `dubare compare` says about two documents.
struct DocumentComparison {
  SketchParams params;
  SetOverlap exact;               // over the unique shingle sets
  double minhash_estimate = 0;    // EstimateJaccard of the two signatures
  int simhash_distance = 0;       // HammingDistance of the SimHash fingerprints
  double threshold = kDefaultJaccardThreshold;
  bool duplicate() const { return exact.jaccard() >= threshold; }
};

// Sketches both texts under `params` and compares them. Errors name which
// input failed by its name ("a.txt: invalid UTF-8 at byte offset 17").
absl::StatusOr<DocumentComparison> CompareDocuments(absl::string_view a, absl::string_view b,
                                                    const SketchParams& params,
                                                    double threshold = kDefaultJaccardThreshold,
                                                    absl::string_view name_a = "first document",
                                                    absl::string_view name_b = "second document");
// ---- Encoding --------------------------------------------------------------

// Little-endian bytes of the values, and back (for storage and JSON/base64).
std::string EncodeValues(absl::Span<const uint32_t> values);
absl::StatusOr<std::vector<uint32_t>> DecodeValues(absl::string_view bytes, size_t expected_count);

}  // namespace dubare

#endif  // DUBARE_SKETCH_H_
