// Copyright 2026 The Dubare Authors.
//
// The bad-input table of docs/hostile-input.md, row by row, through the CLI
// at $DUBARE_BIN: what `dubare dedup` and `dubare normalize` do with empty,
// broken, binary, malformed and unreachable input. Each test checks the exit
// code, the message, and what is kept.

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hostile/dedup_run.h"
#include "hostile/hostile_test_util.h"

namespace dubare::hostile {
namespace {

using ::testing::HasSubstr;

constexpr char kGoodA[] = "یەکەم دێڕی باش لێرەدایە و درێژە";
constexpr char kGoodB[] = "Ev rêza duyem e û bi tevahî cuda ye";

// ---- Empty input -------------------------------------------------------------

TEST(EmptyInput, EmptyFileIsARejectedDocumentNotAnError) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  dir.Write("empty.txt", "");
  dir.Write("good.txt", kGoodA);
  DedupRun run = RunDedup(dir, {"empty.txt", "good.txt"});
  ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
  const Rejection* r = run.Find("empty.txt");
  ASSERT_NE(r, nullptr) << run.summary;
  EXPECT_EQ(r->reason, "empty");
  EXPECT_EQ(run.Count("documents"), 1);
  EXPECT_EQ(ReadLines(run.out_dir + "/kept_files.txt"), std::vector<std::string>{"good.txt"});
}

TEST(EmptyInput, EmptyJsonlFileHasNoRecordsAndSucceeds) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  dir.Write("empty.jsonl", "");
  DedupRun run = RunDedup(dir, {"empty.jsonl"});
  ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
  EXPECT_EQ(run.Count("inputs"), 0);
  EXPECT_EQ(run.Count("rejected"), 0);
}

TEST(EmptyInput, NormalizeOfAnEmptyFilePrintsNothingAndSucceeds) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  CliResult r = RunCli({"normalize", dir.Write("empty.txt", "")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(EmptyInput, EmptyAndBlankDocumentsAreRejectedAsEmpty) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  dir.Write("in.jsonl", absl::StrCat("{\"id\":\"e\",\"text\":\"\"}\n",
                                     "{\"id\":\"w\",\"text\":\" \\n\\t \"}\n", "\n",
                                     "{\"id\":\"g\",\"text\":\"", kGoodA, "\"}\n"));
  DedupRun run = RunDedup(dir, {"in.jsonl"});
  ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
  ASSERT_EQ(run.rejected.size(), 3u);
  for (const char* where : {"in.jsonl:1", "in.jsonl:2", "in.jsonl:3"}) {
    ASSERT_NE(run.Find(where), nullptr) << where;
    EXPECT_EQ(run.Find(where)->reason, "empty") << where;
  }
  EXPECT_EQ(run.Find("in.jsonl:1")->id, "e");
  EXPECT_EQ(ReadLines(run.out_dir + "/kept.jsonl").size(), 1u);
}

// ---- Invalid UTF-8 --------------------------------------------------------------

struct BadUtf8 {
  const char* name;
  std::string bytes;  // ends the file: the truncated case must be at EOF
  int offset;         // of the first invalid byte within `bytes`
};

class InvalidUtf8 : public ::testing::TestWithParam<BadUtf8> {};

INSTANTIATE_TEST_SUITE_P(
    Kinds, InvalidUtf8,
    ::testing::Values(BadUtf8{"LoneContinuation", "ab\x80" "cd", 2},
                      BadUtf8{"Overlong", "a\xC0\xAF" "b", 1},
                      BadUtf8{"Surrogate", "ab\xED\xA0\x80", 2},
                      BadUtf8{"TruncatedAtEof", "abc \xD9", 4}),
    [](const ::testing::TestParamInfo<BadUtf8>& info) { return info.param.name; });

TEST_P(InvalidUtf8, NormalizeFailsNamingTheByteOffset) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  const std::string prefix = "ok\n";
  CliResult r = RunCli({"normalize", dir.Write("bad.txt", prefix + GetParam().bytes)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("bad.txt: invalid UTF-8 at byte offset ",
                                            prefix.size() + GetParam().offset)));
  EXPECT_EQ(r.out, "");
}

TEST_P(InvalidUtf8, NormalizeWithReplaceKeepsTheTextAndCountsTheReplacements) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  CliResult r = RunCli(
      {"normalize", "--on-invalid", "replace", dir.Write("bad.txt", GetParam().bytes)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\xEF\xBF\xBD"));  // U+FFFD
  EXPECT_THAT(r.out, HasSubstr("a"));
  EXPECT_THAT(r.err, HasSubstr("replaced"));
}

TEST_P(InvalidUtf8, DedupRejectsOnlyThatLineWithItsOffset) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  dir.Write("in.txt", absl::StrCat(kGoodA, "\n", kGoodB, "\n", GetParam().bytes));
  DedupRun run = RunDedup(dir, {"in.txt"}, {"--input-format", "lines"});
  ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
  ASSERT_EQ(run.rejected.size(), 1u);
  EXPECT_EQ(run.rejected[0].where, "in.txt:3");
  EXPECT_EQ(run.rejected[0].reason, "invalid_utf8");
  EXPECT_THAT(run.rejected[0].detail, HasSubstr(absl::StrCat("byte ", GetParam().offset)));
  EXPECT_EQ(ReadLines(run.out_dir + "/kept_lines.txt"),
            (std::vector<std::string>{kGoodA, kGoodB}));
}

TEST(InvalidUtf8Json, RawInvalidBytesAndLoneSurrogateEscapesAreRejected) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  dir.Write("in.jsonl", absl::StrCat("{\"id\":\"raw\",\"text\":\"ab\x80" "cd\"}\n",
                                     "{\"id\":\"esc\",\"text\":\"a\\ud800b\"}\n",
                                     "{\"id\":\"g\",\"text\":\"", kGoodA, "\"}\n"));
  DedupRun run = RunDedup(dir, {"in.jsonl"});
  ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
  ASSERT_EQ(run.rejected.size(), 2u);
  EXPECT_EQ(run.Find("in.jsonl:1")->reason, "invalid_utf8");
  EXPECT_THAT(run.Find("in.jsonl:1")->detail, HasSubstr("byte 22"));
  EXPECT_EQ(run.Find("in.jsonl:2")->reason, "malformed_json");
  EXPECT_EQ(ReadLines(run.out_dir + "/kept.jsonl").size(), 1u);
}

// ---- NUL bytes and binary files ---------------------------------------------------

TEST(NulBytes, TextWithNulIsRejectedAsBinaryWithItsOffset) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  dir.Write("in.jsonl", absl::StrCat("{\"id\":\"z\",\"text\":\"ab\\u0000c\"}\n",
                                     "{\"id\":\"g\",\"text\":\"", kGoodA, "\"}\n"));
  dir.Write("in.txt", absl::StrCat("x", std::string(1, '\0'), "y\n", kGoodB, "\n"));
  DedupRun run = RunDedup(dir, {"in.jsonl", "in.txt"}, {"--input-format", "auto"});
  ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
  ASSERT_NE(run.Find("in.jsonl:1"), nullptr);
  EXPECT_EQ(run.Find("in.jsonl:1")->reason, "binary");
  EXPECT_THAT(run.Find("in.jsonl:1")->detail, HasSubstr("NUL byte at byte 2"));
  ASSERT_NE(run.Find("in.txt"), nullptr);  // a .txt file is one document
  EXPECT_EQ(run.Find("in.txt")->reason, "binary");
  EXPECT_EQ(run.Count("documents"), 1);
}

TEST(NulBytes, NormalizeDropsNulAndKeepsTheText) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  CliResult r = RunCli({"normalize", dir.Write("nul.txt", std::string("ab\0cd", 5))});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find('\0'), std::string::npos);
  EXPECT_THAT(r.out, HasSubstr("ab"));
}

TEST(BinaryFile, ExecutableAndRandomBytesAreRejectedNotRead) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  dir.Write("prog.bin", std::string("\x7f" "ELF\x02\x01\x01\x00\x00\x00rest", 14));
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1103515245 + 12345;
    noise.push_back(static_cast<char>(0x80 | (x >> 24)));  // high bytes, no NUL
  }
  noise[0] = '\xC0';  // an invalid lead byte first, so the offset is fixed
  dir.Write("noise.bin", noise);
  DedupRun run = RunDedup(dir, {"prog.bin", "noise.bin"});
  // No input was a document: the run fails (exit 1) with its outputs written.
  ASSERT_EQ(run.cli.exit_code, 1) << run.cli.err;
  ASSERT_EQ(run.rejected.size(), 2u);
  EXPECT_EQ(run.Find("prog.bin")->reason, "binary");
  EXPECT_THAT(run.Find("prog.bin")->detail, HasSubstr("NUL byte at byte 7"));
  EXPECT_EQ(run.Find("noise.bin")->reason, "invalid_utf8");
  EXPECT_THAT(run.Find("noise.bin")->detail, HasSubstr("byte 0"));
}

// ---- Malformed JSON Lines ------------------------------------------------------------

TEST(JsonLines, ValuesThatAreNotObjectsAreRejectedAsNotAnObject) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  dir.Write("in.jsonl", absl::StrCat("[1,2]\n\"text\"\n42\nnull\ntrue\n{\"text\":\"", kGoodA,
                                     "\"}\n"));
  DedupRun run = RunDedup(dir, {"in.jsonl"});
  ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
  ASSERT_EQ(run.rejected.size(), 5u);
  for (const Rejection& r : run.rejected) {
    EXPECT_EQ(r.reason, "not_an_object") << r.where;
    EXPECT_THAT(r.detail, HasSubstr("not an object")) << r.where;
  }
  EXPECT_EQ(ReadLines(run.out_dir + "/kept.jsonl").size(), 1u);
}

TEST(JsonLines, BrokenJsonIsRejectedAsMalformed) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  dir.Write("in.jsonl", absl::StrCat("{\"text\": \"a\"\n{text: 1}\n{\"text\":\"", kGoodB, "\"}\n"));
  DedupRun run = RunDedup(dir, {"in.jsonl"});
  ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
  ASSERT_EQ(run.rejected.size(), 2u);
  EXPECT_EQ(run.Find("in.jsonl:1")->reason, "malformed_json");
  EXPECT_EQ(run.Find("in.jsonl:2")->reason, "malformed_json");
}

TEST(JsonLines, MissingNullAndNonStringTextFieldsAreRejectedByName) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  dir.Write("in.jsonl", absl::StrCat("{\"id\":\"m\"}\n", "{\"id\":\"n\",\"text\":null}\n",
                                     "{\"id\":\"num\",\"text\":5}\n",
                                     "{\"id\":\"arr\",\"text\":[\"a\"]}\n",
                                     "{\"id\":\"obj\",\"text\":{\"a\":\"b\"}}\n",
                                     "{\"id\":\"g\",\"text\":\"", kGoodA, "\"}\n"));
  DedupRun run = RunDedup(dir, {"in.jsonl"});
  ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
  ASSERT_EQ(run.rejected.size(), 5u);
  EXPECT_EQ(run.Find("in.jsonl:1")->reason, "missing_text");
  EXPECT_EQ(run.Find("in.jsonl:1")->detail, "no field 'text'");
  EXPECT_EQ(run.Find("in.jsonl:1")->id, "m");
  EXPECT_EQ(run.Find("in.jsonl:2")->reason, "missing_text");  // null counts as absent
  EXPECT_EQ(run.Find("in.jsonl:3")->reason, "text_not_string");
  EXPECT_THAT(run.Find("in.jsonl:3")->detail, HasSubstr("a number, not a string"));
  EXPECT_EQ(run.Find("in.jsonl:4")->reason, "text_not_string");
  EXPECT_EQ(run.Find("in.jsonl:5")->reason, "text_not_string");
  EXPECT_EQ(ReadLines(run.out_dir + "/kept.jsonl").size(), 1u);
}

TEST(JsonLines, StrictStopsAtTheFirstRejectionWithItsLocation) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  dir.Write("in.jsonl", absl::StrCat("{\"text\":\"", kGoodA, "\"}\n[1]\n"));
  DedupRun run = RunDedup(dir, {"in.jsonl"}, {"--strict"});
  EXPECT_EQ(run.cli.exit_code, 1);
  EXPECT_THAT(run.cli.err, HasSubstr("in.jsonl:2"));
  EXPECT_THAT(run.cli.err, HasSubstr("not_an_object"));
}

// ---- File system ------------------------------------------------------------------------

TEST(FileSystem, SymlinkLoopIsRejectedAndEachFileReadOnce) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  dir.Write("tree/a/one.txt", kGoodA);
  dir.Write("tree/b/two.txt", kGoodB);
  std::filesystem::create_directory_symlink("..", dir.Path("tree/a/up"));
  std::filesystem::create_directory_symlink(".", dir.Path("tree/b/self"));
  DedupRun run = RunDedup(dir, {"tree"});
  ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
  ASSERT_NE(run.Find("tree/a/up"), nullptr) << run.summary;
  EXPECT_EQ(run.Find("tree/a/up")->reason, "directory_loop");
  ASSERT_NE(run.Find("tree/b/self"), nullptr);
  EXPECT_EQ(run.Find("tree/b/self")->reason, "directory_loop");
  EXPECT_EQ(ReadLines(run.out_dir + "/kept_files.txt"),
            (std::vector<std::string>{"tree/a/one.txt", "tree/b/two.txt"}));
}

TEST(FileSystem, FifoAndCorruptGzipAreUnreadableAndTheRestIsKept) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  dir.Write("in/good.txt", kGoodA);
  ASSERT_EQ(::mkfifo(dir.Path("in/pipe").c_str(), 0600), 0);
  dir.Write("in/broken.txt.gz", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x4b", 11));
  DedupRun run = RunDedup(dir, {"in"});
  ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
  ASSERT_NE(run.Find("in/pipe"), nullptr);
  EXPECT_EQ(run.Find("in/pipe")->reason, "unreadable");
  EXPECT_THAT(run.Find("in/pipe")->detail, HasSubstr("not a regular file"));
  ASSERT_NE(run.Find("in/broken.txt.gz"), nullptr);
  EXPECT_EQ(run.Find("in/broken.txt.gz")->reason, "unreadable");
  EXPECT_THAT(run.Find("in/broken.txt.gz")->detail, HasSubstr("gzip"));
  EXPECT_EQ(ReadLines(run.out_dir + "/kept_files.txt"), std::vector<std::string>{"in/good.txt"});
}

TEST(FileSystem, FileWithoutReadPermissionIsUnreadable) {
  DUBARE_REQUIRE_CLI();
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root: mode 000 does not stop root from reading; the FIFO and "
                    "corrupt-gzip cases cover 'unreadable'";
  }
  TempDir dir;
  dir.Write("in/secret.txt", kGoodA);
  dir.Write("in/good.txt", kGoodB);
  ASSERT_EQ(::chmod(dir.Path("in/secret.txt").c_str(), 0), 0);
  DedupRun run = RunDedup(dir, {"in"});
  ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
  ASSERT_NE(run.Find("in/secret.txt"), nullptr);
  EXPECT_EQ(run.Find("in/secret.txt")->reason, "unreadable");
}

TEST(FileSystem, MissingInputPathFailsBeforeAnyWork) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  DedupRun run = RunDedup(dir, {"no_such_file.txt"});
  EXPECT_EQ(run.cli.exit_code, 1);
  EXPECT_THAT(run.cli.err, HasSubstr("no_such_file.txt"));
  EXPECT_THAT(run.cli.err, HasSubstr("No such file"));
}

// ---- Full disk on output ------------------------------------------------------------------

TEST(FullDisk, NormalizeToAFullDeviceFailsWithExitOne) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  CliOptions full;
  full.stdout_path = "/dev/full";
  CliResult r = RunCli({"normalize", dir.Write("in.txt", kGoodA)}, full);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot write standard output"));
}

// Every command that prints: a failed write to standard output is exit 1
// with a message, never a silent success.
TEST(FullDisk, EveryCommandPrintingToAFullDeviceFails) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  const std::string a = dir.Write("a.txt", kGoodA), b = dir.Write("b.txt", kGoodA);
  const std::string jsonl = dir.Write("in.jsonl", "{\"id\":\"x\",\"text\":\"یەک دوو سێ چوار\"}\n");
  const std::string idx = dir.Path("i.idx");
  ASSERT_EQ(RunCli({"index", "create", idx}).exit_code, 0);
  CliOptions full;
  full.stdout_path = "/dev/full";
  const std::vector<std::vector<std::string>> commands = {
      {"--version"},
      {"--help"},
      {"compare", a, b},
      {"sketch", a},
      {"dedup", jsonl, "--out", dir.Path("out")},
      {"passages", a, b},
      {"index", "add", idx, jsonl},
      {"index", "query", idx, jsonl},
      {"index", "stats", idx},
  };
  for (const auto& args : commands) {
    CliResult r = RunCli(args, full);
    // Commands with a verdict (compare, index query) exit as cmp and grep do:
    // 2 for trouble; the others 1.
    const bool verdict = args[0] == "compare" || (args.size() > 1 && args[1] == "query");
    EXPECT_EQ(r.exit_code, verdict ? 2 : 1) << args[0] << " " << args.back() << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("standard output")) << args[0];
  }
}

// An --out that is a link or a device is written through, never replaced.
TEST(FileSystem, OutputToALinkOrADeviceIsWrittenThrough) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  const std::string a = dir.Write("a.txt", kGoodA), b = dir.Write("b.txt", kGoodA);
  const std::string target = dir.Write("report.txt", "old");
  std::filesystem::create_symlink(target, dir.Path("link.txt"));
  CliResult r = RunCli({"passages", a, b, "--out", dir.Path("link.txt")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_symlink(dir.Path("link.txt")));
  EXPECT_NE(ReadAll(target), "old");
  r = RunCli({"passages", a, b, "--out", "/dev/null"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
  r = RunCli({"passages", a, b, "--out", "/dev/full"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("/dev/full"));
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/full"));
}

TEST(FullDisk, DedupStopsNamingTheFileAndLeavesNoPartialOutput) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  std::string jsonl;
  for (int i = 0; i < 300; ++i) {
    std::string text;
    for (int w = 0; w < 20; ++w) absl::StrAppend(&text, "word", i, "_", w, " other", i * 7 + w, " ");
    absl::StrAppend(&jsonl, "{\"id\":\"", i, "\",\"text\":\"", text, "\"}\n");
  }
  dir.Write("in.jsonl", jsonl);
  CliOptions small_disk;
  small_disk.max_file_bytes = 16 << 10;  // every file may grow to 16 KiB only
  DedupRun run = RunDedup(dir, {"in.jsonl"}, {}, small_disk);
  EXPECT_EQ(run.cli.exit_code, 1);
  EXPECT_THAT(run.cli.err, HasSubstr("kept.jsonl"));
  EXPECT_THAT(run.cli.err, HasSubstr("write failed"));
  // Written into a partial directory that the failure removes: no output
  // directory appears, nothing is left beside it.
  EXPECT_FALSE(std::filesystem::exists(run.out_dir));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    const std::string name = entry.path().filename().string();
    EXPECT_FALSE(absl::StrContains(name, ".partial")) << "left behind: " << name;
  }
}

// A run that fails (or is killed) leaves the previous output whole: the new
// one is written aside and swapped in at the end.
TEST(FullDisk, AFailedRunLeavesThePreviousOutputWhole) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  std::string jsonl;
  for (int i = 0; i < 300; ++i) {
    std::string text;
    for (int w = 0; w < 20; ++w) absl::StrAppend(&text, "word", i, "_", w, " other", i * 7 + w, " ");
    absl::StrAppend(&jsonl, "{\"id\":\"", i, "\",\"text\":\"", text, "\"}\n");
  }
  dir.Write("in.jsonl", jsonl);
  DedupRun first = RunDedup(dir, {"in.jsonl"});
  ASSERT_EQ(first.cli.exit_code, 0) << first.cli.err;
  const std::string kept = ReadAll(first.out_dir + "/kept.jsonl");
  CliOptions small_disk;
  small_disk.max_file_bytes = 16 << 10;
  DedupRun second = RunDedup(dir, {"in.jsonl"}, {"--threshold", "0.9"}, small_disk);
  EXPECT_EQ(second.cli.exit_code, 1);
  EXPECT_EQ(ReadAll(first.out_dir + "/kept.jsonl"), kept);
  EXPECT_EQ(second.summary, first.summary);
}

}  // namespace
}  // namespace dubare::hostile
