// Copyright 2026 The Dubare Authors.
//
// `dubare normalize` end to end: the built binary ($DUBARE_BIN, set by ctest)
// run on a file, on standard input, on a missing file and on invalid UTF-8
// under both policies.

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scratch_dir.h"

namespace dubare {
namespace {

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Bin() {
  const char* bin = std::getenv("DUBARE_BIN");
  return bin != nullptr ? bin : DUBARE_BINARY_DIR "/dubare";
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A path private to the running test (ctest runs tests in parallel).
std::string TempPath(const std::string& name) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  return absl::StrCat(dubare::testing::ProcessScratchDir(), "/", test->name(), "_", name);
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

// Runs `dubare ARGS` through the shell with stdout and stderr captured.
Result RunDubare(const std::string& args, const std::string& stdin_path = "/dev/null") {
  const std::string out = TempPath("stdout"), err = TempPath("stderr");
  const std::string command =
      absl::StrCat("'", Bin(), "' ", args, " <'", stdin_path, "' >'", out, "' 2>'", err, "'");
  const int status = std::system(command.c_str());
  Result r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(out);
  r.err = Slurp(err);
  return r;
}

class NormalizeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(Bin())) GTEST_SKIP() << "dubare binary not found at " << Bin();
  }
};

TEST_F(NormalizeCli, FileInCanonicalAndMatchForm) {
  const std::string path = TempPath("in.txt");
  WriteFile(path, "\xEF\xBB\xBF" "كوردستان له\u200C رووبەڕوو\r\n");
  Result r = RunDubare(absl::StrCat("normalize '", path, "'"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "کوردستان لە ڕووبەڕوو\n");

  r = RunDubare(absl::StrCat("normalize --form match --no-keep-spaces '", path, "'"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "کوردستانلهرووبهروو\n");
}

TEST_F(NormalizeCli, StandardInputWhenNoFileOrDash) {
  const std::string path = TempPath("stdin.txt");
  WriteFile(path, "Amed’ê  DİYARBAKIR");
  Result r = RunDubare("normalize --form match", path);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "amede diyarbakir\n");
  r = RunDubare("normalize --script kurmanji -", path);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Amed'ê DIYARBAKIR\n");
}

TEST_F(NormalizeCli, MissingFileIsAnErrorNamingIt) {
  Result r = RunDubare("normalize /nonexistent/dubare-missing.txt");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/dubare-missing.txt"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(NormalizeCli, InvalidUtf8ErrorNamesFileAndOffset) {
  const std::string path = TempPath("bad.txt");
  WriteFile(path, "abc\xC3(def\xFF");
  Result r = RunDubare(absl::StrCat("normalize '", path, "'"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("byte offset 3"), std::string::npos) << r.err;
}

TEST_F(NormalizeCli, InvalidUtf8ReplacedAndCounted) {
  const std::string path = TempPath("bad2.txt");
  WriteFile(path, "abc\xC3(def\xFF");
  Result r = RunDubare(absl::StrCat("normalize --on-invalid replace '", path, "'"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "abc\uFFFD(def\uFFFD\n");
  EXPECT_NE(r.err.find("replaced 2 invalid UTF-8 sequences"), std::string::npos) << r.err;
}

TEST_F(NormalizeCli, BadFlagValueIsAUsageError) {
  Result r = RunDubare("normalize --form nope");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("canonical"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dubare
