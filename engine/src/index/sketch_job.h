// Copyright 2026 The Dubare Authors.
//
// sketch_job.h (private): one batch's sketching, handed out in runs of a few
// documents to whichever threads call Work(). Index::Sketch shares a job
// among its worker threads; AddInputs shares each batch's job between the
// threads that read ahead and the database thread, which would otherwise
// wait for the batch (inputs.cc).
//
// Ownership: the job borrows `docs` and writes into `out`; both, and the job
// itself, must outlive every Work() call, not only Wait().
// Thread safety: Work() and Wait() may be called from any threads at once;
// each Work() caller brings its own DocumentSketcher (they hold scratch).

#ifndef DUBARE_INDEX_SKETCH_JOB_H_
#define DUBARE_INDEX_SKETCH_JOB_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "dubare/index.h"
#include "dubare/sketch.h"

namespace dubare::index_internal {

class SketchJob {
 public:
  // `out` is resized to docs.size().
  SketchJob(absl::Span<const IndexDocument> docs, std::vector<SketchedDocument>* out);
  SketchJob(const SketchJob&) = delete;
  SketchJob& operator=(const SketchJob&) = delete;

  // Sketches runs of documents until none is left to take. After a failure,
  // runs still untaken are skipped.
  void Work(DocumentSketcher& sketcher);

  // Blocks until every document is sketched or skipped; returns the error of
  // the first failed document in input order, naming it.
  absl::Status Wait();

  // Whether every run has been taken (Work would return at once).
  bool AllTaken() const { return next_.load(std::memory_order_relaxed) >= docs_.size(); }

 private:
  // Small runs from a shared counter rather than a fixed share per thread:
  // a thread that the scheduler slows down then holds back only its run.
  static constexpr size_t kRun = 8;

  const absl::Span<const IndexDocument> docs_;
  std::vector<SketchedDocument>* const out_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  std::condition_variable finished_changed_;
  size_t finished_ = 0;  // documents sketched or skipped (guarded by mu_)
  size_t error_doc_;     // the first failed document (guarded by mu_)
  absl::Status error_;   // (guarded by mu_)
};

}  // namespace dubare::index_internal

#endif  // DUBARE_INDEX_SKETCH_JOB_H_
