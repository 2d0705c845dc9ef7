// Copyright 2026 The Dubare Authors.
//
// DocumentSketcher against the stages composed by hand, its determinism
// across threads, and the `dubare sketch` / `dubare compare` commands.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dubare/normalize.h"
#include "dubare/shingle.h"
#include "dubare/jobs.h"
#include "dubare/sketch.h"
#include "gtest/gtest.h"

namespace dubare {
namespace {

const char kText[] =
    "ئەمڕۆ شەممە شاندی حکومەتی هەرێمی کوردستان لە مەنامە، پایتەختی بەحرەین لەگەڵ وەزیری "
    "بەرگریی ئەمریکا کۆبوونەوە. بەپێی راگەیێندراوی سەرۆکایەتیی حکومەتی هەرێمی کوردستان.";

TEST(DocumentSketcherTest, EqualsTheStagesComposedByHand) {
  for (MinHashMethod m : {MinHashMethod::kClassic, MinHashMethod::kOnePerm}) {
    SketchParams p;
    p.method = m;
    NormalizeOptions no;
    no.form = NormalForm::kMatchKey;
    absl::StatusOr<NormalizedText> norm = Normalizer(no).Normalize(kText);
    ASSERT_TRUE(norm.ok()) << norm.status();
    Shingles sh;
    Shingler(p.shingle).Shingle(norm->text, &sh);
    const uint64_t simhash = SimHash(sh.hashes);
    std::vector<uint64_t> set = sh.hashes;
    SortUnique(&set);

    DocumentSketcher sketcher(p);
    DocumentSketch got;
    for (int round = 0; round < 3; ++round) {  // reused buffers give the same answer
      ASSERT_TRUE(sketcher.Sketch(kText, &got).ok());
      EXPECT_EQ(got.shingles, set);
      EXPECT_EQ(got.minhash, MinHasher(p).Sketch(set).values);
      EXPECT_EQ(got.simhash, simhash);
      EXPECT_EQ(got.normalized_bytes, norm->text.size());
      DocumentSketch other;
      ASSERT_TRUE(sketcher.Sketch("Rojbaş", &other).ok());
    }
  }
}

// The index's shortcut (no SimHash, no sorted set) against the full sketch,
// on texts with repeated shingles, on the press reports, and on an empty text.
TEST(DocumentSketcherTest, SketchMinHashEqualsTheFullSketchsSignature) {
  std::vector<std::string> texts = {kText, absl::StrCat(kText, " ", kText, " ", kText), "", "x"};
  for (const auto& entry : std::filesystem::directory_iterator(DUBARE_SOURCE_DIR "/corpus/press")) {
    std::ifstream in(entry.path(), std::ios::binary);
    texts.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(texts.size(), 6u);
  for (MinHashMethod m : {MinHashMethod::kClassic, MinHashMethod::kOnePerm}) {
    SketchParams p;
    p.method = m;
    DocumentSketcher sketcher(p);
    DocumentSketch full;
    std::vector<uint32_t> minhash;
    for (const std::string& text : texts) {
      ASSERT_TRUE(sketcher.Sketch(text, &full).ok());
      ASSERT_TRUE(sketcher.SketchMinHash(text, &minhash).ok());
      EXPECT_EQ(minhash, full.minhash) << MinHashMethodName(m) << " " << text.substr(0, 40);
    }
  }
}

TEST(DocumentSketcherTest, InvalidUtf8IsAnErrorWithItsOffset) {
  DocumentSketcher sketcher{SketchParams()};
  DocumentSketch s;
  const absl::Status st = sketcher.Sketch("abc\xC0", &s);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("3"), std::string::npos) << st;
  DocumentSketcher lenient(SketchParams(), InvalidUtf8Policy::kReplace);
  EXPECT_TRUE(lenient.Sketch("abc\xC0", &s).ok());
}

TEST(DocumentSketcherTest, DeterministicAcrossThreads) {
  SketchParams p;
  DocumentSketch want;
  ASSERT_TRUE(DocumentSketcher(p).Sketch(kText, &want).ok());
  std::vector<DocumentSketch> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      DocumentSketcher s(p);
      for (int r = 0; r < 50; ++r) ASSERT_TRUE(s.Sketch(kText, &got[t]).ok());
    });
  }
  for (auto& th : threads) th.join();
  for (const DocumentSketch& g : got) {
    EXPECT_EQ(g.minhash, want.minhash);
    EXPECT_EQ(g.simhash, want.simhash);
  }
}

TEST(CompareDocumentsTest, ReportsExactAndEstimatedSimilarity) {
  const std::string a = kText;
  const std::string b = std::string(kText) + " هەروەها وەزیر سوپاسی کرد.";
  absl::StatusOr<DocumentComparison> c = CompareDocuments(a, b, SketchParams());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->exact.containment_a(), 1.0);
  EXPECT_LT(c->exact.containment_b(), 1.0);
  EXPECT_GT(c->exact.jaccard(), kDefaultJaccardThreshold);
  EXPECT_TRUE(c->duplicate());
  const std::string report = FormatComparison(*c, "a.txt", "b.txt");
  EXPECT_NE(report.find("near-duplicates (exact"), std::string::npos) << report;
  EXPECT_NE(report.find("a.txt"), std::string::npos);
  EXPECT_FALSE(CompareDocuments(a, "x\xFF", SketchParams()).ok());
}

TEST(FormatSketchJsonTest, CarriesIdParamsAndDecodableSignature) {
  SketchParams p;
  DocumentSketch s;
  ASSERT_TRUE(DocumentSketcher(p).Sketch(kText, &s).ok());
  const std::string json = FormatSketchJson("dir/\"q\".txt", s, p, SignatureKind::kMinHash);
  EXPECT_EQ(json.rfind("{\"id\":\"dir/\\\"q\\\".txt\",\"shingles\":", 0), 0u) << json;
  EXPECT_NE(json.find(p.ToString()), std::string::npos);
  const size_t at = json.find("\"signature\":\"") + 13;
  std::string bytes;
  ASSERT_TRUE(absl::Base64Unescape(json.substr(at, json.find('"', at) - at), &bytes));
  absl::StatusOr<std::vector<uint32_t>> values = DecodeValues(bytes, p.num_perm);
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, s.minhash);
  // Control characters are escaped; a file name that is not UTF-8 still gives valid UTF-8.
  EXPECT_EQ(FormatSketchJson("a\tb\x01\xFF" "c\u0647", s, p, SignatureKind::kMinHash)
                .rfind("{\"id\":\"a\\tb\\u0001\ufffdc\u0647\",", 0),
            0u);
  const std::string sim = FormatSketchJson("x", s, p, SignatureKind::kSimHash);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(s.simhash));
  EXPECT_NE(sim.find(std::string("\"signature\":\"") + hex + "\"}"), std::string::npos) << sim;
}

// Runs the CLI built beside the tests (DUBARE_BIN, set by ctest).
std::string RunCli(const std::string& args, int* status) {
  const std::string cmd = std::string(std::getenv("DUBARE_BIN")) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  *status = pclose(p);
  return out;
}

TEST(SketchCommandTest, PrintsOneJsonLinePerFileAndComparesTwo) {
  if (std::getenv("DUBARE_BIN") == nullptr) GTEST_SKIP() << "DUBARE_BIN not set (run via ctest)";
  const auto dir = std::filesystem::temp_directory_path() / "dubare_sketch_cli_test";
  std::filesystem::create_directories(dir);
  const std::string a = (dir / "a.txt").string(), b = (dir / "b.txt").string();
  std::ofstream(a) << kText;
  std::ofstream(b) << kText << " زیاد";
  int st;
  std::string out = RunCli("sketch --method simhash --shingle char:5 " + a + " " + b, &st);
  EXPECT_EQ(st, 0) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;
  EXPECT_NE(out.find("char:5"), std::string::npos);
  EXPECT_NE(out.find("\"method\":\"simhash\""), std::string::npos);
  out = RunCli("compare " + a + " " + b, &st);
  EXPECT_EQ(st, 0) << out;
  EXPECT_NE(out.find("exact Jaccard"), std::string::npos) << out;
  EXPECT_NE(out.find("verdict:           near-duplicates"), std::string::npos) << out;
  out = RunCli("compare " + a, &st);
  EXPECT_NE(st, 0);
  out = RunCli("sketch --num-perm 32 " + a, &st);
  EXPECT_NE(st, 0);
  out = RunCli("sketch " + (dir / "missing.txt").string(), &st);
  EXPECT_NE(st, 0);
  EXPECT_NE(out.find("missing.txt"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dubare
