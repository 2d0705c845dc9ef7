// Copyright 2026 The Dubare Authors.
//
// dubare normalize: prints Kurdish text in canonical or match-key form.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "commands.h"
#include "dubare/file.h"
#include "dubare/json_writer.h"
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
                "Prints each FILE (standard input when none or '-') normalized, as UTF-8. A JSON "
                "Lines file (by its name or --input-format) gives a JSON line per record with its "
                "id and normalized text; --input-format lines normalizes line by line.");
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
  ReaderOptions reader;
  AddReaderFlags(flags, &reader);
  std::vector<std::string> files;
  int exit_code = kExitOk;
  if (!ParseOrExit(flags, argc, argv, &files, &exit_code)) return exit_code;
  if (files.empty()) files.push_back("-");

  // Printing needs the text, not where each byte came from: no offset map
  // (it was 8 of the ~12 bytes of memory per input byte, and most of the time).
  options.offset_map = false;
  const Normalizer normalizer(options);
  NormalizedText out;
  std::string line;
  absl::Status status = ForEachInputDocument(
      files, reader, [&](const std::string& id, absl::string_view text, bool json) -> absl::Status {
        const std::string name = id == "-" ? "<stdin>" : id;
        DUBARE_RETURN_IF_ERROR(Annotate(normalizer.Normalize(text, &out), name));
        if (out.replacements > 0) {
          std::fprintf(stderr, "dubare normalize: %s: replaced %zu invalid UTF-8 sequences\n",
                       name.c_str(), out.replacements);
        }
        // JSON Lines in, JSON Lines out: the id and the normalized text.
        line.clear();
        if (json) {
          JsonObjectWriter object(&line);
          object.Field("id", id).Field("text", out.text);
          object.Close();
        } else if (!out.text.empty()) {
          line = out.text;
        }
        if (line.empty()) return absl::OkStatus();
        line.push_back('\n');
        if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size()) {
          return absl::InternalError("cannot write standard output");
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return Fail(argv[0], status);
  if (std::fflush(stdout) != 0) {
    return Fail(argv[0], absl::InternalError("cannot write standard output"));
  }
  return kExitOk;
}

}  // namespace dubare::tools
