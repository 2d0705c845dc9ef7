// Copyright 2026 The Dubare Authors.
//
// dubare: the command-line tool. A table of subcommands (as in ninja's tool
// table); all logic lives in the library.

#include <malloc.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "commands.h"
#include "dubare/distributed.h"
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

// Batches of texts, signatures and band keys (hundreds of KB to MB each) are
// freed and allocated again all run long. glibc's defaults hand such blocks
// back to the kernel (mmap, heap trim) and fault them in again: ~10% of a
// dedup's CPU in page faults. Keeping them costs some resident memory and
// saves 6% of `dedup`'s wall time on 20,000 articles (bench/RESULTS.md). The
// process is ours; the library sets nothing.
struct MallocSetting {
  const char* tunable;  // its GLIBC_TUNABLES name
  int param;            // its mallopt parameter
  int value;
};
constexpr MallocSetting kMallocSettings[] = {
    {"glibc.malloc.top_pad", M_TOP_PAD, 64 << 20},
    {"glibc.malloc.mmap_threshold", M_MMAP_THRESHOLD, 32 << 20},
    {"glibc.malloc.trim_threshold", M_TRIM_THRESHOLD, 1 << 30},
};

// glibc puts malloc's large blocks on transparent huge pages only when asked
// by the glibc.malloc.hugetlb tunable, which it reads once, at start-up. A
// dedup touches tens of MB of fresh arrays (texts, signatures): on 4 KB
// pages that is ~12,000 page faults and TLB misses on 20,000 articles, on
// huge pages ~1,400, and the run takes 0.26 s instead of 0.35 s
// (bench/RESULTS.md). So the command starts itself again once with the
// tunable added, unless the user set it (GLIBC_TUNABLES=glibc.malloc.hugetlb=0
// turns this off), the kernel has huge pages off, glibc would drop the
// variable (a setuid start) or valgrind runs the program (its
// /proc/self/exe is valgrind's). If exec fails the run goes on as it is. The
// restart costs a few ms of loading libraries again, so only the commands
// that work on corpora take it; normalize and compare of one text, and index
// create, get, remove, stats and check, do not.
//
// Adds the tunable to the environment; false when this start should not.
bool AskForHugePages(int argc, char** argv) {
  if (argc < 2) return false;
  const absl::string_view command = argv[1];
  const absl::string_view sub = argc > 2 ? argv[2] : "";
  const bool corpus_work = command == "dedup" || command == "passages" || command == "sketch" ||
                           (command == "index" && (sub == "add" || sub == "query" ||
                                                   sub == "compact"));
  if (!corpus_work) return false;
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables != nullptr && std::strstr(tunables, "glibc.malloc.hugetlb") != nullptr) return false;
  if (getauxval(AT_SECURE) != 0) return false;
  // Under valgrind /proc/self/exe is valgrind's own tool, not this program.
  const char* preload = std::getenv("LD_PRELOAD");
  if (preload != nullptr && std::strstr(preload, "vgpreload") != nullptr) return false;
  std::ifstream mode("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  if (!std::getline(mode, modes) || modes.find("[never]") != std::string::npos) return false;
  std::string value = tunables != nullptr ? tunables : "";
  if (!value.empty()) value += ':';
  value += "glibc.malloc.hugetlb=1";
  // kMallocSettings too, as tunables (those the user set stay): given from
  // the start, the heap's first extension is already 64 MB, all of it
  // madvised for huge pages, where the small extensions before main() left
  // its first 3 MB on 4 KB pages (700 faults of a 20k dedup's 1,000).
  for (const MallocSetting& m : kMallocSettings) {
    if (value.find(m.tunable) != std::string::npos) continue;
    value += ':';
    value += m.tunable;
    value += '=';
    value += std::to_string(m.value);
  }
  return setenv("GLIBC_TUNABLES", value.c_str(), 1) == 0;
}

#ifndef DUBARE_HAVE_MPI
// A dedup started by an MPI launcher (mpirun, srun) is run by dubare-mpi,
// this program linked with MPI, installed beside it: the seven libraries MPI
// needs cost ~3 ms of every start, and only such runs use them.
[[noreturn]] void RunMpiTwin(char** argv) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::string twin =
      ec ? std::string("dubare-mpi") : (self.parent_path() / "dubare-mpi").string();
  execv(twin.c_str(), argv);
  std::fprintf(stderr,
               "dubare dedup: started by an MPI launcher, but %s cannot be run (%s); this build "
               "has no MPI runner (docs/distributed.md)\n",
               twin.c_str(), std::strerror(errno));
  std::exit(1);
}
#endif

void Restart(int argc, char** argv) {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const bool had_tunables = tunables != nullptr;
  const std::string saved = had_tunables ? tunables : "";
  const bool huge = AskForHugePages(argc, argv);
#ifndef DUBARE_HAVE_MPI
  if (argc >= 2 && !std::strcmp(argv[1], "dedup") && dubare::LaunchedByMpi()) RunMpiTwin(argv);
#endif
  if (!huge) return;
  execv("/proc/self/exe", argv);
  if (had_tunables) {
    setenv("GLIBC_TUNABLES", saved.c_str(), 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
}

}  // namespace

int main(int argc, char** argv) {
  Restart(argc, argv);
  // After the restart these came as tunables already; without it they
  // apply from here on.
  for (const MallocSetting& m : kMallocSettings) mallopt(m.param, m.value);
  return CloseStdout(Run(argc, argv));
}
