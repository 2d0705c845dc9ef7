// Copyright 2026 The Dubare Authors.
//
// sketch_rows.h (private): a SketchBatch whose MinHash signatures may live
// outside it. The Deduper's workers write each batch of signatures into a
// part of its own; Finish joins the parts' small per-document fields into one
// SketchBatch but leaves the signatures where they are and points at them
// (rows[d] is document d's num_perm values), which saves copying them into
// one array: 10 MB of fresh memory for 20,000 articles, 0.5 GB for a million.
// The public VerifyCandidates, ScoreDocuments and BuildClusters take a
// SketchBatch and call these with its own rows.
//
// Thread safety: read-only views; callers keep the batch and the rows alive.

#ifndef DUBARE_ENGINE_SRC_DEDUP_SKETCH_ROWS_H_
#define DUBARE_ENGINE_SRC_DEDUP_SKETCH_ROWS_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "dubare/dedup.h"
#include "dubare/sketch.h"

namespace dubare::dedup_internal {

struct SketchRows {
  const SketchBatch& batch;  // everything but the signatures when rows is set
  absl::Span<const uint32_t* const> rows;  // empty: batch.minhash holds them

  absl::Span<const uint32_t> signature(size_t doc) const {
    return rows.empty() ? batch.signature(doc)
                        : absl::MakeConstSpan(rows[doc], batch.params.num_perm);
  }
};

std::vector<ScoredPair> VerifyCandidates(const SketchRows& sketches,
                                         absl::Span<const CandidatePair> candidates,
                                         const DedupOptions& options);
double ScoreDocuments(const SketchRows& sketches, uint32_t a, uint32_t b,
                      const DedupOptions& options);
std::vector<Cluster> BuildClusters(const SketchRows& sketches, absl::Span<const ScoredPair> pairs,
                                   absl::Span<const KeepKey> keys, const DedupOptions& options);

}  // namespace dubare::dedup_internal

#endif  // DUBARE_ENGINE_SRC_DEDUP_SKETCH_ROWS_H_
