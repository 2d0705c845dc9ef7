// Copyright 2026 The Dubare Authors.
//
// Numbers and options out of range, through the CLI: each is refused before
// any work with a message naming the flag and the accepted range or values.
// All exit 2 (usage), also settings that are each in range but do not fit
// together (the library's Options::Validate refuses them).

#include <filesystem>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hostile/hostile_test_util.h"

namespace dubare::hostile {
namespace {

using ::testing::HasSubstr;

struct BadFlags {
  std::vector<std::string> args;  // after "dubare"; "IN" and "OUT" are replaced
  int exit_code;
  std::string message;
};

class OutOfRange : public ::testing::TestWithParam<BadFlags> {};

INSTANTIATE_TEST_SUITE_P(
    Flags, OutOfRange,
    ::testing::Values(
        BadFlags{{"dedup", "IN", "--out", "OUT", "--num-perm", "5"}, 2,
                 "--num-perm: '5' is not an integer in [64, 1024]"},
        BadFlags{{"dedup", "IN", "--out", "OUT", "--num-perm", "99999999999999999999"}, 2,
                 "--num-perm"},
        BadFlags{{"dedup", "IN", "--out", "OUT", "--threshold", "1.5"}, 2,
                 "--threshold: '1.5' is not a number in [0.01, 1]"},
        BadFlags{{"dedup", "IN", "--out", "OUT", "--threshold", "nan"}, 2, "--threshold"},
        BadFlags{{"dedup", "IN", "--out", "OUT", "--threads", "-1"}, 2,
                 "--threads: '-1' is not an integer in [0, 1024]"},
        BadFlags{{"dedup", "IN", "--out", "OUT", "--shingle", "word:99"}, 2,
                 "shingle size 99 out of range 1..16"},
        BadFlags{{"dedup", "IN", "--out", "OUT", "--shingle", "bigram"}, 2, "--shingle"},
        BadFlags{{"dedup", "IN", "--out", "OUT", "--method", "magic"}, 2, "magic"},
        BadFlags{{"dedup", "IN", "--out", "OUT", "--no-such-flag"}, 2,
                 "unknown option '--no-such-flag'"},
        BadFlags{{"dedup", "IN"}, 2, "--out DIR is required"},
        BadFlags{{"dedup", "IN", "--out", "OUT", "--bands", "40", "--rows", "8"}, 2,
                 "bands 40 x rows 8 exceeds num_perm 128"},
        BadFlags{{"dedup", "IN", "--out", "OUT", "--bands", "4"}, 2,
                 "give both bands and rows, or neither"},
        BadFlags{{"normalize", "IN", "--form", "pretty"}, 2,
                 "unknown form 'pretty' (accepted: canonical, match)"},
        BadFlags{{"normalize", "IN", "--on-invalid", "ignore"}, 2, "ignore"},
        BadFlags{{"index", "create", "OUT", "--num-perm", "100000"}, 2,
                 "--num-perm: '100000' is not an integer in [64, 1024]"},
        BadFlags{{"no-such-command"}, 2, "unknown command 'no-such-command'"}));

TEST_P(OutOfRange, IsRefusedBeforeAnyWorkNamingTheFlag) {
  DUBARE_REQUIRE_CLI();
  TempDir dir;
  const std::string in = dir.Write("in.txt", "وشەیەک و وشەیەکی تر");
  const std::string out = dir.Path("out");
  std::vector<std::string> args = GetParam().args;
  for (std::string& a : args) {
    if (a == "IN") a = in;
    if (a == "OUT") a = out;
  }
  CliResult r = RunCli(args);
  EXPECT_EQ(r.exit_code, GetParam().exit_code) << r.err;
  EXPECT_THAT(r.err, HasSubstr(GetParam().message));
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(std::filesystem::exists(out + "/summary.json"));
}

}  // namespace
}  // namespace dubare::hostile
