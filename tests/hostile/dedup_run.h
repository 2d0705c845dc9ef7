// Copyright 2026 The Dubare Authors.
//
// dedup_run.h: runs `dubare dedup` on hostile input and reads back what it
// wrote (rejected.tsv, summary.json, the kept corpus), for the bad-input
// table tests.

#ifndef DUBARE_TESTS_HOSTILE_DEDUP_RUN_H_
#define DUBARE_TESTS_HOSTILE_DEDUP_RUN_H_

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "hostile/hostile_test_util.h"

namespace dubare::hostile {

struct Rejection {
  std::string where, id, reason, detail;
};

struct DedupRun {
  CliResult cli;
  std::string out_dir;
  std::vector<Rejection> rejected;  // rejected.tsv without its header
  std::string summary;              // summary.json

  // A number of summary.json ("documents", "rejected", "peak_rss_bytes"...), or -1.
  int64_t Count(const std::string& key) const {
    const std::string needle = "\"" + key + "\":";
    const size_t at = summary.find(needle);
    if (at == std::string::npos) return -1;
    return std::strtoll(summary.c_str() + at + needle.size(), nullptr, 10);
  }
  // The rejection whose `where` is `where`, or null.
  const Rejection* Find(const std::string& where) const {
    for (const Rejection& r : rejected) {
      if (r.where == where) return &r;
    }
    return nullptr;
  }
};

// `dubare dedup INPUTS... --out DIR/out FLAGS...`, run in `dir`, so that
// locations in rejected.tsv are relative names.
inline DedupRun RunDedup(const TempDir& dir, const std::vector<std::string>& inputs,
                         const std::vector<std::string>& flags = {},
                         const CliOptions& cli_options = {}) {
  DedupRun run;
  run.out_dir = dir.Path("out");
  std::vector<std::string> args = {"dedup"};
  args.insert(args.end(), inputs.begin(), inputs.end());
  args.insert(args.end(), {"--out", run.out_dir, "--threads", "2"});
  args.insert(args.end(), flags.begin(), flags.end());
  CliOptions options = cli_options;
  options.working_directory = dir.path();
  run.cli = RunCli(args, options);
  std::vector<std::string> lines = ReadLines(run.out_dir + "/rejected.tsv");
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f = absl::StrSplit(lines[i], absl::MaxSplits('\t', 3));
    f.resize(4);
    run.rejected.push_back({f[0], f[1], f[2], f[3]});
  }
  run.summary = ReadAll(run.out_dir + "/summary.json");
  return run;
}

}  // namespace dubare::hostile

#endif  // DUBARE_TESTS_HOSTILE_DEDUP_RUN_H_
