// Copyright 2026 The Dubare Authors.
//
// jobs.h: the file-driven runs behind the `dubare` command -- inputs read
// from files, directories and standard input, results written to an output
// directory or a report file.
//
// A job is a thin layer over the in-memory stages: RunDedupJob streams the
// reader's documents into a Deduper (dedup.h) and writes what it returns;
// AddInputs and QueryInputs stream them into an Index (index.h) in batches;
// RunPassageJob reads the documents, calls FindPassages (passages.h) and
// renders the report (report.h). Everything that only a run over files
// needs lives here and nowhere below: the reader, the spool of raw records,
// output files that appear whole or not at all, copies of kept files,
// progress as input bytes. The jobs draw nothing on a terminal: progress goes
// to the caller's ProgressCallback.
//
// Ownership: jobs own what they allocate; the caller owns the options.
// Thread safety: the functions are reentrant; each starts and joins its own
// worker threads and calls the progress callback from the calling thread --
// except AddInputs/QueryInputs, whose reading thread also reports bytes
// skipped in an over-long record (kSkippingStage): their callback must be
// thread-safe.

#ifndef DUBARE_JOBS_H_
#define DUBARE_JOBS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dubare/dedup.h"
#include "dubare/distributed.h"
#include "dubare/index.h"
#include "dubare/passages.h"
#include "dubare/progress.h"
#include "dubare/reader.h"
#include "dubare/report.h"
#include "dubare/sketch.h"

namespace dubare {

// ---- dubare dedup ----------------------------------------------------------------

struct DedupJobOptions {
  DedupOptions dedup;
  ReaderOptions reader;  // input format, id/text fields, glob, strict
  std::string out_dir;   // created if missing
  bool copy_files = false;  // whole-file inputs: copy kept files to out_dir/files/
  ProgressCallback progress;  // null = none
  // Several processes, each running the job with this set (mpirun): each
  // reads its share of the inputs (whole files, or byte ranges of JSON Lines
  // and lines files), the engine runs as DedupShards, each writes its part
  // of every output into the run directory and then copies it into place at
  // its offset, and process 0 publishes the directory: the outputs are the
  // single-process ones.
  // out_dir must be on a file system that every process sees. Null (or one
  // process) = the single-process job.
  Communicator* communicator = nullptr;
  // Where each process keeps its share's sketches, ids and records
  // (share-R-of-N.dubare, written once its share is read): a run over the
  // same inputs (same sizes and times), reader options and sketch parameters
  // with the same number of processes reads them back instead of reading
  // and sketching again, whatever its threshold, LSH or keep policy. Empty =
  // none. MinHash only.
  std::string work_dir;

  absl::Status Validate() const;
};

struct DedupSummary {
  uint64_t inputs = 0;      // units of input: documents + rejected
  uint64_t documents = 0;   // accepted documents
  uint64_t rejected = 0;
  uint64_t kept = 0;        // documents minus duplicates
  uint64_t duplicates = 0;  // removed as a duplicate of a kept document
  uint64_t exact_duplicates = 0;  // of which with the match key of an earlier document
  uint64_t clusters = 0;    // clusters of two or more documents
  uint64_t candidate_pairs = 0;
  uint64_t verified_pairs = 0;
  uint64_t capped_buckets = 0;
  uint32_t bands = 0, rows = 0;  // LSH parameters used (MinHash)
  double seconds = 0;            // wall time, end to end
  double sketch_seconds = 0, group_seconds = 0, verify_seconds = 0, output_seconds = 0;
  uint64_t peak_rss_bytes = 0;   // getrusage maximum resident set size (this process)
  int processes = 1;             // processes of a shared run (communicator)
  uint64_t bytes_exchanged = 0;  // between them, all processes
  std::vector<std::pair<std::string, uint64_t>> bytes_by_stage;  // of which by grouping stage
  bool sketches_reused = false;  // read back from work_dir instead of sketched
  int threads = 0;

  std::string ToJson() const;    // one JSON object, no newline
  std::string ToText() const;    // the lines printed at the end of a run
};

// Reads `inputs` (paths, directories, "-"), removes near-duplicates and
// writes clusters.jsonl, pairs.tsv, duplicates.tsv, the kept corpus,
// rejected.tsv and summary.json into options.out_dir (docs/dedup.md). Every
// unit of input ends in the output exactly once. Errors: bad options; an
// input path that does not exist; in strict mode the first rejection; an
// output file that cannot be written (named in the message).
absl::StatusOr<DedupSummary> RunDedupJob(const std::vector<std::string>& inputs,
                                         const DedupJobOptions& options);

// ---- dubare compare and dubare sketch: what they print -------------------------

// A short human-readable report, one fact per line.
std::string FormatComparison(const DocumentComparison& c, absl::string_view name_a,
                             absl::string_view name_b);
// The same as one JSON object (`dubare compare --format json`).
std::string FormatComparisonJson(const DocumentComparison& c, absl::string_view name_a,
                                 absl::string_view name_b);

enum class SignatureKind : uint8_t { kMinHash, kSimHash };
// One JSON object (no newline): {"id":..., "shingles": N, "params": "...",
// "method": "minhash", "signature": base64 of EncodeValues} or, for SimHash,
// "signature" as 16 hex digits.
std::string FormatSketchJson(absl::string_view id, const DocumentSketch& sketch,
                             const SketchParams& params, SignatureKind kind);

// ---- dubare index add|query: documents streamed from files into an Index -------

struct IndexInputOptions {
  ReaderOptions reader;
  size_t batch_size = 1000;  // documents per transaction
  // The threads that read and sketch batches ahead run this many nice steps
  // below the calling thread, which runs the transactions (Linux; 0 = the
  // same priority). The transactions are what the pipeline waits on, so on
  // a machine with more runnable threads than cores they should not have to
  // queue behind the sketchers; when the calling thread would wait for a
  // batch, it sketches that batch's remaining documents itself.
  int sketch_nice = 10;
  // Reader fields stored as the metadata JSON object ({"date": "...", ...});
  // they are appended to reader.extra_fields.
  std::vector<std::string> metadata_fields;
  // After each batch ("adding" or "querying": documents so far, input bytes
  // read of the inputs' size), then finished = true. From the calling thread.
  ProgressCallback progress;
};

struct IndexInputCallbacks {
  // Each document's result, in input order, after its batch committed (Add)
  // or was matched (Query).
  std::function<void(const Document& doc, const IndexResult& result)> on_document;
  // A unit of input the reader refused.
  std::function<void(const Document& rejected, absl::string_view location)> on_reject;
  // After the COMMIT of batch `batch` returned (Add only).
  std::function<void(const AddResult& batch, size_t documents)> on_commit;
};

struct IndexInputSummary {
  uint64_t documents = 0, rejected = 0, added = 0, batches = 0;
  uint64_t new_docs = 0, duplicates = 0, exists = 0;
  double seconds = 0;
  std::string ToText() const;
  std::string ToJson() const;  // one JSON object, no newline
};

// `dubare index ... --format json`: one object per document (id, status,
// matches best first) and the index's statistics.
std::string FormatIndexResultJson(absl::string_view id, const IndexResult& result);
std::string FormatIndexStatsJson(const IndexStats& stats);
// `dubare index get`: id, metadata (the stored JSON object as an object;
// anything else stored through the library as a string), length, batch,
// added_at.
std::string FormatStoredDocumentJson(const StoredDocument& doc);

// Reads `inputs` (reader.h) and adds them in batches of options.batch_size;
// sketching of the next batch overlaps the writing of the current one.
absl::StatusOr<IndexInputSummary> AddInputs(Index* index, const std::vector<std::string>& inputs,
                                            const IndexInputOptions& options,
                                            const IndexInputCallbacks& callbacks);
// The same, reporting only (Query).
absl::StatusOr<IndexInputSummary> QueryInputs(Index* index,
                                              const std::vector<std::string>& inputs,
                                              const IndexInputOptions& options,
                                              const IndexInputCallbacks& callbacks);

// ---- dubare passages ----------------------------------------------------------------

enum class ColorMode : uint8_t { kAuto, kAlways, kNever };

struct PassageJob {
  std::vector<std::string> inputs;  // files, directories, "-" for standard input
  ReaderOptions reader;
  PassageOptions passages;
  ReportOptions report;
  // Text reports: kAuto colours when writing to a terminal.
  ColorMode color = ColorMode::kAuto;
  // Where the report goes. Text and JSON: a file, replaced atomically;
  // empty or "-" is standard output. HTML: a directory (required), replaced
  // as a whole (OutputDir with the marker file .dubare-passages): it must be
  // missing, empty or an earlier HTML report.
  std::string out;
  // Reading (input bytes), then FindPassages' stages, then writing; the last
  // event has finished = true. Null = none.
  ProgressCallback progress;

  // kInvalidArgument for an HTML report without an output directory or with
  // one named like a page (*.html, *.htm), and for bad passage options.
  absl::Status Validate() const;
};

struct PassageJobSummary {
  size_t documents = 0;
  size_t rejected = 0;
  size_t matches = 0;
  size_t boilerplate = 0;
  size_t pairs = 0;           // document pairs found
  size_t pairs_reported = 0;  // of which in the report (ReportOptions::top_pairs)
};

// Reads the inputs, finds the passages, writes the report. Refused inputs
// are listed in the report, not fatal. Errors: bad options, a missing input,
// an unwritable output.
absl::StatusOr<PassageJobSummary> RunPassageJob(const PassageJob& job);

}  // namespace dubare

#endif  // DUBARE_JOBS_H_
