// Copyright 2026 The Dubare Authors.
//
// align.h (private): banded local alignment of two word sequences, the step
// that puts a match's boundaries on the right words.
//
// Words are compared through 32-bit keys of their match-key text (WordKey):
// equal words, spelling variants (equal skeletons: ە/ه dropped, doubled
// letters collapsed), and compounds written as one word on one side and two
// on the other (لەگەڵ / لە گەڵ) all align, with decreasing scores.
// The recurrence is Smith-Waterman with linear gaps and two extra moves for
// joined compounds. Only the cells of a band (per-row column range) are
// evaluated, so the cost is rows × band width, not rows × columns.
//
// Thread safety: free functions; an Aligner keeps scratch buffers and is used
// by one thread.

#ifndef DUBARE_PASSAGES_ALIGN_H_
#define DUBARE_PASSAGES_ALIGN_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace dubare::passages_internal {

struct WordKey {
  uint32_t exact = 0;       // hash of the match-key word
  uint32_t fuzzy = 0;       // hash of its skeleton
  uint32_t join = 0;        // hash of this word and the next written together
  uint32_t join_fuzzy = 0;  // skeleton hash of the same
};

struct AlignScores {
  int equal = 2;
  int variant = 1;        // equal skeletons only
  int join_equal = 3;     // two words on one side = one word on the other
  int join_variant = 2;
  int mismatch = -2;
  int gap = -2;           // per word present on one side only
};

// One step of an alignment: `a` words of A against `b` words of B, with
// (a, b) in {(1,1), (2,1), (1,2), (1,0), (0,1)}.
enum class StepKind : uint8_t { kEqual, kVariant, kChanged };
struct Step {
  uint8_t a = 0;
  uint8_t b = 0;
  StepKind kind = StepKind::kChanged;
  friend bool operator==(const Step&, const Step&) = default;
};

// A local alignment of A[a_begin, a_end) with B[b_begin, b_end); the steps
// cover both ranges in order and start and end with a matching step.
struct Alignment {
  int score = 0;
  uint32_t a_begin = 0, a_end = 0, b_begin = 0, b_end = 0;
  std::vector<Step> steps;
  bool empty() const { return score <= 0; }
};

// The band: for every DP row i in [0, a.size()] the columns [lo[i], hi[i]]
// (inclusive, within [0, b.size()]) are evaluated; lo > hi leaves a row empty.
// Cell (i, j) is the alignment of the prefixes A[0, i) and B[0, j).
struct Band {
  std::vector<uint32_t> lo, hi;
  static Band Full(size_t rows, size_t cols);  // every cell
};

class Aligner {
 public:
  explicit Aligner(const AlignScores& scores = AlignScores()) : scores_(scores) {}

  // The best-scoring local alignment inside the band (the first best cell in
  // row-major order on ties); score 0 and no steps when nothing matches.
  Alignment Align(absl::Span<const WordKey> a, absl::Span<const WordKey> b, const Band& band);

  // Cells evaluated by the last Align call (for statistics).
  uint64_t cells() const { return cells_; }

 private:
  AlignScores scores_;
  std::vector<int32_t> h_;
  std::vector<uint8_t> from_;
  std::vector<uint64_t> row_start_;
  uint64_t cells_ = 0;
};

// Words of A and of B covered by `steps`.
uint32_t WordsA(absl::Span<const Step> steps);
uint32_t WordsB(absl::Span<const Step> steps);

// Similarity of an alignment in [0, 1]: the words of both sides in matching
// steps over all the words of both sides, a spelling variant counting 3/4.
double Similarity(absl::Span<const Step> steps);

// The score of `steps` under `scores`, added up step by step.
int ScoreOf(absl::Span<const Step> steps, const AlignScores& scores = AlignScores());

// The obvious full-matrix version of the same recurrence, for tests.
Alignment AlignReference(absl::Span<const WordKey> a, absl::Span<const WordKey> b,
                         const Band& band, const AlignScores& scores = AlignScores());

}  // namespace dubare::passages_internal

#endif  // DUBARE_PASSAGES_ALIGN_H_
