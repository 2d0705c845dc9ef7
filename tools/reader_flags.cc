// Copyright 2026 The Dubare Authors.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "commands.h"
#include "dubare/reader.h"
#include "dubare/status.h"
#include "flags.h"

namespace dubare::tools {

void AddByteLimit(FlagSet& flags, const std::string& name, size_t* target,
                  const std::string& help) {
  flags.Custom(
      name, "BYTES", absl::StrCat(*target),
      [name, target](absl::string_view v) -> absl::Status {
        uint64_t n;
        if (!absl::SimpleAtoi(v, &n) || n < 1 || n > (uint64_t{1} << 32)) {
          return absl::InvalidArgumentError(
              absl::StrCat("--", name, ": '", v, "' is not an integer in [1, 4294967296]"));
        }
        *target = static_cast<size_t>(n);
        return absl::OkStatus();
      },
      help);
}

absl::Status ForEachInputDocument(
    const std::vector<std::string>& files, const ReaderOptions& reader,
    absl::FunctionRef<absl::Status(const std::string& id, absl::string_view text, bool json)> fn) {
  ReaderOptions records = reader;
  records.keep_raw = false;
  for (const std::string& file : files) {
    const InputFormat format = reader.format != InputFormat::kAuto ? reader.format
                               : file == "-"                        ? InputFormat::kFile
                                                                    : InputFormatOfPath(file);
    std::error_code error;
    if (format == InputFormat::kFile && !std::filesystem::is_directory(file, error)) {
      DUBARE_ASSIGN_OR_RETURN(std::string text, ReadInputFile(file, reader.max_document_bytes));
      DUBARE_RETURN_IF_ERROR(fn(file, text, false));
      continue;
    }
    DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<Reader> in, Reader::Open({file}, records));
    Document doc;
    for (;;) {
      DUBARE_ASSIGN_OR_RETURN(const bool more, in->Next(&doc));
      if (!more) break;
      // A blank line is nothing to print; any other refused record stops
      // the command, which prints every document or says why it cannot.
      if (doc.reject == RejectReason::kEmpty) continue;
      if (!doc.ok()) {
        const std::string where = in->Location(doc);
        return absl::InvalidArgumentError(
            absl::StrCat(where == "-" ? "<stdin>" : where, ": ", RejectReasonName(doc.reject),
                         ": ", doc.detail));
      }
      DUBARE_RETURN_IF_ERROR(fn(doc.id, doc.text, doc.format == InputFormat::kJsonl));
    }
  }
  return absl::OkStatus();
}

void AddReaderFlags(FlagSet& flags, ReaderOptions* reader) {
  flags.Custom(
      "input-format", "auto|jsonl|lines|file", std::string(InputFormatName(reader->format)),
      [reader](absl::string_view v) -> absl::Status {
        absl::StatusOr<InputFormat> f = ParseInputFormat(v);
        if (!f.ok()) return f.status();
        reader->format = *f;
        return absl::OkStatus();
      },
      "input format (auto: by extension; stdin by its first byte)");
  flags.String("id-field", &reader->id_field, "JSON Lines: id field (dotted path)");
  flags.String("text-field", &reader->text_field, "JSON Lines: text field (dotted path)");
  flags.String("glob", &reader->glob, "directories: only files whose name matches");
  flags.Bool("follow-symlinks", &reader->follow_symlinks,
             "directories: follow symbolic links (loops are detected and rejected)");
  AddByteLimit(flags, "max-document-bytes", &reader->max_document_bytes,
               "a larger document is rejected as too_large");
  AddByteLimit(flags, "max-line-bytes", &reader->max_line_bytes,
               "a longer input line is rejected as too_large");
  flags.Bool("strict", &reader->strict, "stop at the first rejected input");
}

}  // namespace dubare::tools
