// Copyright 2026 The Dubare Authors.
//
// `dubare passages` end to end: formats, output file, refused inputs and
// usage errors. Skipped when DUBARE_BIN (set by ctest) is not given.

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "dubare/file.h"
#include "gtest/gtest.h"

namespace dubare {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string out;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("DUBARE_BIN");
    if (bin == nullptr) GTEST_SKIP() << "DUBARE_BIN is not set (run through ctest)";
    bin_ = bin;
    char pattern[] = "/tmp/dubare-cli-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  CliRun Passages(const std::string& args) {
    const std::string cmd =
        absl::StrCat(bin_, " passages ", args, " > ", dir_, "/out 2> ", dir_, "/err");
    CliRun run;
    const int status = std::system(cmd.c_str());
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    absl::StatusOr<std::string> out = ReadFile(dir_ + "/out");
    run.out = out.ok() ? *out : "";
    return run;
  }
  std::string Err() {
    absl::StatusOr<std::string> err = ReadFile(dir_ + "/err");
    return err.ok() ? *err : "";
  }

  std::string bin_, dir_;
  const std::string press_ = std::string(DUBARE_SOURCE_DIR) + "/corpus/press";
};

TEST_F(CliTest, JsonReportOfThePressCorpus) {
  const CliRun run = Passages("--format json " + press_);
  ASSERT_EQ(run.exit_code, 0) << Err();
  EXPECT_EQ(run.out.rfind("{\"type\":\"summary\",\"documents\":3,", 0), 0u) << run.out;
  EXPECT_NE(run.out.find("{\"type\":\"match\""), std::string::npos);
  EXPECT_NE(run.out.find("\"cp_begin\":"), std::string::npos);
}

TEST_F(CliTest, HtmlIsADirectoryOfPages) {
  const std::string out = dir_ + "/report";
  const CliRun run = Passages("--format html --out " + out + " " + press_);
  ASSERT_EQ(run.exit_code, 0) << Err();
  EXPECT_TRUE(run.out.empty());
  EXPECT_NE(Err().find("report written to " + out + " (open " + out + "/index.html)"),
            std::string::npos)
      << Err();
  for (const char* file : {"index.html", "pairs/1.html", "style.css", "report.js", "pairs.js",
                           ".dubare-passages"}) {
    EXPECT_TRUE(fs::exists(out + "/" + file)) << file;
  }
  absl::StatusOr<std::string> pair = ReadFile(out + "/pairs/1.html");
  ASSERT_TRUE(pair.ok());
  EXPECT_NE(pair->find("<mark class=\"c0\""), std::string::npos);
  // Ids are shown relative to the working directory (the CLI got an absolute path).
  EXPECT_NE(pair->find("<bdi class=\"id\" dir=\"ltr\">corpus/press/001_"), std::string::npos);
  EXPECT_EQ(pair->find(DUBARE_SOURCE_DIR), std::string::npos);
  // A second run replaces the report; a directory that is not a report is refused.
  EXPECT_EQ(Passages("--format html --out " + out + " " + press_).exit_code, 0) << Err();
  const std::string other = dir_ + "/other";
  fs::create_directory(other);
  ASSERT_TRUE(WriteFileAtomically(other + "/keep.txt", "mine").ok());
  EXPECT_EQ(Passages("--format html --out " + other + " " + press_).exit_code, 1);
  EXPECT_NE(Err().find(".dubare-passages"), std::string::npos) << Err();
  EXPECT_TRUE(fs::exists(other + "/keep.txt"));
}

TEST_F(CliTest, HtmlNeedsAnOutputDirectory) {
  EXPECT_EQ(Passages("--format html " + press_).exit_code, 2);
  EXPECT_NE(Err().find("--out DIR"), std::string::npos) << Err();
  EXPECT_EQ(Passages("--format html --out " + dir_ + "/report.html " + press_).exit_code, 2);
  EXPECT_NE(Err().find("--out " + dir_ + "/report/"), std::string::npos) << Err();
  EXPECT_FALSE(fs::exists(dir_ + "/report.html"));
}

TEST_F(CliTest, TopLimitsThePairsOfEveryFormat) {
  const std::string sample = std::string(DUBARE_SOURCE_DIR) + "/tests/golden/news.jsonl";
  const CliRun all = Passages("--format json --no-progress " + sample);
  ASSERT_EQ(all.exit_code, 0) << Err();
  const CliRun top = Passages("--format json --top 2 --no-progress " + sample);
  ASSERT_EQ(top.exit_code, 0) << Err();
  EXPECT_NE(top.out.find("\"document_pairs\":2,\"document_pairs_left_out\":"), std::string::npos)
      << top.out.substr(0, 200);
  EXPECT_EQ(top.out.find("\"document_pairs_left_out\":0,"), std::string::npos);
  EXPECT_LT(top.out.size(), all.out.size());
  const std::string out = dir_ + "/top";
  ASSERT_EQ(Passages("--format html --top 3 --no-progress --out " + out + " " + sample).exit_code,
            0)
      << Err();
  EXPECT_NE(Err().find("less similar left out: --top"), std::string::npos) << Err();
  EXPECT_TRUE(fs::exists(out + "/pairs/3.html"));
  EXPECT_FALSE(fs::exists(out + "/pairs/4.html"));
  EXPECT_EQ(Passages("--top many " + sample).exit_code, 2);
  // --help tells what --top and --out do with html.
  const CliRun help = Passages("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--top N"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("250 for html"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("directory of pages"), std::string::npos) << help.out;
}

TEST_F(CliTest, RefusedInputsAreListedNotFatal) {
  const std::string in = dir_ + "/in";
  fs::create_directory(in);
  ASSERT_TRUE(WriteFileAtomically(in + "/bad.txt", "باش \xff\xfe هەیە").ok());
  ASSERT_TRUE(WriteFileAtomically(in + "/empty.txt", "").ok());
  ASSERT_TRUE(WriteFileAtomically(in + "/binary.txt", std::string("a\0b", 3)).ok());
  ASSERT_TRUE(WriteFileAtomically(in + "/good.txt", "دەقێکی ئاسایی").ok());
  const CliRun run = Passages("--format json " + in);
  ASSERT_EQ(run.exit_code, 0) << Err();
  EXPECT_NE(run.out.find("\"reason\":\"invalid_utf8\""), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\"reason\":\"empty\""), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\"reason\":\"binary\""), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\"documents\":1,"), std::string::npos) << run.out;
  const CliRun text = Passages("--color never " + in);
  EXPECT_NE(text.out.find("== refused inputs"), std::string::npos) << text.out;
}

TEST_F(CliTest, UsageErrors) {
  EXPECT_EQ(Passages("--format pdf " + press_).exit_code, 2);
  EXPECT_EQ(Passages("").exit_code, 2);
  EXPECT_EQ(Passages("--min-similarity 2 " + press_).exit_code, 2);
  EXPECT_EQ(Passages(dir_ + "/no-such-file").exit_code, 1);
  EXPECT_NE(Err().find("no-such-file"), std::string::npos);
}

}  // namespace
}  // namespace dubare
