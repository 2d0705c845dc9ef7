// Copyright 2026 The Dubare Authors.
//
// commands.h: the subcommands of `dubare`. Each is defined in its own
// tools/cmd_*.cc, parses its flags into library Options and makes one library
// call; argv[0] is the subcommand's name.

#ifndef DUBARE_TOOLS_COMMANDS_H_
#define DUBARE_TOOLS_COMMANDS_H_

#include <cstddef>
#include <string>

namespace dubare {
struct ReaderOptions;
struct SketchParams;
}  // namespace dubare

namespace dubare::tools {

class FlagSet;
// Registers the sketch-parameter flags that sketch and compare share
// (defined in cmd_sketch.cc).
void AddSketchFlags(FlagSet& flags, SketchParams* params);
// Registers the input flags that dedup, passages and index share
// (--input-format, --id-field, --text-field, --glob, limits, --strict;
// defined in reader_flags.cc).
void AddReaderFlags(FlagSet& flags, ReaderOptions* reader);
// --max-document-bytes for the commands that read whole files (normalize,
// sketch, compare), with the readers' default; and the flag helper behind it.
void AddDocumentLimitFlag(FlagSet& flags, size_t* max_document_bytes);
void AddByteLimit(FlagSet& flags, const std::string& name, size_t* target, const std::string& help);

int RunNormalize(int argc, char** argv);
int RunSketch(int argc, char** argv);
int RunCompare(int argc, char** argv);
int RunDedup(int argc, char** argv);
int RunPassages(int argc, char** argv);
int RunIndex(int argc, char** argv);

}  // namespace dubare::tools

#endif  // DUBARE_TOOLS_COMMANDS_H_
