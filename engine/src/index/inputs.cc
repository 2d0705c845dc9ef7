// Copyright 2026 The Dubare Authors.
//
// AddInputs / QueryInputs: reader -> batches -> sketches -> index. A thread
// reads and sketches batches up to two ahead of the transactions, so that
// the sketchers keep working through a transaction that runs long (a merge
// step) and the transactions never wait for one slow batch.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dubare/index.h"
#include "dubare/json_writer.h"
#include "dubare/status.h"

namespace dubare {
namespace {

struct Batch {
  std::vector<Document> docs;  // accepted documents, in input order
  std::vector<std::pair<Document, std::string>> rejected;  // with their locations
  std::vector<SketchedDocument> sketched;
  bool end = false;  // the input is exhausted after this batch
};

// Reads up to batch_size documents and sketches them.
absl::StatusOr<Batch> NextBatch(Reader* reader, Index* index, const IndexInputOptions& options,
                                size_t metadata_first) {
  Batch batch;
  std::vector<IndexDocument> texts;
  Document doc;
  while (batch.docs.size() < options.batch_size) {
    DUBARE_ASSIGN_OR_RETURN(bool more, reader->Next(&doc));
    if (!more) {
      batch.end = true;
      break;
    }
    if (!doc.ok()) {
      batch.rejected.emplace_back(doc, reader->Location(doc));
      continue;
    }
    IndexDocument& text = texts.emplace_back();
    text.id = doc.id;
    text.text = std::move(doc.text);  // lent to the sketchers, given back below
    if (!options.metadata_fields.empty()) {
      JsonObjectWriter json(&text.metadata);
      for (size_t i = 0; i < options.metadata_fields.size(); ++i) {
        json.Field(options.metadata_fields[i], doc.fields[metadata_first + i]);
      }
    }
    batch.docs.push_back(std::move(doc));
    doc = Document();
  }
  DUBARE_ASSIGN_OR_RETURN(batch.sketched, index->Sketch(texts));
  for (size_t i = 0; i < texts.size(); ++i) batch.docs[i].text = std::move(texts[i].text);
  return batch;
}

absl::StatusOr<IndexInputSummary> Run(Index* index, const std::vector<std::string>& inputs,
                                      const IndexInputOptions& options,
                                      const IndexInputCallbacks& callbacks, bool add) {
  if (options.batch_size < 1) return absl::InvalidArgumentError("batch size must be >= 1");
  const auto start = std::chrono::steady_clock::now();
  ReaderOptions reader_options = options.reader;
  const size_t metadata_first = reader_options.extra_fields.size();
  for (const std::string& f : options.metadata_fields) reader_options.extra_fields.push_back(f);
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<Reader> reader, Reader::Open(inputs, reader_options));

  IndexInputSummary summary;
  // The reader and the sketchers are used only by the producer; the index
  // transactions only by this thread. A batch waits in `ready` while the
  // producer prepares the next one: two batches ahead at most.
  std::mutex mu;
  std::condition_variable changed;
  std::deque<absl::StatusOr<Batch>> ready;
  bool stop = false;  // this thread returns: the producer drops its batch
  std::thread producer([&] {
    while (true) {
      absl::StatusOr<Batch> batch = NextBatch(reader.get(), index, options, metadata_first);
      const bool last = !batch.ok() || batch->end;
      std::unique_lock<std::mutex> lock(mu);
      changed.wait(lock, [&] { return ready.empty() || stop; });
      if (stop) return;
      ready.push_back(std::move(batch));
      changed.notify_all();
      if (last) return;
    }
  });
  absl::Cleanup join = [&] {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    changed.notify_all();
    producer.join();
  };
  auto next = [&]() -> absl::StatusOr<Batch> {
    std::unique_lock<std::mutex> lock(mu);
    changed.wait(lock, [&] { return !ready.empty(); });
    absl::StatusOr<Batch> batch = std::move(ready.front());
    ready.pop_front();
    changed.notify_all();
    return batch;
  };
  while (true) {
    DUBARE_ASSIGN_OR_RETURN(Batch batch, next());
    for (const auto& [doc, location] : batch.rejected) {
      ++summary.rejected;
      if (callbacks.on_reject) callbacks.on_reject(doc, location);
    }
    std::vector<IndexResult> results;
    if (add && !batch.sketched.empty()) {
      absl::StatusOr<AddResult> added = index->AddSketched(batch.sketched);
      if (!added.ok()) return added.status();
      ++summary.batches;
      summary.added += added->added;
      results = std::move(added->results);
      for (size_t i = 0; i < results.size(); ++i) {
        if (callbacks.on_document) callbacks.on_document(batch.docs[i], results[i]);
      }
      if (callbacks.on_commit) callbacks.on_commit(*added, batch.docs.size());
    } else if (!batch.sketched.empty()) {
      absl::StatusOr<std::vector<IndexResult>> queried = index->QuerySketched(batch.sketched);
      if (!queried.ok()) return queried.status();
      results = *std::move(queried);
      for (size_t i = 0; i < results.size(); ++i) {
        if (callbacks.on_document) callbacks.on_document(batch.docs[i], results[i]);
      }
    }
    summary.documents += results.size();
    for (const IndexResult& r : results) {
      switch (r.status) {
        case IndexStatus::kNew:
          ++summary.new_docs;
          break;
        case IndexStatus::kDuplicate:
          ++summary.duplicates;
          break;
        case IndexStatus::kExists:
          ++summary.exists;
          break;
      }
    }
    if (batch.end) break;
  }
  // A merge left unfinished would be deleted and redone by the next writer.
  if (add) DUBARE_RETURN_IF_ERROR(index->FinishMerges());
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace

std::string IndexInputSummary::ToText() const {
  return absl::StrFormat(
      "documents: %d (new %d, duplicate %d, exists %d), added: %d, rejected: %d, "
      "batches: %d, %.2f s (%.0f documents/s)\n",
      documents, new_docs, duplicates, exists, added, rejected, batches, seconds,
      seconds > 0 ? documents / seconds : 0.0);
}

absl::StatusOr<IndexInputSummary> AddInputs(Index* index, const std::vector<std::string>& inputs,
                                            const IndexInputOptions& options,
                                            const IndexInputCallbacks& callbacks) {
  return Run(index, inputs, options, callbacks, /*add=*/true);
}

absl::StatusOr<IndexInputSummary> QueryInputs(Index* index,
                                              const std::vector<std::string>& inputs,
                                              const IndexInputOptions& options,
                                              const IndexInputCallbacks& callbacks) {
  return Run(index, inputs, options, callbacks, /*add=*/false);
}

}  // namespace dubare
