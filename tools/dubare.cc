// Copyright 2026 The Dubare Authors.
//
// dubare: the command-line tool. A table of subcommands (as in ninja's tool
// table); all logic lives in the library.

#include <malloc.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "commands.h"
#include "dubare/index.h"
#include "dubare/lsh.h"
#include "dubare/normalize.h"
#include "dubare/sketch.h"
#include "flags.h"

namespace dubare::tools {
namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

constexpr Command kCommands[] = {
    {"normalize", "print Kurdish text in canonical or match-key form", RunNormalize},
    {"sketch", "print MinHash or SimHash signatures of documents as JSON lines", RunSketch},
    {"compare", "report how alike two documents are", RunCompare},
    {"dedup", "remove near-duplicate documents from a corpus", RunDedup},
    {"passages", "find repeated passages and show them (text, JSON, HTML)", RunPassages},
    {"index", "a persistent near-duplicate index: create, add, query, get, remove, stats, check, compact", RunIndex},
};

void PrintUsage(FILE* out) {
  std::fputs(
      "usage: dubare COMMAND [options] [ARGS...]\n\n"
      "Near-duplicate detection for Kurdish text.\n\ncommands:\n",
      out);
  for (const Command& c : kCommands) std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
  std::fputs("\n'dubare COMMAND --help' shows a command's options and their defaults.\n", out);
}

}  // namespace
}  // namespace dubare::tools

namespace {

// What a command printed must have reached standard output: a full disk or a
// closed pipe (`> /dev/full`) is an error, not a silent success.
int CloseStdout(int code) {
  if (std::fflush(stdout) != 0 || std::ferror(stdout) || std::fclose(stdout) != 0) {
    const int err = errno;
    std::fprintf(stderr, "dubare: standard output: %s\n",
                 err != 0 ? std::strerror(err) : "write error");
    return code == 0 ? 1 : code;
  }
  return code;
}

int Run(int argc, char** argv) {
  using dubare::tools::kCommands;
  if (argc < 2) {
    dubare::tools::PrintUsage(stderr);
    return 2;
  }
  if (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    dubare::tools::PrintUsage(stdout);
    return 0;
  }
  if (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "version")) {
    // What stored signatures and indexes depend on, besides the release.
    std::printf("dubare %s\nsketch parameters v%u, normalizer v%u, sketch encoding v%u, "
                "LSH band keys v%u, index schema v%u\n",
                DUBARE_VERSION, dubare::SketchParams::kFormatVersion, dubare::kNormalizerVersion,
                dubare::SketchBatch::kEncodingVersion, dubare::LshParams::kBandKeyVersion,
                dubare::kIndexSchemaVersion);
    return 0;
  }
  std::vector<std::string> names;
  for (const auto& c : kCommands) {
    if (!std::strcmp(argv[1], c.name)) return c.run(argc - 1, argv + 1);
    names.emplace_back(c.name);
  }
  const std::string near = dubare::tools::Nearest(argv[1], names);
  std::fprintf(stderr, "dubare: unknown command '%s'%s%s%s\n\n", argv[1],
               near.empty() ? "" : "; did you mean '", near.c_str(), near.empty() ? "" : "'?");
  dubare::tools::PrintUsage(stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // Batches of texts, signatures and band keys (hundreds of KB to MB each)
  // are freed and allocated again all run long. glibc's defaults hand such
  // blocks back to the kernel (mmap, heap trim) and fault them in again:
  // ~10% of a dedup's CPU in page faults. Keeping them costs some resident
  // memory and saves 6% of `dedup`'s wall time on 20,000 articles
  // (bench/RESULTS.md). The process is ours; the library sets nothing.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  return CloseStdout(Run(argc, argv));
}
