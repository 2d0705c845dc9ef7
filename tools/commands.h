// Copyright 2026 The Dubare Authors.
//
// commands.h: the subcommands of `dubare`. Each is defined in its own
// tools/cmd_*.cc, parses its flags into library Options and makes one library
// call; argv[0] is the subcommand's name.

#ifndef DUBARE_TOOLS_COMMANDS_H_
#define DUBARE_TOOLS_COMMANDS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dubare {
struct ReaderOptions;
struct SketchParams;
}  // namespace dubare

namespace dubare::tools {

class FlagSet;
// Registers the sketch-parameter flags that sketch and compare share
// (defined in cmd_sketch.cc).
void AddSketchFlags(FlagSet& flags, SketchParams* params);
// Registers the input flags that every command reading documents shares
// (--input-format, --id-field, --text-field, --glob, limits, --strict;
// defined in reader_flags.cc).
void AddReaderFlags(FlagSet& flags, ReaderOptions* reader);
void AddByteLimit(FlagSet& flags, const std::string& name, size_t* target, const std::string& help);

// The documents of the commands that take a file as a document (normalize,
// sketch, compare), in order. A file whose format (--input-format, else its
// name) is JSON Lines or lines, and a directory, give their documents as
// dedup reads them, through the Reader (blank lines are skipped; another
// refused record stops the command: "FILE:LINE: reason: detail"); `id` is
// the record's id. Any other file, and
// standard input unless --input-format says otherwise, is one document read
// whole (ReadInputFile: gzip/zstd decoded, other compressions refused,
// --max-document-bytes) and not checked for UTF-8, which the caller's
// normalizer reports with its offset; `id` is the path, "-" for standard
// input. `record` says whether it came from JSON Lines (an object per line).
// Stops at and returns the first error of `fn`.
absl::Status ForEachInputDocument(
    const std::vector<std::string>& files, const ReaderOptions& reader,
    absl::FunctionRef<absl::Status(const std::string& id, absl::string_view text, bool json)> fn);

int RunNormalize(int argc, char** argv);
int RunSketch(int argc, char** argv);
int RunCompare(int argc, char** argv);
int RunDedup(int argc, char** argv);
int RunPassages(int argc, char** argv);
int RunIndex(int argc, char** argv);

}  // namespace dubare::tools

#endif  // DUBARE_TOOLS_COMMANDS_H_
