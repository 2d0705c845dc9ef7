// Copyright 2026 The Dubare Authors.
//
// reader.h: streams documents out of files, directories, JSON Lines, plain
// text and standard input, gzip- or zstd-compressed or not.
//
// A Reader is opened on a list of inputs (paths, or "-" for standard input)
// and hands out one Document at a time. Every unit of input -- a line of a
// JSON Lines or line-per-document file, or a whole file -- yields exactly one
// Document: either a real document or a rejection that says where it was
// (source, line, byte offset) and why it was refused (RejectReason). Nothing
// is dropped silently; with ReaderOptions::strict the first rejection becomes
// an error status instead.
//
// Inputs:
//   * a file: its format comes from its extension (after a .gz/.zst suffix is
//     removed): .jsonl/.ndjson/.json are JSON Lines, anything else is one
//     document per file (id = path). ReaderOptions::format forces one format.
//   * a directory: walked depth first, entries in byte order of their names,
//     hidden entries (".name") skipped; files whose name matches
//     ReaderOptions::glob are read as above. Symbolic links are followed
//     (unless follow_symlinks is false) and a link back to a directory being
//     walked is a kDirectoryLoop rejection.
//   * "-": standard input; in kAuto it is JSON Lines when its first
//     non-blank byte is '{', else one document per line.
// Compression is recognized by magic bytes, not by name, and decoded while
// streaming; JSON Lines and line input are read in constant memory.
// docs/input.md has the full rules.
//
// Ownership: the caller owns the Document it passes to Next(); Next() reuses
// its strings' capacity, so a read loop does not allocate per record. The
// Reader owns its open files and its source table.
//
// Thread safety: a Reader is thread-compatible (one thread at a time).

#ifndef DUBARE_READER_H_
#define DUBARE_READER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dubare {

enum class InputFormat : uint8_t {
  kAuto = 0,   // by extension (files) or by the first byte (stdin)
  kJsonl = 1,  // one JSON object per line
  kLines = 2,  // one plain-text document per line; id "FILE:LINE"
  kFile = 3,   // the whole file is one document; id = path
};

// "auto", "jsonl", "lines", "file"; and back (kInvalidArgument otherwise).
absl::string_view InputFormatName(InputFormat format);
absl::StatusOr<InputFormat> ParseInputFormat(absl::string_view name);
// The format kAuto gives a file by its name, after any compression suffix
// (.gz, .zst, .zstd): kJsonl for .jsonl, .ndjson and .json, else kFile.
InputFormat InputFormatOfPath(absl::string_view path);

// Why a unit of input is not a document. The order is the order of the
// rejection table in docs/input.md; names are stable (used in outputs).
enum class RejectReason : uint8_t {
  kNone = 0,           // not rejected: a document
  kMalformedJson,      // "malformed_json": not valid JSON
  kNotAnObject,        // "not_an_object": valid JSON, but not an object
  kMissingText,        // "missing_text": no text field
  kTextNotString,      // "text_not_string": the text field is not a string
  kInvalidUtf8,        // "invalid_utf8": detail names the byte offset
  kEmpty,              // "empty": no text, or only white space
  kTooLarge,           // "too_large": over max_document_bytes or max_line_bytes
  kBinary,             // "binary": the text holds NUL bytes
  kUnreadable,         // "unreadable": cannot open/read/decompress, not a regular file
  kDirectoryLoop,      // "directory_loop": a symbolic link back into the walk
};
inline constexpr int kNumRejectReasons = 11;

// Stable snake_case name, as listed above.
absl::string_view RejectReasonName(RejectReason reason);

struct ReaderOptions {
  InputFormat format = InputFormat::kAuto;
  // JSON Lines: where the id and the text are. A dotted path ("meta.url")
  // descends into nested objects. A record without an id (or with a null
  // or empty one) gets "FILE:LINE"; a non-string id (a number, say) is used
  // as compact JSON.
  std::string id_field = "id";
  std::string text_field = "text";
  // JSON Lines: more fields to capture into Document::fields, in this order
  // (dotted paths too), e.g. {"date"} for `--keep earliest:date`. A string
  // is captured unescaped, any other value as compact JSON (1.5e3 becomes
  // 1500.0), an absent field (or null) as "".
  std::vector<std::string> extra_fields;
  // Directory walks only: fnmatch(3) pattern on the file name ("*.txt");
  // empty matches every file. Files named explicitly are always read.
  std::string glob;
  // Directory walks: follow symbolic links (with loop detection). When false,
  // links met in a walk are not inputs (counted in ReaderStats).
  bool follow_symlinks = true;
  // A document whose text is longer is rejected (kTooLarge).
  size_t max_document_bytes = size_t{16} << 20;  // 16 MiB
  // A line (JSONL or lines input) longer than this is rejected (kTooLarge)
  // and skipped without being held in memory.
  size_t max_line_bytes = size_t{64} << 20;  // 64 MiB
  // JSON Lines: keep the original line in Document::raw, so an output can
  // reproduce the record whole.
  bool keep_raw = true;
  // Make the first rejection an error (Next() returns it) instead of a record.
  bool strict = false;
  // Called from Next(), about every 64 MiB, while it reads bytes it will not
  // keep (the rest of a line over max_line_bytes, of a file over
  // max_document_bytes), with the bytes read so far (ReaderStats::bytes):
  // an endless line (/dev/zero) shows as progress, not as a silent hang.
  std::function<void(uint64_t bytes)> on_skipping;

  // kInvalidArgument for an empty field path or a zero limit.
  absl::Status Validate() const;
};

// One unit of input: a document, or a rejection when reject != kNone.
// Only the location fields (source, line, offset) and `id` when it is known
// are meaningful in a rejection, plus `detail`.
struct Document {
  std::string id;
  std::string text;  // valid UTF-8, non-empty, no NUL (documents only)
  // JSON Lines: the original line without its line end (if keep_raw);
  // lines input: the line; whole files: empty (the file is at `id`).
  std::string raw;
  // Values of ReaderOptions::extra_fields, same order (JSON Lines only;
  // empty strings for other formats).
  std::vector<std::string> fields;
  // 1 where fields[k] was in the record (a missing field and an empty string
  // are both "" in `fields`).
  std::vector<uint8_t> field_found;

  uint32_t source = 0;   // index into Reader::source_path()
  InputFormat format = InputFormat::kFile;  // the resolved format of the source
  uint64_t line = 0;     // 1-based line number; 0 for a whole file
  uint64_t offset = 0;   // byte offset of the record in the (decompressed) source

  RejectReason reject = RejectReason::kNone;
  std::string detail;    // rejection detail, e.g. "invalid UTF-8 at byte 17 of the text"

  bool ok() const { return reject == RejectReason::kNone; }
};

struct ReaderStats {
  uint64_t sources = 0;      // files (and stdin) opened or rejected
  uint64_t documents = 0;    // documents handed out
  uint64_t rejected = 0;     // rejections handed out (or the one error in strict mode)
  std::array<uint64_t, kNumRejectReasons> by_reason{};  // indexed by RejectReason
  uint64_t bytes = 0;        // input bytes after decompression
  uint64_t skipped_links = 0;  // links not followed (follow_symlinks = false)
};

// A share of one source for one of several processes reading the input
// together (`mpirun dubare dedup`): the lines that start in [begin, end).
// `begin` must be a line start (Reader::AlignToLine) and first_line the
// number of the line there, so that ids and messages ("FILE:LINE") are
// those of a reader of the whole file.
struct SourceRange {
  uint32_t source = 0;
  uint64_t begin = 0;
  uint64_t end = UINT64_MAX;
  uint64_t first_line = 1;
  bool whole() const { return begin == 0 && end == UINT64_MAX; }
};

// What sharing out a source needs to know about it.
struct SourceShape {
  uint64_t bytes = 0;       // file size (0 when unknown: stdin, unreadable)
  // An uncompressed regular JSON Lines or lines file that is not rejected:
  // it can be read from the middle (SourceRange); anything else is read
  // whole by one process.
  bool splittable = false;
};

class Reader {
 public:
  // Checks the options and expands directories into the source list.
  // Fails only for bad options or an input path that does not exist;
  // unreadable files and directory loops become rejections in the stream.
  static absl::StatusOr<std::unique_ptr<Reader>> Open(std::vector<std::string> inputs,
                                                      const ReaderOptions& options);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Fills *doc with the next document or rejection and returns true; returns
  // false at the end of all input. Errors: in strict mode, the first
  // rejection, as "FILE:LINE: reason: detail" (kInvalidArgument; for an
  // unreadable input the I/O code: kNotFound, kPermissionDenied, kDataLoss...).
  absl::StatusOr<bool> Next(Document* doc);

  // The raw record of the document Next() last filled: a JSON Lines line or
  // a text line, without its line end; empty for a whole file or a
  // rejection. A view into the reader's buffer, valid until the next call to
  // Next(): unlike Document::raw (ReaderOptions::keep_raw), nothing is
  // copied, so a caller that keeps only some records copies only those.
  absl::string_view raw() const;

  // Reads only these parts of the sources (in increasing source order, at
  // most one range per source; a split source's ranges go to different
  // readers); the other sources are skipped. Call before Next().
  // kInvalidArgument for ranges out of order, or a partial range of a
  // source that is not splittable.
  absl::Status Restrict(std::vector<SourceRange> ranges);
  SourceShape Shape(uint32_t source) const;
  // The first line start at or after byte `offset` of a splittable source
  // (the file size when there is none).
  absl::StatusOr<uint64_t> AlignToLine(uint32_t source, uint64_t offset) const;
  // The number of line ends ('\n') in bytes [begin, end) of a source.
  absl::StatusOr<uint64_t> CountLineEnds(uint32_t source, uint64_t begin, uint64_t end) const;
  // The path of source `index` as given or found in a walk ("-" = stdin).
  const std::string& source_path(uint32_t index) const;
  size_t num_sources() const;
  // The sum of the sources' file sizes, for progress against stats().bytes
  // (standard input and paths that cannot be stat'ed count 0; compressed
  // sources count their compressed size).
  uint64_t SourceBytes() const;

  // "FILE:LINE" (or "FILE" for a whole file) of a record, for messages.
  std::string Location(const Document& doc) const;

  const ReaderStats& stats() const;
  const ReaderOptions& options() const;

 private:
  struct Impl;
  explicit Reader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads every input into memory: documents and rejections in input order.
// For tests and small inputs; streaming users call Reader::Next().
absl::StatusOr<std::vector<Document>> ReadAllDocuments(std::vector<std::string> inputs,
                                                       const ReaderOptions& options);

// Byte offset of the first invalid UTF-8 sequence in `text`, or -1 when the
// text is valid UTF-8 (shortest forms, no surrogates, at most U+10FFFF).
int64_t FindInvalidUtf8(absl::string_view text);

// The whole content of one file ("-" = standard input) as one document,
// for the commands that take a file as a document (normalize, sketch,
// compare): gzip and zstd are decompressed as the Reader does, other
// compressions (xz, bzip2, lz4, zip, 7z) are refused by name, and more than
// max_bytes (decompressed) is kInvalidArgument naming the path. No UTF-8
// check: the caller's normalizer makes it, with the offset.
absl::StatusOr<std::string> ReadInputFile(const std::string& path, uint64_t max_bytes);

}  // namespace dubare

#endif  // DUBARE_READER_H_
