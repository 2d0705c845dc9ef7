// Copyright 2026 The Dubare Authors.
//
// passages.h: repeated passages inside and across documents.
//
// FindPassages() reports every pair of passages -- in one document or in two
// -- whose match-key text is similar, with their exact spans in the original
// input, and the boilerplate that recurs in very many documents. Passages are
// not tied to sentence or paragraph boundaries.
//
// How (docs/passages.md has the details and the measurements):
//   1. Anchors. Each document is normalized to its match key; its character
//      k-grams (code points, white space skipped, so joined and split
//      compounds agree) are hashed and winnowed. A posting list per
//      fingerprint gives the anchor pairs; fingerprints found in
//      boilerplate_min_docs documents or more are not anchors, they mark
//      boilerplate instead. Work grows with the corpus, not with its square.
//   2. Chains. The anchors of one document pair are chained along diagonals
//      (small gaps, bounded drift).
//   3. Alignment. Each chain is aligned word by word inside a band around it
//      (banded Smith-Waterman: respellings, split compounds, inserted and
//      changed words), which puts the boundaries on the right words; the
//      pieces of a chain that the alignment leaves out are aligned again.
//   4. A match is kept when both passages have min_words words in common
//      and their word similarity reaches min_similarity. Inside one document, a passage
//      is never matched with itself or with a passage that overlaps it.
//
// Ownership: the caller owns the document texts; results refer to documents
// by their index in the input and to text by byte offsets.
//
// Thread safety: FindPassages is reentrant; it runs options.threads workers
// internally.

#ifndef DUBARE_PASSAGES_H_
#define DUBARE_PASSAGES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "dubare/normalize.h"
#include "dubare/progress.h"

namespace dubare {

struct PassageOptions {
  // Both passages of a match have at least this many words (of the match
  // key) in common with the other. Shorter shared runs are formulaic
  // phrases, not passages.
  int min_words = 12;
  // Word similarity of the two passages, in [0, 1]: matched words of both
  // sides over all their words, a spelling variant counting 3/4 and a
  // compound joined on one side and split on the other counting in full.
  double min_similarity = 0.5;
  // A passage found in at least this many documents is reported once as
  // boilerplate with its count, not as pairs.
  int boilerplate_min_docs = 20;

  // Anchors: character k-grams of this many code points, winnowed with this
  // window (any shared run of anchor_chars + winnow_window - 1 characters
  // shares an anchor).
  int anchor_chars = 13;
  int winnow_window = 8;
  // Anchors of one pair chain when they are at most this many words apart.
  int max_gap_words = 20;
  // Half-width, in words, of the alignment band around a chain; it bounds
  // the drift between the two copies (inserted or deleted words).
  int band_words = 8;
  // A chain needs this many anchors (over at least half of min_words words)
  // to be aligned.
  int min_chain_anchors = 3;

  // Worker threads; 0 = one per hardware thread.
  int threads = 0;
  // How the normalizer treats invalid UTF-8 (readers already reject it).
  InvalidUtf8Policy on_invalid = InvalidUtf8Policy::kError;

  // kInvalidArgument naming the first bad field.
  absl::Status Validate() const;
};

// One side of a match.
struct PassageSpan {
  uint32_t doc = 0;   // index of the document in the input
  ByteSpan bytes;     // UTF-8 byte offsets into the document's original text
  uint32_t words = 0;  // match-key words in the passage
};

// Display classes of the aligned words of a match.
enum class DiffKind : uint8_t {
  kSame,     // identical original text
  kVariant,  // the same words under the match key, spelled differently
  kChanged,  // substituted, inserted or deleted words
};

// A run of words of one kind: `a` in the first passage, `b` in the second
// (for kChanged one of them may be empty, placed where the other would be).
struct DiffSegment {
  DiffKind kind = DiffKind::kSame;
  ByteSpan a, b;
};

struct PassageMatch {
  PassageSpan a, b;  // a.doc <= b.doc; within one document a comes first
  double similarity = 0;
  std::vector<DiffSegment> diff;  // in text order, inside the two spans
};

// A passage found in boilerplate_min_docs documents or more.
struct Boilerplate {
  PassageSpan example;       // its occurrence in the lowest-numbered document
  uint32_t documents = 0;    // documents holding it
  uint32_t occurrences = 0;  // occurrences in all of them
};

struct PassageStats {
  uint64_t documents = 0;
  uint64_t words = 0;          // match-key words in all documents
  uint64_t fingerprints = 0;   // winnowed anchors kept
  uint64_t anchor_pairs = 0;   // shared fingerprints between two positions
  uint64_t doc_pairs = 0;      // document pairs with a chain worth aligning
  uint64_t chains = 0;         // chains aligned
  uint64_t cells = 0;          // alignment cells evaluated
  // Wall time of the stages, in seconds.
  double fingerprint_seconds = 0;  // normalize, k-grams, winnow
  double posting_seconds = 0;      // sort, anchor pairs, boilerplate
  double words_seconds = 0;        // word keys of the documents that take part
  double align_seconds = 0;        // chains, alignments, diffs
};

struct PassageResult {
  // Grouped by document pair (a.doc, b.doc) in increasing order; within a
  // pair, longest first.
  std::vector<PassageMatch> matches;
  // Most documents first.
  std::vector<Boilerplate> boilerplate;
  PassageStats stats;
};

// Finds the repeated passages of `texts` (UTF-8). Empty texts are fine.
// Errors: bad options; invalid UTF-8 under kError, naming the document index
// and the byte offset.
// `progress`, when set, is called from the calling thread with the stage
// ("fingerprinting", "matching fingerprints", "aligning document pairs") and
// its items done and expected, never with finished = true: the caller's run
// goes on after this stage.
absl::StatusOr<PassageResult> FindPassages(absl::Span<const absl::string_view> texts,
                                           const PassageOptions& options = PassageOptions(),
                                           const ProgressCallback& progress = nullptr);

}  // namespace dubare

#endif  // DUBARE_PASSAGES_H_
