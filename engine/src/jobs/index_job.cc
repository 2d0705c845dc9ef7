// Copyright 2026 The Dubare Authors.
//
// AddInputs / QueryInputs: reader -> batches -> sketches -> index. A producer
// thread reads batches and sketches them (with options.threads - 1 helpers),
// up to three ahead of the transactions, so that sketching goes on through a
// transaction that runs long (a merge step). The database thread is the one
// the pipeline waits on: the producer and its helpers run at a lower
// priority (sketch_nice), and when the database thread finds its next batch
// not yet sketched it takes runs of it itself rather than wait.

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
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
#include "dubare/jobs.h"
#include "dubare/json_writer.h"
#include "dubare/status.h"
#include "index/sketch_job.h"
#include "simdjson.h"

namespace dubare {
namespace {

using index_internal::SketchJob;

struct Batch {
  std::vector<Document> docs;  // accepted documents, in input order
  std::vector<std::pair<Document, std::string>> rejected;  // with their locations
  std::vector<IndexDocument> texts;  // docs' texts, lent to the sketchers
  std::vector<SketchedDocument> sketched;
  std::unique_ptr<SketchJob> job;  // texts -> sketched
  bool end = false;  // the input is exhausted after this batch
  uint64_t bytes_read = 0;  // input bytes read up to the end of this batch
};

// Reads up to batch_size documents; the batch's job is ready to be worked on.
absl::StatusOr<std::shared_ptr<Batch>> ReadBatch(Reader* reader,
                                                 const IndexInputOptions& options,
                                                 size_t metadata_first) {
  auto batch = std::make_shared<Batch>();
  Document doc;
  while (batch->docs.size() < options.batch_size) {
    DUBARE_ASSIGN_OR_RETURN(bool more, reader->Next(&doc));
    if (!more) {
      batch->end = true;
      break;
    }
    if (!doc.ok()) {
      batch->rejected.emplace_back(doc, reader->Location(doc));
      continue;
    }
    IndexDocument& text = batch->texts.emplace_back();
    text.id = doc.id;
    text.text = std::move(doc.text);  // given back once sketched
    if (!options.metadata_fields.empty()) {
      JsonObjectWriter json(&text.metadata);
      // A field the record lacks is left out, not stored as "".
      for (size_t i = 0; i < options.metadata_fields.size(); ++i) {
        if (!doc.field_found[metadata_first + i]) continue;
        json.Field(options.metadata_fields[i], doc.fields[metadata_first + i]);
      }
    }
    batch->docs.push_back(std::move(doc));
    doc = Document();
  }
  batch->bytes_read = reader->stats().bytes;
  batch->job = std::make_unique<SketchJob>(batch->texts, &batch->sketched);
  return batch;
}

// Makes the calling thread (and the threads it starts) `nice` steps less
// favoured by the scheduler. Linux gives each thread its own nice value;
// raising it needs no privilege. Failure only costs speed.
void LowerThreadPriority(int nice) {
  if (nice <= 0) return;
  const id_t tid = static_cast<id_t>(::gettid());
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, tid);
  if (errno == 0) (void)::setpriority(PRIO_PROCESS, tid, std::min(current + nice, 19));
}

absl::StatusOr<IndexInputSummary> Run(Index* index, const std::vector<std::string>& inputs,
                                      const IndexInputOptions& options,
                                      const IndexInputCallbacks& callbacks, bool add) {
  if (options.batch_size < 1) return absl::InvalidArgumentError("batch size must be >= 1");
  const auto start = std::chrono::steady_clock::now();
  ReaderOptions reader_options = options.reader;
  const size_t metadata_first = reader_options.extra_fields.size();
  for (const std::string& f : options.metadata_fields) reader_options.extra_fields.push_back(f);
  // Called on the reading thread (IndexInputOptions::progress says so).
  reader_options.on_skipping = SkippingReporter(options.progress);
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<Reader> reader, Reader::Open(inputs, reader_options));

  IndexInputSummary summary;
  const uint64_t input_bytes = reader->SourceBytes();
  // The reader and the sketchers but the last are used only by the producer
  // (and its helpers); the index transactions only by this thread, which
  // also has the last sketcher. A batch is queued in `ready` as soon as it is
  // read, then sketched; at most kQueued wait there.
  constexpr size_t kQueued = 2;
  const IndexOptions& index_options = index->options();
  std::vector<std::unique_ptr<DocumentSketcher>> sketchers;
  for (int i = 0; i <= std::max(1, index_options.threads); ++i) {
    sketchers.push_back(std::make_unique<DocumentSketcher>(index->settings().sketch,
                                                           index_options.on_invalid));
  }
  DocumentSketcher& own_sketcher = *sketchers.back();
  std::mutex mu;
  std::condition_variable changed;
  std::deque<absl::StatusOr<std::shared_ptr<Batch>>> ready;
  bool stop = false;  // this thread returns: the producer drops its batch
  std::thread producer([&] {
    LowerThreadPriority(options.sketch_nice);
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (stop) return;  // this thread has returned: read nothing more
      }
      absl::StatusOr<std::shared_ptr<Batch>> batch =
          ReadBatch(reader.get(), options, metadata_first);
      const bool read_last = !batch.ok() || (*batch)->end;
      {
        std::unique_lock<std::mutex> lock(mu);
        changed.wait(lock, [&] { return ready.size() < kQueued || stop; });
        if (stop) return;
        ready.push_back(batch);
        changed.notify_all();
      }
      if (!batch.ok()) return;
      SketchJob& job = *(*batch)->job;
      std::vector<std::thread> helpers;
      for (size_t w = 1; w + 1 < sketchers.size() && !job.AllTaken(); ++w) {
        helpers.emplace_back([&job, &sketchers, w] { job.Work(*sketchers[w]); });
      }
      job.Work(*sketchers[0]);
      for (std::thread& helper : helpers) helper.join();
      if (read_last || !job.Wait().ok()) return;
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
  auto next = [&]() -> absl::StatusOr<std::shared_ptr<Batch>> {
    std::unique_lock<std::mutex> lock(mu);
    changed.wait(lock, [&] { return !ready.empty(); });
    absl::StatusOr<std::shared_ptr<Batch>> batch = std::move(ready.front());
    ready.pop_front();
    changed.notify_all();
    return batch;
  };
  while (true) {
    DUBARE_ASSIGN_OR_RETURN(std::shared_ptr<Batch> batch_ptr, next());
    Batch& batch = *batch_ptr;
    batch.job->Work(own_sketcher);  // whatever is left rather than wait
    DUBARE_RETURN_IF_ERROR(batch.job->Wait());
    for (size_t i = 0; i < batch.texts.size(); ++i) {
      batch.docs[i].text = std::move(batch.texts[i].text);
    }
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
    if (options.progress) {
      ProgressEvent e;
      e.stage = add ? "adding" : "querying";
      e.documents = summary.documents;
      e.done = batch.bytes_read;
      e.total = input_bytes;
      options.progress(e);
    }
    if (batch.end) break;
  }
  // A merge left unfinished would be deleted and redone by the next writer.
  if (add) DUBARE_RETURN_IF_ERROR(index->FinishMerges());
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (options.progress) {
    ProgressEvent e;
    e.stage = "done";
    e.documents = summary.documents;
    e.finished = true;
    options.progress(e);
  }
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

std::string IndexInputSummary::ToJson() const {
  std::string out;
  JsonObjectWriter(&out)
      .Field("documents", documents)
      .Field("new", new_docs)
      .Field("duplicate", duplicates)
      .Field("exists", exists)
      .Field("added", added)
      .Field("rejected", rejected)
      .Field("batches", batches)
      .Field("seconds", seconds)
      .Close();
  return out;
}

std::string FormatIndexResultJson(absl::string_view id, const IndexResult& result) {
  std::string matches = "[";
  for (const IndexMatch& m : result.matches) {
    if (matches.size() > 1) matches += ',';
    JsonObjectWriter(&matches).Field("id", m.id).Field("score", m.score).Close();
  }
  matches += ']';
  std::string out;
  JsonObjectWriter(&out)
      .Field("id", id)
      .Field("status", IndexStatusName(result.status))
      .Field("added", result.added)
      .RawField("matches", matches)
      .Close();
  return out;
}

std::string FormatStoredDocumentJson(const StoredDocument& doc) {
  // The CLI stores a JSON object; a library caller may store any text. An
  // object is minified so that the output stays one line.
  std::string object;
  if (!doc.metadata.empty() && doc.metadata.front() == '{') {
    simdjson::dom::parser parser;
    simdjson::dom::object parsed;
    if (parser.parse(simdjson::padded_string(doc.metadata)).get_object().get(parsed) ==
        simdjson::SUCCESS) {
      object = simdjson::minify(parsed);
    }
  }
  std::string out;
  JsonObjectWriter json(&out);
  json.Field("id", doc.id);
  if (!object.empty()) {
    json.RawField("metadata", object);
  } else {
    json.Field("metadata", doc.metadata);
  }
  json.Field("length", doc.length).Field("batch", doc.batch).Field("added_at", doc.added_at).Close();
  return out;
}

std::string FormatIndexStatsJson(const IndexStats& s) {
  std::string out;
  JsonObjectWriter(&out)
      .Field("sketch", s.settings.sketch.ToString())
      .Field("lsh", s.settings.lsh.ToString())
      .Field("threshold", s.settings.threshold)
      .Field("documents", s.documents)
      .Field("batches", s.batches)
      .Field("runs", s.runs)
      .Field("merging_runs", s.merging_runs)
      .Field("band_entries", s.band_entries)
      .Field("removed_documents", s.removed_documents)
      .Field("file_bytes", s.file_bytes)
      .Field("free_bytes", s.free_bytes)
      .Field("wal_bytes", s.wal_bytes)
      .Field("filter_memory_bytes", s.filter_memory_bytes)
      .Field("resident_runs", s.resident_runs)
      .Field("created_at", static_cast<uint64_t>(s.created_at))
      .Field("last_batch_at", static_cast<uint64_t>(s.last_batch_at))
      .Close();
  return out;
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
