// Copyright 2026 The Dubare Authors.
//
// dubare normalize: prints Kurdish text in canonical or match-key form.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "commands.h"
#include "dubare/file.h"
#include "dubare/normalize.h"
#include "dubare/reader.h"
#include "dubare/status.h"
#include "flags.h"

namespace dubare::tools {
namespace {

// Registers an enum-valued flag whose spellings come from the library.
template <typename T>
void EnumFlag(FlagSet& flags, std::string name, std::string choices, T* target,
              absl::string_view (*name_of)(T), absl::StatusOr<T> (*parse)(absl::string_view),
              std::string help) {
  flags.Custom(std::move(name), std::move(choices), std::string(name_of(*target)),
               [target, parse](absl::string_view v) -> absl::Status {
                 DUBARE_ASSIGN_OR_RETURN(*target, parse(v));
                 return absl::OkStatus();
               },
               std::move(help));
}

}  // namespace

int RunNormalize(int argc, char** argv) {
  NormalizeOptions options;
  FlagSet flags("normalize [options] [FILE...]",
                "Prints each FILE (standard input when none or '-') normalized, as UTF-8.");
  EnumFlag(flags, "form", "canonical|match", &options.form, NormalFormName, ParseNormalForm,
           "canonical: modern orthography; match: the lossy key used for hashing");
  EnumFlag(flags, "script", "auto|sorani|kurmanji", &options.script, ScriptName, ParseScript,
           "which script's rules apply; auto decides per word");
  flags.Bool("keep-spaces", &options.keep_spaces,
             "match key: keep the spaces between words (--no-keep-spaces joins them)");
  flags.Bool("keep-paragraphs", &options.keep_paragraphs,
             "canonical: keep blank-line paragraph breaks");
  EnumFlag(flags, "on-invalid", "error|replace", &options.on_invalid, InvalidUtf8PolicyName,
           ParseInvalidUtf8Policy, "invalid UTF-8: fail, or replace with U+FFFD and count");
  size_t max_document_bytes = ReaderOptions().max_document_bytes;
  AddDocumentLimitFlag(flags, &max_document_bytes);
  std::vector<std::string> files;
  int exit_code = kExitOk;
  if (!ParseOrExit(flags, argc, argv, &files, &exit_code)) return exit_code;
  if (files.empty()) files.push_back("-");

  const Normalizer normalizer(options);
  NormalizedText out;
  for (const std::string& file : files) {
    absl::StatusOr<std::string> text = ReadInputFile(file, max_document_bytes);
    if (!text.ok()) return Fail(argv[0], text.status());
    const std::string name = file == "-" ? "<stdin>" : file;
    absl::Status status = normalizer.Normalize(*text, &out);
    if (!status.ok()) return Fail(argv[0], Annotate(status, name));
    if (out.replacements > 0) {
      std::fprintf(stderr, "dubare normalize: %s: replaced %zu invalid UTF-8 sequences\n",
                   name.c_str(), out.replacements);
    }
    if (!out.text.empty()) {
      out.text.push_back('\n');
      if (std::fwrite(out.text.data(), 1, out.text.size(), stdout) != out.text.size()) {
        return Fail(argv[0], absl::InternalError("cannot write standard output"));
      }
    }
  }
  if (std::fflush(stdout) != 0) {
    return Fail(argv[0], absl::InternalError("cannot write standard output"));
  }
  return kExitOk;
}

}  // namespace dubare::tools
