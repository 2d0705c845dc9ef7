// Copyright 2026 The Dubare Authors.
//
// What scripts rely on: --format json of compare and the index commands,
// exit statuses in the manner of cmp(1) and grep(1) (0 found, 1 not found,
// 2 trouble), --version naming the persisted formats, and the nearest
// command or flag suggested for a typo.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "hostile/hostile_test_util.h"
#include "scratch_dir.h"

namespace dubare {
namespace {

std::string Press(int i) {
  static const char* kFiles[] = {"000_5291fdcf528d368e.txt", "001_69530e917d6fc09d.txt",
                                 "002_122282706c503a34.txt"};
  return absl::StrCat(DUBARE_SOURCE_DIR, "/corpus/press/", kFiles[i]);
}

TEST(ScriptingCliTest, CompareExitsLikeCmpAndSpeaksJson) {
  hostile::CliResult same = hostile::RunCli({"compare", "--format", "json", Press(0), Press(0)});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_TRUE(absl::StartsWith(same.out, "{\"a\":")) << same.out;
  EXPECT_NE(same.out.find("\"jaccard\":1,"), std::string::npos) << same.out;
  EXPECT_NE(same.out.find("\"duplicate\":true}"), std::string::npos) << same.out;
  hostile::CliResult other = hostile::RunCli({"compare", Press(0), Press(1)});
  EXPECT_EQ(other.exit_code, 1) << other.err;
  EXPECT_NE(other.out.find("not near-duplicates"), std::string::npos);
  hostile::CliResult missing = hostile::RunCli({"compare", Press(0), "/nonexistent/b.txt"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("/nonexistent/b.txt"), std::string::npos) << missing.err;
  EXPECT_EQ(hostile::RunCli({"compare", "--format", "xml", Press(0), Press(1)}).exit_code, 2);
  // A bad document is named by its path (issue 21, point 5).
  const std::string dir = testing::NewScratchDir("scripting_compare");
  const std::string bad = dir + "/bad.txt";
  FILE* f = std::fopen(bad.c_str(), "wb");
  std::fputs("abc \xff def", f);
  std::fclose(f);
  hostile::CliResult invalid = hostile::RunCli({"compare", Press(0), bad});
  EXPECT_EQ(invalid.exit_code, 2);
  EXPECT_NE(invalid.err.find(bad + ": invalid UTF-8 at byte offset 4"), std::string::npos) << invalid.err;
}

TEST(ScriptingCliTest, IndexQueryExitsLikeGrepAndIndexCommandsSpeakJson) {
  const std::string dir = testing::NewScratchDir("scripting_cli");
  const std::string idx = dir + "/t.idx";
  ASSERT_EQ(hostile::RunCli({"index", "create", idx}).exit_code, 0);
  hostile::CliResult add = hostile::RunCli({"index", "add", idx, Press(0), Press(1), "--format", "json"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  std::vector<std::string> lines = absl::StrSplit(add.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << add.out;
  EXPECT_TRUE(absl::StartsWith(lines[0], absl::StrCat("{\"id\":\"", Press(0), "\",\"status\":\"new\"")))
      << lines[0];
  EXPECT_NE(add.err.find("{\"documents\":2,\"new\":2,"), std::string::npos) << add.err;

  hostile::CliResult found = hostile::RunCli({"index", "query", idx, Press(1), Press(2), "--format", "json"});
  EXPECT_EQ(found.exit_code, 0) << found.err;
  EXPECT_NE(found.out.find("\"status\":\"exists\""), std::string::npos) << found.out;
  hostile::CliResult none = hostile::RunCli({"index", "query", idx, Press(2)});
  EXPECT_EQ(none.exit_code, 1) << none.err;
  EXPECT_NE(none.out.find("\tnew\t-\t-"), std::string::npos) << none.out;
  EXPECT_EQ(hostile::RunCli({"index", "query", dir + "/missing.idx", Press(2)}).exit_code, 2);

  hostile::CliResult stats = hostile::RunCli({"index", "stats", idx, "--format", "json"});
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_TRUE(absl::StartsWith(stats.out, "{\"sketch\":\"v1 ")) << stats.out;
  EXPECT_NE(stats.out.find("\"documents\":2,"), std::string::npos) << stats.out;
}

TEST(ScriptingCliTest, VersionNamesThePersistedFormats) {
  hostile::CliResult v = hostile::RunCli({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_TRUE(absl::StartsWith(v.out, "dubare 0.")) << v.out;
  for (const char* part : {"normalizer v", "sketch encoding v", "LSH band keys v", "index schema v"}) {
    EXPECT_NE(v.out.find(part), std::string::npos) << v.out;
  }
}

TEST(ScriptingCliTest, TyposGetTheNearestName) {
  hostile::CliResult c = hostile::RunCli({"dedpu"});
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_NE(c.err.find("unknown command 'dedpu'; did you mean 'dedup'?"), std::string::npos) << c.err;
  hostile::CliResult f = hostile::RunCli({"dedup", "--thresold", "0.3", "--out", "x", "y"});
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_NE(f.err.find("unknown option '--thresold'; did you mean --threshold?"), std::string::npos)
      << f.err;
  hostile::CliResult far = hostile::RunCli({"dedup", "--zzzzzzzz", "--out", "x", "y"});
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << far.err;
}

// Issue 21, point 5: an id with a NUL or another control character is
// escaped in every tab-separated output, never printed cut.
TEST(ScriptingCliTest, ControlCharactersInIdsAreEscapedNotCut) {
  const std::string dir = testing::NewScratchDir("scripting_nul_ids");
  const std::string input = dir + "/in.jsonl";
  FILE* f = std::fopen(input.c_str(), "wb");
  std::fputs("{\"id\":\"a\\u0000b\\u0007\",\"text\":\"یەک دوو سێ چوار پێنج\"}\n"
             "{\"id\":\"c\",\"text\":\"یەک دوو سێ چوار پێنج\"}\n", f);
  std::fclose(f);
  ASSERT_EQ(hostile::RunCli({"dedup", input, "--out", dir + "/out"}).exit_code, 0);
  FILE* pairs = std::fopen((dir + "/out/pairs.tsv").c_str(), "rb");
  ASSERT_NE(pairs, nullptr);
  char buf[256] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, pairs);
  std::fclose(pairs);
  EXPECT_EQ(std::string(buf, n),
            "id_a\tid_b\tscore\tjaccard\tcontainment\tdecided_by\n"
            "a\\x00b\\x07\tc\t1.0000\t1.0000\t1.0000\texact_copy\n");
  const std::string idx = dir + "/i.idx";
  ASSERT_EQ(hostile::RunCli({"index", "create", idx}).exit_code, 0);
  hostile::CliResult add = hostile::RunCli({"index", "add", idx, input});
  EXPECT_EQ(add.out, "a\\x00b\\x07\tnew\t-\t-\nc\tduplicate\ta\\x00b\\x07\t1.0000\n");
}

// Issue 20, point 4: a run in which not one input could be read is a
// failure a script can see (the outputs, rejected.tsv included, are written).
TEST(ScriptingCliTest, NoReadableInputIsAFailure) {
  const std::string dir = testing::NewScratchDir("scripting_all_refused");
  const std::string input = dir + "/bad.jsonl";
  FILE* f = std::fopen(input.c_str(), "wb");
  std::fputs("{broken\n{\"id\": 1}\n", f);
  std::fclose(f);
  hostile::CliResult dedup = hostile::RunCli({"dedup", input, "--out", dir + "/out"});
  EXPECT_EQ(dedup.exit_code, 1);
  EXPECT_NE(dedup.err.find("none of the 2 inputs is a document"), std::string::npos) << dedup.err;
  EXPECT_TRUE(std::filesystem::exists(dir + "/out/rejected.tsv"));
  const std::string idx = dir + "/i.idx";
  ASSERT_EQ(hostile::RunCli({"index", "create", idx}).exit_code, 0);
  EXPECT_EQ(hostile::RunCli({"index", "add", idx, input}).exit_code, 1);
  EXPECT_EQ(hostile::RunCli({"index", "query", idx, input}).exit_code, 2);
  // One good record among them: a normal run.
  f = std::fopen(input.c_str(), "ab");
  std::fputs("{\"id\":\"ok\",\"text\":\"یەک دوو سێ چوار\"}\n", f);
  std::fclose(f);
  EXPECT_EQ(hostile::RunCli({"dedup", input, "--out", dir + "/out"}).exit_code, 0);
}

// Issue 21, point 4: commands that read whole files stop at the document
// limit instead of growing until the allocator gives up.
TEST(ScriptingCliTest, EndlessInputStopsAtTheDocumentLimit) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"normalize", "/dev/zero"},
                                             {"sketch", "/dev/zero"},
                                             {"compare", "/dev/zero", Press(0)}}) {
    hostile::CliResult r = hostile::RunCli(args);
    EXPECT_EQ(r.exit_code, args[0] == "compare" ? 2 : 1) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("/dev/zero: more than 16777216 bytes"), std::string::npos) << r.err;
  }
  hostile::CliResult small = hostile::RunCli({"sketch", "--max-document-bytes", "100", Press(0)});
  EXPECT_EQ(small.exit_code, 1);
  EXPECT_NE(small.err.find("over the limit of 100"), std::string::npos) << small.err;
}

// Issue 20, point 2: the whole-file commands read what dedup reads.
TEST(ScriptingCliTest, WholeFileCommandsReadCompressedInput) {
  const std::string dir = testing::NewScratchDir("scripting_gzip");
  const std::string gz = dir + "/a.txt.gz";
  ASSERT_EQ(std::system(absl::StrCat("gzip -c '", Press(0), "' > '", gz, "'").c_str()), 0);
  hostile::CliResult plain = hostile::RunCli({"normalize", Press(0)});
  hostile::CliResult packed = hostile::RunCli({"normalize", gz});
  ASSERT_EQ(packed.exit_code, 0) << packed.err;
  EXPECT_EQ(packed.out, plain.out);
  // The same sketch under another id.
  const auto after_id = [](const std::string& out) { return out.substr(out.find("\"shingles\"")); };
  hostile::CliResult sketch = hostile::RunCli({"sketch", gz});
  ASSERT_EQ(sketch.exit_code, 0) << sketch.err;
  EXPECT_EQ(after_id(sketch.out), after_id(hostile::RunCli({"sketch", Press(0)}).out));
  hostile::CliResult same = hostile::RunCli({"compare", "--format", "json", Press(0), gz});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_NE(same.out.find("\"jaccard\":1,"), std::string::npos) << same.out;
  const std::string xz = dir + "/a.txt.xz";
  FILE* f = std::fopen(xz.c_str(), "wb");
  std::fwrite("\xfd" "7zXZ\0\0\x04junk", 1, 12, f);
  std::fclose(f);
  for (const char* command : {"normalize", "sketch"}) {
    hostile::CliResult r = hostile::RunCli({command, xz});
    EXPECT_EQ(r.exit_code, 1) << command;
    EXPECT_NE(r.err.find(xz + ": compressed with xz, which is not read"), std::string::npos) << r.err;
  }
  EXPECT_EQ(hostile::RunCli({"compare", Press(0), xz}).exit_code, 2);
}

// Issue 20, point 2: a JSON Lines file is read record by record by every
// command, with the same input flags, not taken as one document.
TEST(ScriptingCliTest, WholeFileCommandsReadJsonLinesRecordByRecord) {
  const std::string dir = testing::NewScratchDir("scripting_jsonl");
  const std::string jsonl = dir + "/news.jsonl";
  {
    FILE* f = std::fopen(jsonl.c_str(), "wb");
    std::fputs("{\"url\":\"a\",\"body\":\"كۆمه‌ڵه‌ی یەکەم\"}\n"
               "{\"url\":\"b\",\"body\":\"دوو سێ چوار\"}\n", f);
    std::fclose(f);
  }
  hostile::CliResult norm =
      hostile::RunCli({"normalize", "--id-field", "url", "--text-field", "body", jsonl});
  ASSERT_EQ(norm.exit_code, 0) << norm.err;
  EXPECT_EQ(norm.out, "{\"id\":\"a\",\"text\":\"کۆمەڵەی یەکەم\"}\n{\"id\":\"b\",\"text\":\"دوو سێ چوار\"}\n");
  hostile::CliResult sketch = hostile::RunCli({"sketch", "--id-field", "url", "--text-field", "body", jsonl});
  ASSERT_EQ(sketch.exit_code, 0) << sketch.err;
  std::vector<std::string> lines = absl::StrSplit(sketch.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << sketch.out;
  EXPECT_TRUE(absl::StartsWith(lines[1], "{\"id\":\"b\",")) << lines[1];
  // Without the field flags the records have no "text": named, not guessed.
  hostile::CliResult missing = hostile::RunCli({"sketch", jsonl});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find(jsonl + ":1: missing_text"), std::string::npos) << missing.err;
  // compare takes one document a side.
  hostile::CliResult two =
      hostile::RunCli({"compare", "--id-field", "url", "--text-field", "body", jsonl, Press(0)});
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_NE(two.err.find(jsonl + ": holds 2 documents"), std::string::npos) << two.err;
  // A directory gives a document per file; --input-format lines one per line.
  hostile::CliResult walk = hostile::RunCli({"sketch", DUBARE_SOURCE_DIR "/corpus/press"});
  EXPECT_EQ(walk.exit_code, 0) << walk.err;
  EXPECT_EQ(std::count(walk.out.begin(), walk.out.end(), '\n'), 3);
  const std::string text = dir + "/lines.txt";
  {
    FILE* f = std::fopen(text.c_str(), "wb");
    std::fputs("كۆمه‌ڵ\n\nیەک دوو\n", f);
    std::fclose(f);
  }
  hostile::CliResult by_line = hostile::RunCli({"normalize", "--input-format", "lines", text});
  EXPECT_EQ(by_line.exit_code, 0) << by_line.err;
  EXPECT_EQ(by_line.out, "کۆمەڵ\nیەک دوو\n");
  EXPECT_EQ(hostile::RunCli({"normalize", text}).out, "کۆمەڵ\n\nیەک دوو\n");
}

// The top-level help lists every command (and index's every subcommand),
// and each one listed answers --help.
TEST(ScriptingCliTest, HelpListsEveryCommandAndEachAnswersHelp) {
  hostile::CliResult top = hostile::RunCli({"--help"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  const std::string help = top.out + top.err;
  for (const char* command : {"normalize", "sketch", "compare", "dedup", "passages", "index"}) {
    EXPECT_NE(help.find(absl::StrCat("\n  ", command, " ")), std::string::npos) << command;
    EXPECT_EQ(hostile::RunCli({command, "--help"}).exit_code, 0) << command;
  }
  hostile::CliResult index = hostile::RunCli({"index", "--help"});
  const std::string index_help = index.out + index.err;
  for (const char* sub : {"create", "add", "query", "remove", "get", "stats", "check", "compact"}) {
    EXPECT_NE(index_help.find(absl::StrCat("\n  ", sub, " ")), std::string::npos) << sub;
    EXPECT_NE(help.find(sub), std::string::npos) << "top-level help misses index " << sub;
    EXPECT_EQ(hostile::RunCli({"index", sub, "--help"}).exit_code, 0) << sub;
  }
}

}  // namespace
}  // namespace dubare
