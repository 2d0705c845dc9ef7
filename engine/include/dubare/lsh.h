// Copyright 2026 The Dubare Authors.
//
// lsh.h: candidate generation for near-duplicate search, and the scores that
// verify candidates.
//
// MinHash LSH splits each K-value signature into `bands` bands of `rows`
// values (bands * rows <= K; trailing values are unused). Each band becomes a
// 64-bit band key; two documents are candidates when any band key is equal.
// A pair with Jaccard similarity s becomes a candidate with probability
// P(s) = 1 - (1 - s^rows)^bands. OptimalLshParams picks bands and rows for a
// threshold t by minimising
//     w_fp * ∫_0^t P(s) ds  +  w_fn * ∫_t^1 (1 - P(s)) ds
// over all bands * rows <= K, the criterion datasketch's MinHashLSH uses
// (default weights 0.5 / 0.5).
//
// SimHash search finds all pairs of 64-bit fingerprints within Hamming
// distance k with permuted tables (Manku, Jain, Das Sarma 2007): the 64 bits
// are split into m >= k+1 blocks; two fingerprints within distance k agree
// exactly on at least m-k blocks, so one table per choice of m-k blocks,
// keyed by those blocks' bits, finds every such pair.
//
// The band key function and LshParams are a persisted format (the SQLite
// index of issue 6 stores band keys): any change to BandKey's output must bump
// LshParams::kBandKeyVersion.
//
// Candidate generation is sort-based: for each band (or SimHash table) the
// (key, document) tuples are sorted and equal keys form buckets. Results are
// sorted and unique, so they are the same for any thread count.
//
// This is a stage of its own (engine/src/lsh): the index links it without
// the dedup engine.
//
// Ownership: functions take spans the caller owns and return owned vectors.
// Thread safety: free functions without shared state; ComputeBandKeys,
// FindCandidates and FindSimHashCandidates start and join their own workers.

#ifndef DUBARE_LSH_H_
#define DUBARE_LSH_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace dubare {

// ---- Parameters ------------------------------------------------------------

struct LshParams {
  // Version of BandKey(); stored beside persisted band keys.
  static constexpr uint32_t kBandKeyVersion = 1;

  uint32_t band_key_version = kBandKeyVersion;
  uint32_t bands = 0;
  uint32_t rows = 0;
  uint64_t seed = 0x6473686c;  // seeds the band key hash (any fixed value)

  // kInvalidArgument unless bands, rows >= 1, bands * rows <= num_perm and the
  // version is known.
  absl::Status Validate(uint32_t num_perm) const;
  // A stable one-line form, "lsh1 bands=16 rows=8 seed=1685285996", and back.
  std::string ToString() const;
  static absl::StatusOr<LshParams> Parse(absl::string_view text);
  friend bool operator==(const LshParams&, const LshParams&) = default;
};

// Weights of the two error areas minimised by OptimalLshParams.
struct LshWeights {
  double false_positive = 0.5;
  double false_negative = 0.5;
};

// Probability that a pair with Jaccard similarity s shares at least one band.
double CandidateProbability(double s, uint32_t bands, uint32_t rows);

// ∫_0^t P(s) ds and ∫_t^1 (1 - P(s)) ds, by adaptive Simpson quadrature
// (tested to 1e-6 against the midpoint rule with 20,000 steps).
double FalsePositiveArea(double threshold, uint32_t bands, uint32_t rows);
double FalseNegativeArea(double threshold, uint32_t bands, uint32_t rows);

// The bands and rows (bands * rows <= num_perm) minimising the weighted error
// for `threshold` in (0, 1). Ties go to the smaller bands, then smaller rows.
absl::StatusOr<LshParams> OptimalLshParams(double threshold, uint32_t num_perm,
                                           const LshWeights& weights = LshWeights());

// The one rule that picks the layout of a search at `threshold` (dedup and
// the index both call it): `given` when it names bands and rows (checked
// against num_perm), else `given` with the bands and rows of
// OptimalLshParams(threshold, num_perm). Giving only one of them is an error.
absl::StatusOr<LshParams> ChooseLshParams(double threshold, uint32_t num_perm,
                                          LshParams given = LshParams());

// ---- Band keys -------------------------------------------------------------

// Key of band `band` of a signature: XXH3-64 of the band's `rows` values as
// little-endian uint32, seeded with params.seed + band. Version 1.
uint64_t BandKey(absl::Span<const uint32_t> signature, uint32_t band, const LshParams& params);

// All params.bands keys of one signature into out[0..bands).
void BandKeys(absl::Span<const uint32_t> signature, const LshParams& params,
              absl::Span<uint64_t> out);

// The band-key matrix of `num_docs` signatures of `num_perm` values each
// (row-major, as FindCandidates takes it), on `threads` workers (0 = all
// cores).
std::vector<uint64_t> ComputeBandKeys(absl::Span<const uint32_t> signatures, uint32_t num_perm,
                                      const LshParams& params, int threads = 1);
// The same for the signatures `docs[0], docs[1], ...` only (row i of the
// result is docs[i]'s), without copying them out first.
std::vector<uint64_t> ComputeBandKeys(absl::Span<const uint32_t> signatures, uint32_t num_perm,
                                      absl::Span<const uint32_t> docs, const LshParams& params,
                                      int threads = 1);
// The same written to out[0, docs.size() * params.bands): a caller that
// bands twice (dedup's containment bands) reuses one buffer, its pages
// touched once and never zeroed first.
void ComputeBandKeys(absl::Span<const uint32_t> signatures, uint32_t num_perm,
                     absl::Span<const uint32_t> docs, const LshParams& params, int threads,
                     absl::Span<uint64_t> out);

// ---- Candidate generation --------------------------------------------------

// Two documents, by index, with a < b.
struct CandidatePair {
  uint32_t a = 0;
  uint32_t b = 0;
  friend bool operator==(const CandidatePair&, const CandidatePair&) = default;
  friend auto operator<=>(const CandidatePair&, const CandidatePair&) = default;
};

struct CandidateOptions {
  // A bucket with more documents than this (thousands of copies of one
  // boilerplate text, or an empty band) would give a quadratic number of
  // pairs; it gives a star instead: its smallest document paired with each
  // other member. Clusters stay connected; only pairs among the members
  // themselves are not reported.
  uint32_t max_bucket_size = 512;
  int threads = 1;  // worker threads (0 = all cores); results do not depend on it
  // When not empty (one size per document): a pair is a candidate only when
  // its smaller size is at most max_size_ratio times its larger. Containment
  // bands use it to look only at a short text and a longer one.
  absl::Span<const uint32_t> sizes;
  double max_size_ratio = 1.0;
};

struct CandidateStats {
  uint64_t buckets = 0;         // buckets with two or more documents
  uint64_t capped_buckets = 0;  // of which larger than max_bucket_size
  uint64_t raw_pairs = 0;       // pairs emitted before removing repeats
};

// Candidate pairs of a band-key matrix: band_keys holds num_docs rows of
// `bands` keys (row-major; document i's keys at [i*bands, (i+1)*bands)).
// Documents are candidates when they share a key in the same band. Returns
// sorted, unique pairs.
std::vector<CandidatePair> FindCandidates(absl::Span<const uint64_t> band_keys, uint32_t bands,
                                          const CandidateOptions& options = CandidateOptions(),
                                          CandidateStats* stats = nullptr);

// The same pairs for signatures given in place (signatures[i] points at
// document i's values, at least params.bands * params.rows of them) banded
// by `params`, with each band's keys computed as its table is grouped and
// never stored: no band-key matrix (8 bytes per band per document: 0.5 GB
// at a million documents and 64 bands), and no copy of the signatures into
// one array. Equals FindCandidates of their ComputeBandKeys matrix.
std::vector<CandidatePair> FindCandidates(absl::Span<const uint32_t* const> signatures,
                                          const LshParams& params,
                                          const CandidateOptions& options = CandidateOptions(),
                                          CandidateStats* stats = nullptr);

// One band key of one document: what candidate search across processes
// exchanges (each process owns a slice of the key space).
struct BandTuple {
  uint64_t key = 0;
  uint32_t band = 0;
  uint32_t doc = 0;
};

// The candidate pairs of the buckets the tuples form, equal (band, key)
// being one bucket, by FindCandidates' rules (the cap, the star): given
// every tuple of some buckets, it returns exactly the pairs FindCandidates
// finds in those buckets. Sorted and unique.
std::vector<CandidatePair> FindCandidatesInTuples(std::vector<BandTuple> tuples,
                                                  const CandidateOptions& options = CandidateOptions(),
                                                  CandidateStats* stats = nullptr);

struct SimHashSearchOptions {
  int max_distance = 3;  // k: report pairs with Hamming distance <= k (0..31)
  // m, the number of blocks; 0 means k + 1 (k + 1 tables keyed by one block).
  // More blocks give longer keys and smaller buckets but C(m, m-k) tables.
  int blocks = 0;
  uint32_t max_bucket_size = 512;  // as in CandidateOptions
  int threads = 1;                 // as in CandidateOptions
};

// All pairs of fingerprints within options.max_distance of each other
// (sorted, unique). Every pair found is checked, so there are no false
// positives; with no capped bucket there are no false negatives either.
absl::StatusOr<std::vector<CandidatePair>> FindSimHashCandidates(
    absl::Span<const uint64_t> fingerprints, const SimHashSearchOptions& options,
    CandidateStats* stats = nullptr);

// ---- Verification ----------------------------------------------------------

enum class VerifyMode : uint8_t {
  kEstimate = 0,     // MinHash Jaccard estimate (or SimHash bit agreement)
  kExact = 1,        // exact Jaccard of the shingle sets
  kContainment = 2,  // max(|A∩B|/|A|, |A∩B|/|B|) of the shingle sets
  // Exact Jaccard, or the containment of the smaller set in the larger when
  // that reaches its own threshold (DedupOptions::containment_threshold): a
  // copy whatever was cut or added, and a story reprinted inside a longer
  // one. ScorePair gives the Jaccard; the dedup engine applies both rules.
  kJaccardOrContainment = 3,
  // The same two rules on MinHash estimates, without shingle sets: the
  // Jaccard estimate, or the containment estimate of CompareSignatures
  // (sketch.h). ScorePair gives the Jaccard estimate; the dedup engine
  // applies both rules.
  kEstimateOrContainment = 4,
};
// "estimate", "exact", "containment", "jaccard+containment",
// "estimate+containment"
absl::string_view VerifyModeName(VerifyMode mode);
absl::StatusOr<VerifyMode> ParseVerifyMode(absl::string_view name);

// What a score may use of one document; spans the caller owns.
struct DocumentFeatures {
  absl::Span<const uint32_t> minhash;   // for kEstimate (MinHash)
  absl::Span<const uint64_t> shingles;  // sorted, unique; for kExact and kContainment
};

// The similarity in [0, 1] that a candidate must reach to be a duplicate.
// kEstimate needs equal-length minhash spans; the others need shingles.
double ScorePair(VerifyMode mode, const DocumentFeatures& a, const DocumentFeatures& b);

// 1 - Hamming(a, b) / 64: the SimHash mode's estimate score.
double SimHashSimilarity(uint64_t a, uint64_t b);

// The Jaccard similarity of two sets when the smaller, `ratio` (ρ <= 1) times
// the size of the larger, has fraction `containment` (c) of its members in
// the larger: c·ρ / (1 + ρ − c·ρ). Containment search tunes its LSH bands for
// this threshold, so it finds texts reprinted inside ones up to 1/ρ as long.
double ContainmentToJaccard(double containment, double ratio);

}  // namespace dubare

#endif  // DUBARE_LSH_H_
