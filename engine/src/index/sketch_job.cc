// Copyright 2026 The Dubare Authors.

#include "index/sketch_job.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "dubare/status.h"

namespace dubare::index_internal {

SketchJob::SketchJob(absl::Span<const IndexDocument> docs, std::vector<SketchedDocument>* out)
    : docs_(docs), out_(out), error_doc_(docs.size()) {
  out_->resize(docs.size());
}

void SketchJob::Work(DocumentSketcher& sketcher) {
  const size_t n = docs_.size();
  for (size_t begin; (begin = next_.fetch_add(kRun, std::memory_order_relaxed)) < n;) {
    const size_t end = std::min(begin + kRun, n);
    // A run taken is finished unless it fails itself, and runs are taken in
    // order: so every document before the first failure is sketched, and
    // the smallest failed document is the first bad one in input order.
    const bool skip = failed_.load(std::memory_order_relaxed);
    size_t failed_doc = n;
    absl::Status failure;
    for (size_t i = begin; i < end && !skip; ++i) {
      SketchedDocument& d = (*out_)[i];
      absl::Status s = sketcher.SketchMinHash(docs_[i].text, &d.minhash);
      if (!s.ok()) {
        failed_doc = i;
        failure = Annotate(s, absl::StrCat("document '", docs_[i].id, "'"));
        failed_.store(true, std::memory_order_relaxed);
        break;
      }
      d.id = docs_[i].id;
      d.metadata = docs_[i].metadata;
      d.length = docs_[i].text.size();
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (failed_doc < error_doc_) {
      error_doc_ = failed_doc;
      error_ = std::move(failure);
    }
    finished_ += end - begin;
    if (finished_ == n) finished_changed_.notify_all();
  }
}

absl::Status SketchJob::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  finished_changed_.wait(lock, [&] { return finished_ == docs_.size(); });
  return error_;
}

}  // namespace dubare::index_internal
