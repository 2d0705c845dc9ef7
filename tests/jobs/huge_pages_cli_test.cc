// Copyright 2026 The Dubare Authors.
//
// The `dubare` command asks glibc for transparent huge pages by starting
// itself again with glibc.malloc.hugetlb=1 (tools/dubare.cc). Observed from
// outside: a dedup faults in far fewer pages than the same run with the
// tunable turned off, produces the same outputs, and a user's own
// GLIBC_TUNABLES setting of it is left alone.

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gen/corpus_gen.h"
#include "gtest/gtest.h"
#include "hostile/hostile_test_util.h"
#include "scratch_dir.h"

namespace dubare {
namespace {

struct ChildRun {
  int exit_code = -1;
  long minor_faults = 0;
};

// `dubare args...` with GLIBC_TUNABLES set to `tunables` (unset when null).
ChildRun RunWithTunables(const char* tunables, std::vector<std::string> args) {
  args.insert(args.begin(), hostile::DubareBin());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd < 0 || ::dup2(null_fd, 1) < 0 || ::dup2(null_fd, 2) < 0) ::_exit(126);
    if (tunables == nullptr) {
      ::unsetenv("GLIBC_TUNABLES");
    } else {
      ::setenv("GLIBC_TUNABLES", tunables, 1);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ChildRun run;
  int status = 0;
  struct rusage usage {};
  if (::wait4(pid, &status, 0, &usage) == pid && WIFEXITED(status)) {
    run.exit_code = WEXITSTATUS(status);
    run.minor_faults = usage.ru_minflt;
  }
  return run;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool KernelHasHugePages() {
  std::ifstream mode("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  return std::getline(mode, modes) && modes.find("[never]") == std::string::npos;
}

TEST(HugePagesCliTest, DedupRunsOnHugePagesUnlessTheUserSaysOtherwise) {
  DUBARE_REQUIRE_CLI();
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizers replace glibc's malloc";
#endif
  if (!KernelHasHugePages()) GTEST_SKIP() << "transparent huge pages are off in this kernel";
  const std::string dir = testing::NewScratchDir("huge_pages_cli");
  gen::CorpusOptions corpus;
  corpus.num_docs = 6000;
  corpus.seed = 5;
  ASSERT_TRUE(gen::WriteCorpus(corpus, dir).ok());
  const std::string input = dir + "/corpus.jsonl";

  const ChildRun huge = RunWithTunables(nullptr, {"dedup", "--progress=false", "--out",
                                             dir + "/huge", input});
  const ChildRun small = RunWithTunables("glibc.malloc.hugetlb=0",
                                    {"dedup", "--progress=false", "--out", dir + "/small", input});
  // Another tunable of the user's is kept, and the restart still happens.
  const ChildRun mixed = RunWithTunables("glibc.malloc.arena_max=4",
                                    {"dedup", "--progress=false", "--out", dir + "/mixed", input});
  ASSERT_EQ(huge.exit_code, 0);
  ASSERT_EQ(small.exit_code, 0);
  ASSERT_EQ(mixed.exit_code, 0);
  // Measured: ~5,600 faults on 4 KB pages, ~1,600 with huge pages.
  EXPECT_LT(huge.minor_faults * 2, small.minor_faults)
      << huge.minor_faults << " faults with huge pages, " << small.minor_faults << " without";
  EXPECT_LT(mixed.minor_faults * 2, small.minor_faults)
      << mixed.minor_faults << " faults with huge pages, " << small.minor_faults << " without";
  for (const char* file : {"kept.jsonl", "pairs.tsv", "clusters.jsonl"}) {
    const std::string kept = ReadFile(dir + "/huge/" + file);
    EXPECT_FALSE(kept.empty()) << file;
    EXPECT_EQ(kept, ReadFile(dir + "/small/" + file)) << file;
    EXPECT_EQ(kept, ReadFile(dir + "/mixed/" + file)) << file;
  }
}

}  // namespace
}  // namespace dubare
