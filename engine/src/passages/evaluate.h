// Copyright 2026 The Dubare Authors.
//
// evaluate.h (private): scoring a passage result against passages planted at
// known spans, and the word-level edits a republisher makes to a planted
// passage. Used by the planted-passage test and the benchmark.
//
// Thread safety: free functions.

#ifndef DUBARE_PASSAGES_EVALUATE_H_
#define DUBARE_PASSAGES_EVALUATE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "dubare/passages.h"

namespace dubare::passages_internal {

// Bytes `source` of document `source_doc` reappear, edited, as `copy` of
// document `copy_doc`.
struct TruthPassage {
  uint32_t source_doc = 0;
  ByteSpan source;
  uint32_t copy_doc = 0;
  ByteSpan copy;
};

struct PassageScore {
  size_t truth = 0;     // planted passages
  size_t found = 0;     // planted passages a match covers (min_overlap of both spans)
  size_t reported = 0;  // matches
  size_t correct = 0;   // matches whose two sides are copies of the same source text
  double recall() const { return truth ? double(found) / truth : 1.0; }
  double precision() const { return reported ? double(correct) / reported : 1.0; }
};

// A planted passage is found when one match covers at least min_overlap of
// its source span and of its copy span. A match is correct when at least
// min_overlap of each of its sides lies in planted spans and the two sides,
// mapped back to source coordinates, overlap in the same source document
// (two copies of one source are correct too).
PassageScore ScorePassages(absl::Span<const TruthPassage> truth,
                           absl::Span<const PassageMatch> matches, double min_overlap = 0.5);

struct EditRates {
  double substitute = 0.04;  // a word replaced by a word from elsewhere in the text
  double remove = 0.03;      // a word dropped
  double insert = 0.03;      // a word added
  double compound = 0.5;     // a prefix (لە, بە, و) joined to or split from its word
  double paragraph = 0.3;    // a sentence end followed by a paragraph break
};

// Edits the words of (*text)[*span] the way republishers do and moves
// span->end so the span covers the edited passage. Deterministic in `seed`.
void EditPassage(std::string* text, ByteSpan* span, uint64_t seed,
                 const EditRates& rates = EditRates());

}  // namespace dubare::passages_internal

#endif  // DUBARE_PASSAGES_EVALUATE_H_
