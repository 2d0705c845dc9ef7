// Copyright 2026 The Dubare Authors.
//
// Fuzzes the document reader on JSON Lines and line-per-document input.
// Input: one option byte (format, limits, field paths), then the file's
// bytes, written to a temporary file (the Reader reads paths, not memory).
// Invariants checked:
//   * Next() never fails outside strict mode, and every line yields exactly
//     one record, a document or a rejection, with consecutive line numbers
//     and increasing offsets;
//   * a document's text is non-empty, valid UTF-8, holds no NUL byte and
//     respects max_document_bytes; a rejection has a reason and a detail;
//   * the stats count what was handed out, by reason.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "dubare/reader.h"
#include "fuzz_util.h"

namespace dubare {
namespace {

// Lines of uncompressed input: each '\n' ends one, and a last line without
// one still counts. A leading byte order mark is not part of any line.
uint64_t CountLines(absl::string_view bytes) {
  absl::ConsumePrefix(&bytes, "\xEF\xBB\xBF");
  uint64_t n = 0;
  for (char c : bytes) n += c == '\n';
  return n + (!bytes.empty() && bytes.back() != '\n');
}

bool LooksCompressed(absl::string_view b) {
  return (b.size() >= 2 && b[0] == '\x1f' && b[1] == '\x8b') ||
         (b.size() >= 4 && std::memcmp(b.data(), "\x28\xb5\x2f\xfd", 4) == 0);
}

}  // namespace
}  // namespace dubare

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dubare;
  fuzz::Input in(data, size);
  const uint8_t o = in.Byte();
  const absl::string_view bytes = in.rest();

  ReaderOptions options;
  const bool jsonl = !(o & 1);
  options.format = jsonl ? InputFormat::kJsonl : InputFormat::kLines;
  if (o & 2) options.max_line_bytes = 1 + (o >> 4) * 8;       // 1..121
  if (o & 4) options.max_document_bytes = 1 + (o >> 4) * 4;   // 1..61
  if (o & 8) {
    options.id_field = "meta.id";
    options.text_field = "body.text";
    options.extra_fields = {"date", "a.b.c"};
  } else {
    options.extra_fields = {"date"};
  }

  static const fuzz::ScratchFile scratch("reader_fuzz.jsonl");
  const std::string& path = scratch.path();
  FUZZ_CHECK(fuzz::WriteFile(path, bytes));
  absl::StatusOr<std::unique_ptr<Reader>> reader = Reader::Open({path}, options);
  FUZZ_CHECK(reader.ok());

  Document doc;
  uint64_t records = 0, documents = 0, rejected = 0, last_offset = 0;
  while (true) {
    absl::StatusOr<bool> more = (*reader)->Next(&doc);
    FUZZ_CHECK(more.ok());
    if (!*more) break;
    ++records;
    if (!LooksCompressed(bytes)) {
      FUZZ_CHECK(doc.line == records);
      FUZZ_CHECK(doc.offset < bytes.size());
    }
    // Also an `unreadable` record (a read or decompression error that ends
    // the source) sits at the offset of the line it broke off.
    FUZZ_CHECK(records == 1 || doc.offset > last_offset);
    last_offset = doc.offset;
    FUZZ_CHECK(doc.fields.size() == options.extra_fields.size());
    if (doc.ok()) {
      ++documents;
      FUZZ_CHECK(!doc.text.empty());
      FUZZ_CHECK(doc.text.size() <= options.max_document_bytes);
      FUZZ_CHECK(std::memchr(doc.text.data(), '\0', doc.text.size()) == nullptr);
      FUZZ_CHECK(FindInvalidUtf8(doc.text) < 0);
      FUZZ_CHECK(!doc.id.empty());
    } else {
      ++rejected;
      FUZZ_CHECK(static_cast<int>(doc.reject) < kNumRejectReasons);
      FUZZ_CHECK(!RejectReasonName(doc.reject).empty());
      FUZZ_CHECK(!doc.detail.empty());
    }
  }
  if (!LooksCompressed(bytes)) FUZZ_CHECK(records == CountLines(bytes));
  const ReaderStats& stats = (*reader)->stats();
  FUZZ_CHECK(stats.documents == documents);
  FUZZ_CHECK(stats.rejected == rejected);
  uint64_t by_reason = 0;
  for (uint64_t n : stats.by_reason) by_reason += n;
  FUZZ_CHECK(by_reason == rejected);
  FUZZ_CHECK(stats.by_reason[0] == 0);
  return 0;
}
