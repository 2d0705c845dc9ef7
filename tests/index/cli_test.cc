// Copyright 2026 The Dubare Authors.
//
// `dubare index` end to end through $DUBARE_BIN (set by ctest): the report
// lines of add and query, committed-batch lines, remove, stats, and clear
// failures for a foreign file and for bad usage.

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/index_test_util.h"

namespace dubare {
namespace {

using ::testing::HasSubstr;

struct Result {
  int exit_code = -1;
  std::string out;  // stdout and stderr, in that order
};

Result RunCli(const std::string& args) {
  const char* bin = std::getenv("DUBARE_BIN");
  Result result;
  const std::string dir = index_test::NewDir("cli_io");
  const std::string command = absl::StrCat(bin, " ", args, " >", dir, "/out 2>", dir, "/err");
  const int status = std::system(command.c_str());
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  for (const char* name : {"/out", "/err"}) {
    std::ifstream in(dir + name);
    result.out += std::string(std::istreambuf_iterator<char>(in), {});
  }
  return result;
}

TEST(IndexCliTest, CreateAddQueryRemoveStats) {
  if (std::getenv("DUBARE_BIN") == nullptr) GTEST_SKIP() << "DUBARE_BIN is not set (run via ctest)";
  const std::string dir = index_test::NewDir("cli");
  index_test::TestCorpus corpus = index_test::MakeCorpus(120, 100, 3);
  // A JSON Lines input whose last line is a copy of the first document.
  {
    std::ofstream out(dir + "/in.jsonl");
    auto line = [&](const std::string& id, const std::string& text) {
      std::string escaped;
      for (char c : text) {
        if (c == '"' || c == '\\') escaped += '\\';
        if (c == '\n') {
          escaped += "\\n";
          continue;
        }
        escaped += c;
      }
      out << "{\"id\":\"" << id << "\",\"text\":\"" << escaped << "\",\"date\":\"2026-11-27\"}\n";
    };
    for (const IndexDocument& d : corpus.docs) line(d.id, d.text);
    line("copy-of-first", corpus.docs[0].text);
    out << "not json\n";
  }
  const std::string idx = dir + "/news.idx";
  Result r = RunCli(absl::StrCat("index create ", idx, " --threshold 0.5"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("threshold: 0.5"));

  r = RunCli(absl::StrCat("index add ", idx, " ", dir, "/in.jsonl --batch 50 --meta date"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("copy-of-first\tduplicate\t", corpus.docs[0].id, "\t1.0000")));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(corpus.docs[1].id, "\t")));
  EXPECT_THAT(r.out, HasSubstr("committed batch 1 (50 documents, 50 added)"));
  EXPECT_THAT(r.out, HasSubstr("committed batch 3 (21 documents, 21 added)"));
  EXPECT_THAT(r.out, HasSubstr("rejected: malformed_json"));

  // Adding again: everything exists.
  r = RunCli(absl::StrCat("index add ", idx, " ", dir, "/in.jsonl"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("exists 121"));

  r = RunCli(absl::StrCat("index query ", idx, " ", dir, "/in.jsonl"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("copy-of-first\texists\t", corpus.docs[0].id)));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("committed batch")));

  r = RunCli(absl::StrCat("index remove ", idx, " copy-of-first nope"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("copy-of-first\tremoved"));
  EXPECT_THAT(r.out, HasSubstr("nope\tabsent"));

  r = RunCli(absl::StrCat("index stats ", idx));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("documents: 120\n"));
  EXPECT_THAT(r.out, HasSubstr("batches: 4\n"));

  r = RunCli(absl::StrCat("index check ", idx));
  EXPECT_EQ(r.exit_code, 0) << r.out;

  // Compact drops the removed document's entries: a copy of the first
  // document, it had its id and signature keys and no band keys.
  r = RunCli(absl::StrCat("index compact ", idx, " --merge-step 1"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("runs_after: 1\n"));
  uint64_t before = 0, after = 0;
  for (absl::string_view line : absl::StrSplit(r.out, '\n')) {
    if (absl::ConsumePrefix(&line, "band_entries_before: ")) {
      ASSERT_TRUE(absl::SimpleAtoi(line, &before));
    }
    if (absl::ConsumePrefix(&line, "band_entries_after: ")) {
      ASSERT_TRUE(absl::SimpleAtoi(line, &after));
    }
  }
  EXPECT_EQ(before - after, 2u) << r.out;
  r = RunCli(absl::StrCat("index stats ", idx));
  EXPECT_THAT(r.out, HasSubstr("removed_documents: 0\n"));
  EXPECT_THAT(r.out, HasSubstr("runs: 1\n"));
  r = RunCli(absl::StrCat("index check ", idx));
  EXPECT_EQ(r.exit_code, 0) << r.out;

  r = RunCli(absl::StrCat("index stats ", dir, "/in.jsonl"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(dir, "/in.jsonl: not a Dubare index")));

  r = RunCli("index add");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("dubare index add: expected PATH"));
  r = RunCli("index frobnicate x");
  EXPECT_EQ(r.exit_code, 2);
}

// Usage errors of every subcommand name it as "dubare index SUB:".
// --meta fields are read back by `index get`; a field a record lacks is left
// out, not stored as "" (issue 20).
TEST(IndexCliTest, GetReadsBackMetadata) {
  if (std::getenv("DUBARE_BIN") == nullptr) GTEST_SKIP() << "DUBARE_BIN is not set (run via ctest)";
  const std::string dir = index_test::NewDir("cli_get");
  {
    std::ofstream out(dir + "/in.jsonl");
    out << R"({"id":"a","text":"یەک دوو سێ چوار پێنج شەش","date":"2024-01-02","source":"rudaw"})"
        << "\n"
        << R"({"id":"b","text":"one two three four five six","source":"k24"})" << "\n";
  }
  ASSERT_EQ(RunCli(absl::StrCat("index create ", dir, "/i.idx")).exit_code, 0);
  Result r = RunCli(absl::StrCat("index add ", dir, "/i.idx ", dir,
                                 "/in.jsonl --meta date --meta source --no-progress"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = RunCli(absl::StrCat("index get ", dir, "/i.idx a b"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr(R"({"id":"a","metadata":{"date":"2024-01-02","source":"rudaw"},)"));
  EXPECT_THAT(r.out, HasSubstr(R"({"id":"b","metadata":{"source":"k24"},"length":27,"batch":1,)"));
  r = RunCli(absl::StrCat("index get ", dir, "/i.idx a missing"));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("dubare index get: 'missing': not in the index"));
  r = RunCli(absl::StrCat("index get ", dir, "/nope.idx a"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
}

TEST(IndexCliTest, UsageErrorsNameTheSubcommand) {
  if (std::getenv("DUBARE_BIN") == nullptr) GTEST_SKIP() << "DUBARE_BIN is not set (run via ctest)";
  const std::string dir = index_test::NewDir("cli_usage");
  for (const char* sub : {"create", "add", "query", "remove", "stats", "check", "compact"}) {
    Result r = RunCli(absl::StrCat("index ", sub, " ", dir, "/x.idx --no-such-flag"));
    EXPECT_EQ(r.exit_code, 2) << sub;
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("dubare index ", sub, ": "))) << r.out;
  }
  Result r = RunCli(absl::StrCat("index create ", dir, "/x.idx --threshold 7"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("dubare index create: ")) << r.out;
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("dubare create:")));
  r = RunCli(absl::StrCat("index add ", dir, "/x.idx in.jsonl --sketch-nice 20"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("--sketch-nice: '20' is not an integer in [0, 19]")) << r.out;
}

}  // namespace
}  // namespace dubare
