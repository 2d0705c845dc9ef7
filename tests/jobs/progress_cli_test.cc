// Copyright 2026 The Dubare Authors.
//
// Progress of `dubare dedup` when stderr is not a terminal (a log): lines
// with counts, rate and stage, and nothing at all with --no-progress.

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "hostile/hostile_test_util.h"
#include "scratch_dir.h"

namespace dubare {
namespace {

TEST(ProgressCliTest, LogLinesWhenStderrIsNotATerminal) {
  const std::string dir = testing::NewScratchDir("progress_cli");
  const std::string input = std::string(DUBARE_SOURCE_DIR) + "/tests/golden/news.jsonl";
  hostile::CliResult r = hostile::RunCli(
      {"dedup", input, "--out", dir + "/out", "--progress-interval", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("dubare dedup: reading and sketching: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" documents/s"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dubare dedup: grouping"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("%, ETA "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("\x1b["), std::string::npos) << "no terminal codes in a log";
  for (absl::string_view line : absl::StrSplit(r.err, '\n', absl::SkipEmpty())) {
    EXPECT_TRUE(absl::StartsWith(line, "dubare dedup: ")) << line;
  }

  r = hostile::RunCli({"dedup", input, "--out", dir + "/quiet", "--progress-interval", "0",
                       "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  // The default interval (5 s) prints nothing in a run this short.
  r = hostile::RunCli({"dedup", input, "--out", dir + "/default"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

// passages ran 14 s on 20,000 articles with nothing shown (issue 20).
TEST(ProgressCliTest, PassagesShowsEachStageInALog) {
  const std::string dir = testing::NewScratchDir("progress_cli_passages");
  const std::string input = std::string(DUBARE_SOURCE_DIR) + "/tests/golden/news.jsonl";
  hostile::CliResult r = hostile::RunCli(
      {"passages", input, "--out", dir + "/report.txt", "--progress-interval", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* stage : {"dubare passages: reading: ", "dubare passages: fingerprinting",
                            "dubare passages: matching fingerprints",
                            "dubare passages: aligning document pairs",
                            "dubare passages: writing the report"}) {
    EXPECT_NE(r.err.find(stage), std::string::npos) << stage << " in\n" << r.err;
  }
  EXPECT_EQ(r.err.find("\x1b["), std::string::npos) << "no terminal codes in a log";
  r = hostile::RunCli({"passages", input, "--out", dir + "/quiet.txt", "--progress-interval", "0",
                       "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("dubare passages: reading"), std::string::npos) << r.err;
}

// index add printed batch numbers with no total (issue 20): each committed
// batch now says how many documents are in so far, and progress lines give
// the share of the input read.
TEST(ProgressCliTest, IndexAddShowsTotalsAndProgress) {
  const std::string dir = testing::NewScratchDir("progress_cli_index");
  const std::string input = std::string(DUBARE_SOURCE_DIR) + "/tests/golden/news.jsonl";
  hostile::CliResult r = hostile::RunCli({"index", "create", dir + "/i.idx"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = hostile::RunCli({"index", "add", dir + "/i.idx", input, "--batch", "3",
                       "--progress-interval", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("committed batch 1 (3 documents, "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("), 6 documents so far\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dubare index add: adding: 6 documents"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("%, ETA "), std::string::npos) << r.err;
  r = hostile::RunCli({"index", "query", dir + "/i.idx", input, "--progress-interval", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;  // found: every document is in the index
  EXPECT_NE(r.err.find("dubare index query: querying: "), std::string::npos) << r.err;
  r = hostile::RunCli({"index", "query", dir + "/i.idx", input, "--progress-interval", "0",
                       "--no-progress"});
  EXPECT_EQ(r.err.find("querying"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dubare
