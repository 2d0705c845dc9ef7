// Copyright 2026 The Dubare Authors.
//
// dubare sketch: one JSON line per document with its MinHash or SimHash
// signature, and `dubare compare`'s shared sketch flags.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "commands.h"
#include "dubare/file.h"
#include "dubare/jobs.h"
#include "dubare/sketch.h"
#include "dubare/reader.h"
#include "dubare/status.h"
#include "flags.h"

namespace dubare::tools {

void AddSketchFlags(FlagSet& flags, SketchParams* params) {
  flags.Custom("shingle", "word:K|char:K|charsp:K", ShingleSpec(params->shingle),
               [params](absl::string_view v) { return ParseShingleSpec(v, &params->shingle); },
               "shingles: word k-grams, or code-point k-grams ignoring (char) or keeping "
               "(charsp) spaces");
  flags.Uint("num-perm", &params->num_perm, 64, 1024, "MinHash values per signature (K)");
  flags.Custom("minhash", "classic|oneperm", std::string(MinHashMethodName(params->method)),
               [params](absl::string_view v) -> absl::Status {
                 DUBARE_ASSIGN_OR_RETURN(params->method, ParseMinHashMethod(v));
                 return absl::OkStatus();
               },
               "classic: K hash functions; oneperm: one-permutation hashing (faster)");
  flags.Bool("keep-spaces", &params->match_key_keep_spaces,
             "keep spaces between words in the match key (--no-keep-spaces joins them)");
}

int RunSketch(int argc, char** argv) {
  SketchParams params;
  std::string method = "minhash";
  FlagSet flags("sketch [options] [FILE...]",
                "Prints one JSON line per document (standard input when no FILE or '-'): its "
                "id, the number of distinct shingles, the sketch parameters and the signature "
                "(MinHash: base64 of little-endian 32-bit values; SimHash: 16 hex digits). A "
                "file is one document whose id is its path; a JSON Lines file (by its name or "
                "--input-format) or a directory gives one per record or file, as dedup reads "
                "them.");
  flags.Choice("method", &method, {"minhash", "simhash"}, "which signature to print");
  AddSketchFlags(flags, &params);
  ReaderOptions reader;
  AddReaderFlags(flags, &reader);
  std::vector<std::string> files;
  int exit_code = kExitOk;
  if (!ParseOrExit(flags, argc, argv, &files, &exit_code)) return exit_code;
  if (files.empty()) files.push_back("-");

  DocumentSketcher sketcher(params);
  DocumentSketch sketch;
  const SignatureKind kind = method == "simhash" ? SignatureKind::kSimHash : SignatureKind::kMinHash;
  absl::Status status = ForEachInputDocument(
      files, reader, [&](const std::string& id, absl::string_view text, bool) -> absl::Status {
        DUBARE_RETURN_IF_ERROR(Annotate(sketcher.Sketch(text, &sketch), id == "-" ? "<stdin>" : id));
        const std::string line = absl::StrCat(FormatSketchJson(id, sketch, params, kind), "\n");
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
