// Copyright 2026 The Dubare Authors.
//
// RunDedup end to end: accuracy against the generator's truth, determinism
// across thread counts, exactly-once accounting, keep policies, containment,
// file and line inputs, strict mode and the CLI.

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dubare/jobs.h"
#include "dubare/file.h"
#include "dubare/json_writer.h"
#include "gen/corpus_gen.h"
#include "gtest/gtest.h"
#include "scratch_dir.h"
#include "zlib.h"

namespace dubare {
namespace {

namespace fs = std::filesystem;

std::string NewDir(const std::string& name) { return testing::NewScratchDir("dedup_" + name); }

void Write(const std::string& path, const std::string& data) {
  ASSERT_TRUE(WriteFileAtomically(path, data).ok()) << path;
}

std::string Read(const std::string& path) {
  absl::StatusOr<std::string> s = ReadFile(path);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : "";
}

// Rows of a TSV file without its header.
std::vector<std::vector<std::string>> Rows(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  bool header = true;
  for (absl::string_view line : absl::StrSplit(Read(path), '\n', absl::SkipEmpty())) {
    if (std::exchange(header, false)) continue;
    rows.push_back(absl::StrSplit(line, '\t'));
  }
  return rows;
}

std::vector<std::string> Lines(const std::string& path) {
  if (!fs::exists(path)) return {};
  return absl::StrSplit(Read(path), '\n', absl::SkipEmpty());
}

// Words of random letters: unrelated texts share no word shingles.
std::string RandomText(uint32_t seed, int words) {
  std::mt19937 rng(seed);
  std::string text;
  for (int i = 0; i < words; ++i) {
    if (i > 0) text += ' ';
    const int len = 3 + rng() % 6;
    for (int j = 0; j < len; ++j) text += static_cast<char>('a' + rng() % 26);
  }
  return text;
}

std::string JsonLine(const std::string& id, const std::string& text, const std::string& date = "") {
  std::string line;
  JsonObjectWriter w(&line);
  w.Field("id", id).Field("text", text);
  if (!date.empty()) w.Field("date", date);
  w.Close();
  return line;
}

DedupJobOptions Options(const std::string& out, int threads = 2) {
  DedupJobOptions o;
  o.out_dir = out;
  o.dedup.threads = threads;
  return o;
}

// ---- Accuracy and determinism on the generated corpus ------------------------

struct GeneratedFixture {
  std::string jsonl;
  std::vector<std::string> ids;
  std::set<std::pair<std::string, std::string>> truth;
};

GeneratedFixture MakeGenerated(const std::string& dir, size_t docs) {
  gen::CorpusOptions options;
  options.num_docs = docs;
  options.seed = 17;
  absl::StatusOr<gen::Corpus> corpus = gen::GenerateCorpus(options, 2);
  EXPECT_TRUE(corpus.ok()) << corpus.status();
  GeneratedFixture f;
  if (!corpus.ok()) return f;
  std::string data;
  for (const gen::GeneratedDoc& d : corpus->docs) {
    absl::StrAppend(&data, JsonLine(d.id, d.text, d.date), "\n");
    f.ids.push_back(d.id);
  }
  for (const gen::TruthPair& p : corpus->pairs) {
    f.truth.insert({f.ids[p.a], f.ids[p.b]});
  }
  f.jsonl = dir + "/corpus.jsonl";
  Write(f.jsonl, data);
  return f;
}

// Pairs of documents put in one cluster, ids ordered by input position.
std::set<std::pair<std::string, std::string>> PredictedPairs(const std::string& out,
                                                             const std::vector<std::string>& ids) {
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < ids.size(); ++i) position[ids[i]] = i;
  std::map<std::string, std::vector<std::string>> clusters;  // cluster id -> members
  for (const auto& row : Rows(out + "/duplicates.tsv")) {
    auto& members = clusters[row[1]];
    if (members.empty()) members.push_back(row[2]);  // the representative
    members.push_back(row[0]);
  }
  std::set<std::pair<std::string, std::string>> pairs;
  for (auto& [cluster, members] : clusters) {
    for (size_t i = 0; i < members.size(); ++i) {
      for (size_t j = i + 1; j < members.size(); ++j) {
        std::string a = members[i], b = members[j];
        if (position[a] > position[b]) std::swap(a, b);
        pairs.insert({a, b});
      }
    }
  }
  return pairs;
}

TEST(RunDedupTest, FindsGeneratedNearDuplicatesWithHighF1) {
  const std::string dir = NewDir("f1");
  GeneratedFixture f = MakeGenerated(dir, 3000);
  ASSERT_FALSE(f.truth.empty());
  absl::StatusOr<DedupSummary> s = RunDedupJob({f.jsonl}, Options(dir + "/out"));
  ASSERT_TRUE(s.ok()) << s.status();
  const auto predicted = PredictedPairs(dir + "/out", f.ids);
  size_t hits = 0;
  for (const auto& p : predicted) hits += f.truth.count(p);
  const double precision = predicted.empty() ? 0 : double(hits) / predicted.size();
  const double recall = double(hits) / f.truth.size();
  const double f1 = 2 * precision * recall / (precision + recall + 1e-12);
  std::printf("precision %.4f recall %.4f F1 %.4f (%zu truth pairs)\n", precision, recall, f1,
              f.truth.size());
  EXPECT_GE(f1, 0.9);
  EXPECT_EQ(s->documents, 3000u);
  EXPECT_EQ(s->kept + s->duplicates, s->documents);
}

TEST(RunDedupTest, OutputIsByteIdenticalForOneAndFourThreads) {
  const std::string dir = NewDir("threads");
  GeneratedFixture f = MakeGenerated(dir, 1500);
  // Some rejections too, at the end of the input.
  std::string extra = "{not json\n" + JsonLine("e1", "   ") + "\n";
  Write(dir + "/extra.jsonl", extra);
  for (DedupMethod method : {DedupMethod::kMinHash, DedupMethod::kSimHash}) {
    std::vector<std::string> outs;
    for (int threads : {1, 4}) {
      DedupJobOptions o = Options(absl::StrCat(dir, "/out", threads, DedupMethodName(method)), threads);
      o.dedup.method = method;
      o.dedup.hamming = 6;
      ASSERT_TRUE(RunDedupJob({f.jsonl, dir + "/extra.jsonl"}, o).ok());
      outs.push_back(o.out_dir);
    }
    for (const char* name : {"clusters.jsonl", "pairs.tsv", "duplicates.tsv", "kept.jsonl",
                             "rejected.tsv"}) {
      EXPECT_EQ(Read(outs[0] + "/" + name), Read(outs[1] + "/" + name))
          << name << " " << DedupMethodName(method);
    }
    EXPECT_GT(Lines(outs[0] + "/pairs.tsv").size(), 10u) << DedupMethodName(method);
  }
}

// ---- Accounting -------------------------------------------------------------

// A JSONL file whose lines are documents, near-duplicates and bad records.
// Returns the number of lines.
size_t WriteMixedJsonl(const std::string& path) {
  std::vector<std::string> lines;
  for (int i = 0; i < 30; ++i) {
    const std::string base = RandomText(100 + i, 120);
    lines.push_back(JsonLine(absl::StrCat("doc", i), base));
    if (i % 3 == 0) lines.push_back(JsonLine(absl::StrCat("copy", i), base + " extra words here"));
  }
  lines.insert(lines.begin() + 5, "{\"id\": \"broken\", \"text\": ");   // malformed
  lines.insert(lines.begin() + 9, "{\"id\": \"notext\"}");              // missing text
  lines.insert(lines.begin() + 12, JsonLine("blank", "  \n "));         // empty
  lines.insert(lines.begin() + 14, "{\"id\": \"bad\", \"text\": \"ab\xff\xfe cd\"}");  // UTF-8
  lines.insert(lines.begin() + 20, JsonLine("punct", "... !!! ???"));   // no words
  lines.insert(lines.begin() + 22, "[1, 2]");                            // not an object
  std::string data;
  for (const std::string& l : lines) absl::StrAppend(&data, l, "\n");
  Write(path, data);
  return lines.size();
}

TEST(RunDedupTest, EveryInputLineIsKeptDuplicateOrRejectedExactlyOnce) {
  const std::string dir = NewDir("once");
  const std::string input = dir + "/mixed.jsonl";
  const size_t num_lines = WriteMixedJsonl(input);
  const std::vector<std::string> input_lines = Lines(input);
  for (VerifyMode verify : {VerifyMode::kEstimate, VerifyMode::kExact}) {
    DedupJobOptions o = Options(absl::StrCat(dir, "/out_", VerifyModeName(verify)));
    o.dedup.verify = verify;
    absl::StatusOr<DedupSummary> s = RunDedupJob({input}, o);
    ASSERT_TRUE(s.ok()) << s.status();
    std::map<size_t, int> seen;  // line number -> times accounted for
    std::map<std::string, size_t> line_of_raw, line_of_id;
    for (size_t i = 0; i < input_lines.size(); ++i) line_of_raw[input_lines[i]] = i + 1;
    for (const auto& [raw, line] : line_of_raw) {
      // Ids of the well-formed lines: {"id":"ID",...
      if (raw.rfind("{\"id\":\"", 0) == 0) line_of_id[raw.substr(7, raw.find('"', 7) - 7)] = line;
    }
    for (const std::string& kept : Lines(o.out_dir + "/kept.jsonl")) {
      ASSERT_TRUE(line_of_raw.count(kept)) << "kept line is not an input line: " << kept;
      ++seen[line_of_raw[kept]];
    }
    for (const auto& row : Rows(o.out_dir + "/duplicates.tsv")) ++seen[line_of_id.at(row[0])];
    std::set<std::string> reasons;
    for (const auto& row : Rows(o.out_dir + "/rejected.tsv")) {
      const std::string where = row[0];
      ++seen[std::stoul(where.substr(where.rfind(':') + 1))];
      reasons.insert(row[2]);
    }
    EXPECT_EQ(seen.size(), num_lines);
    for (const auto& [line, times] : seen) EXPECT_EQ(times, 1) << "line " << line;
    EXPECT_EQ(reasons, (std::set<std::string>{"malformed_json", "missing_text", "empty",
                                              "invalid_utf8", "no_words", "not_an_object"}));
    EXPECT_EQ(s->inputs, num_lines);
    EXPECT_EQ(s->rejected, 6u);
    EXPECT_EQ(s->duplicates, 10u);
    EXPECT_EQ(s->clusters, 10u);
    EXPECT_EQ(s->kept + s->duplicates + s->rejected, num_lines);
  }
}

TEST(RunDedupTest, StrictStopsAtTheFirstRejectionWithItsLocation) {
  const std::string dir = NewDir("strict");
  const std::string input = dir + "/mixed.jsonl";
  WriteMixedJsonl(input);
  DedupJobOptions o = Options(dir + "/out");
  o.reader.strict = true;
  absl::StatusOr<DedupSummary> s = RunDedupJob({input}, o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("mixed.jsonl:6"), absl::string_view::npos) << s.status();
  // A rejection only the sketch stage sees (no words) is fatal as well.
  Write(input, JsonLine("a", RandomText(1, 50)) + "\n" + JsonLine("p", "!!! ...") + "\n");
  s = RunDedupJob({input}, o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("mixed.jsonl:2: no_words"), absl::string_view::npos)
      << s.status();
}

// ---- Keep policies -----------------------------------------------------------

TEST(RunDedupTest, KeepPolicyChoosesTheRepresentative) {
  const std::string dir = NewDir("keep");
  const std::string base = RandomText(5, 200);
  std::string data = JsonLine("z-first", base + " tail words", "2024-05-02") + "\n" +
                     JsonLine("m-longest", base + " a longer tail of some more words", "2024-05-03") +
                     "\n" + JsonLine("b-early", base, "2024-05-01") + "\n" +
                     JsonLine("a-early", base + " tail", "2024-05-01") + "\n" +
                     JsonLine("other", RandomText(6, 200), "2020-01-01") + "\n";
  Write(dir + "/in.jsonl", data);
  for (auto [policy, want] : {std::pair{"first", "z-first"}, {"longest", "m-longest"},
                              {"earliest:date", "a-early"}}) {
    DedupJobOptions o = Options(dir + "/out_" + std::string(policy).substr(0, 5));
    o.dedup.keep = *KeepPolicy::Parse(policy);
    absl::StatusOr<DedupSummary> s = RunDedupJob({dir + "/in.jsonl"}, o);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->clusters, 1u);
    const auto rows = Rows(o.out_dir + "/duplicates.tsv");
    ASSERT_EQ(rows.size(), 3u) << policy;
    for (const auto& row : rows) EXPECT_EQ(row[2], want) << policy;
    const std::vector<std::string> kept = Lines(o.out_dir + "/kept.jsonl");
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_NE(kept[0].find(want), std::string::npos) << policy;  // input order kept
  }
}

// ---- Large buckets and explicit parameters -----------------------------------

TEST(RunDedupTest, ACrowdOfExactCopiesIsOneClusterOfPairsToItsFirst) {
  const std::string dir = NewDir("crowd");
  std::string data;
  // 5 texts, 200 copies each, interleaved; copies differ in case and spacing
  // (one match key).
  for (int i = 0; i < 1000; ++i) {
    const std::string text = RandomText(90 + i % 5, 40);
    absl::StrAppend(&data, JsonLine(absl::StrCat("c", i), i % 2 ? text : "  " + text), "\n");
  }
  Write(dir + "/in.jsonl", data);
  DedupJobOptions o = Options(dir + "/out");
  absl::StatusOr<DedupSummary> s = RunDedupJob({dir + "/in.jsonl"}, o);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->clusters, 5u);
  EXPECT_EQ(s->duplicates, 995u);
  EXPECT_EQ(s->exact_duplicates, 995u);
  EXPECT_EQ(s->candidate_pairs, 0u);  // the 5 heads are unrelated
  EXPECT_EQ(s->verified_pairs, 995u);  // one per copy, to its first
  const auto rows = Rows(o.out_dir + "/pairs.tsv");
  ASSERT_EQ(rows.size(), 995u);
  for (const auto& row : rows) {
    int a = 0, b = 0;
    ASSERT_TRUE(absl::SimpleAtoi(row[0].substr(1), &a) && absl::SimpleAtoi(row[1].substr(1), &b));
    EXPECT_LT(a, 5);
    EXPECT_EQ(a % 5, b % 5);
    EXPECT_EQ(row[2], "1.0000");
  }
}

TEST(RunDedupTest, HundredsOfCopiesFormOneClusterThroughCappedBuckets) {
  const std::string dir = NewDir("capped");
  const std::string boilerplate = RandomText(77, 60);
  std::string data;
  // Near copies (each ends in its own word), so LSH, not the exact stage, groups them.
  for (int i = 0; i < 700; ++i) {
    absl::StrAppend(&data, JsonLine(absl::StrCat("b", i), absl::StrCat(boilerplate, " w", i)),
                    "\n");
  }
  absl::StrAppend(&data, JsonLine("other", RandomText(78, 60)), "\n");
  Write(dir + "/in.jsonl", data);
  DedupJobOptions o = Options(dir + "/out");
  o.dedup.max_bucket_size = 100;
  absl::StatusOr<DedupSummary> s = RunDedupJob({dir + "/in.jsonl"}, o);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_GT(s->capped_buckets, 0u);
  EXPECT_EQ(s->clusters, 1u);
  EXPECT_EQ(s->duplicates, 699u);
  // Stars per band, not 700·699/2 pairs.
  EXPECT_GE(s->verified_pairs, 699u);
  EXPECT_LT(s->verified_pairs, 3 * 699u);
  EXPECT_EQ(Lines(o.out_dir + "/kept.jsonl").size(), 2u);
}

TEST(RunDedupTest, ExplicitBandsAndSimHashWithExactVerification) {
  const std::string dir = NewDir("explicit");
  const std::string input = dir + "/mixed.jsonl";
  WriteMixedJsonl(input);
  DedupJobOptions banded = Options(dir + "/banded");
  banded.dedup.bands = 16;
  banded.dedup.rows = 8;
  absl::StatusOr<DedupSummary> s = RunDedupJob({input}, banded);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->bands, 16u);
  EXPECT_EQ(s->rows, 8u);
  EXPECT_EQ(s->duplicates, 10u);

  // The copies add three words to 120: a few SimHash bits, Jaccard ~0.97.
  DedupJobOptions simhash = Options(dir + "/simhash");
  simhash.dedup.method = DedupMethod::kSimHash;
  simhash.dedup.hamming = 8;
  simhash.dedup.verify = VerifyMode::kExact;
  simhash.dedup.threshold = 0.9;
  s = RunDedupJob({input}, simhash);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->duplicates, 10u);
  for (const auto& row : Rows(simhash.out_dir + "/pairs.tsv")) EXPECT_GE(std::stod(row[2]), 0.9);
}

// ---- Containment ---------------------------------------------------------------

TEST(RunDedupTest, ContainmentFindsAShortArticleReprintedInALongOne) {
  const std::string dir = NewDir("containment");
  const std::string short_text = RandomText(21, 80);
  const std::string long_text = RandomText(22, 150) + " " + short_text + " " + RandomText(23, 150);
  Write(dir + "/in.jsonl", JsonLine("long", long_text) + "\n" + JsonLine("short", short_text) +
                               "\n" + JsonLine("other", RandomText(24, 300)) + "\n");
  DedupJobOptions exact = Options(dir + "/exact");
  exact.dedup.verify = VerifyMode::kExact;
  exact.dedup.threshold = 0.8;
  ASSERT_EQ(RunDedupJob({dir + "/in.jsonl"}, exact)->duplicates, 0u);  // Jaccard about 0.2
  DedupJobOptions contained = Options(dir + "/contained");
  contained.dedup.verify = VerifyMode::kContainment;
  contained.dedup.threshold = 0.8;
  contained.dedup.keep = *KeepPolicy::Parse("longest");
  absl::StatusOr<DedupSummary> s = RunDedupJob({dir + "/in.jsonl"}, contained);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->duplicates, 1u);
  const auto rows = Rows(contained.out_dir + "/duplicates.tsv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "short");
  EXPECT_EQ(rows[0][2], "long");
  EXPECT_EQ(rows[0][3], "1.0000");
}

// ---- Other input formats -----------------------------------------------------------

TEST(RunDedupTest, FileInputsAreListedAndCopied) {
  const std::string dir = NewDir("files");
  fs::create_directories(dir + "/in/sub");
  const std::string base = RandomText(31, 150);
  Write(dir + "/in/a.txt", base);
  Write(dir + "/in/sub/b.txt", base + " and a few words more");
  Write(dir + "/in/c.txt", RandomText(32, 150));
  Write(dir + "/in/empty.txt", "");
  Write(dir + "/in/skip.md", base);
  DedupJobOptions o = Options(dir + "/out");
  o.reader.glob = "*.txt";
  o.copy_files = true;
  absl::StatusOr<DedupSummary> s = RunDedupJob({dir + "/in"}, o);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->inputs, 4u);
  EXPECT_EQ(s->rejected, 1u);
  EXPECT_EQ(s->duplicates, 1u);
  const std::vector<std::string> kept = Lines(o.out_dir + "/kept_files.txt");
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0], dir + "/in/a.txt");
  EXPECT_EQ(kept[1], dir + "/in/c.txt");
  EXPECT_EQ(Read(o.out_dir + "/files/" + fs::path(kept[0]).relative_path().string()), base);
  EXPECT_EQ(Rows(o.out_dir + "/rejected.tsv")[0][2], "empty");
}

TEST(RunDedupTest, ARepeatedIdStopsTheRunNamingBothLinesOrIsRenamed) {
  const std::string dir = NewDir("dupids");
  Write(dir + "/in.jsonl", JsonLine("a", RandomText(71, 30)) + "\n" +
                               JsonLine("b", RandomText(72, 30)) + "\n" +
                               JsonLine("a", RandomText(73, 30)) + "\n");
  DedupJobOptions o = Options(dir + "/out");
  absl::StatusOr<DedupSummary> s = RunDedupJob({dir + "/in.jsonl"}, o);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find(dir + "/in.jsonl:3: id 'a' is already the id of " + dir +
                                      "/in.jsonl:1"),
            std::string::npos)
      << s.status();
  EXPECT_FALSE(fs::exists(o.out_dir));
  o.dedup.duplicate_ids = DuplicateIds::kRename;
  s = RunDedupJob({dir + "/in.jsonl"}, o);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->kept, 3u);
  const auto renamed = Rows(o.out_dir + "/renamed_ids.tsv");
  ASSERT_EQ(renamed.size(), 1u);
  EXPECT_EQ(renamed[0], (std::vector<std::string>{dir + "/in.jsonl:3", "a", "a~2"}));
}

// ---- The output directory -----------------------------------------------------

TEST(RunDedupTest, ARerunReplacesTheWholeOutputDirectory) {
  const std::string dir = NewDir("rerun");
  fs::create_directories(dir + "/in");
  Write(dir + "/in/a.txt", RandomText(51, 80));
  Write(dir + "/in/b.txt", RandomText(52, 80));
  Write(dir + "/lines.txt", RandomText(53, 40) + "\n");
  DedupJobOptions o = Options(dir + "/out");
  o.copy_files = true;
  ASSERT_TRUE(RunDedupJob({dir + "/in"}, o).ok());
  ASSERT_TRUE(fs::exists(o.out_dir + "/files"));
  ASSERT_TRUE(fs::exists(o.out_dir + "/kept_files.txt"));
  // Another run into the same directory: nothing of the first is left.
  DedupJobOptions again = Options(dir + "/out");
  again.reader.format = InputFormat::kLines;
  ASSERT_TRUE(RunDedupJob({dir + "/lines.txt"}, again).ok());
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(o.out_dir)) names.insert(e.path().filename());
  EXPECT_EQ(names, (std::set<std::string>{".dubare-dedup", "clusters.jsonl", "duplicates.tsv",
                                          "kept_lines.txt", "pairs.tsv", "rejected.tsv",
                                          "summary.json"}));
  for (const auto& e : fs::directory_iterator(dir)) {
    EXPECT_EQ(e.path().filename().string().find(".partial"), std::string::npos) << e.path();
  }
}

TEST(RunDedupTest, RefusesAnOutputDirectoryOfOtherFilesAndAnInputInsideIt) {
  const std::string dir = NewDir("refuse");
  Write(dir + "/in.txt", RandomText(61, 40) + "\n");
  fs::create_directories(dir + "/mine");
  Write(dir + "/mine/thesis.txt", "years of work");
  DedupJobOptions o = Options(dir + "/mine");
  absl::StatusOr<DedupSummary> s = RunDedupJob({dir + "/in.txt"}, o);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("not an earlier output"), std::string::npos) << s.status();
  EXPECT_EQ(Read(dir + "/mine/thesis.txt"), "years of work");

  o = Options(dir + "/out");
  ASSERT_TRUE(RunDedupJob({dir + "/in.txt"}, o).ok());
  s = RunDedupJob({dir + "/out/kept_files.txt"}, o);  // would replace its own input
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("inside the output directory"), std::string::npos)
      << s.status();
  EXPECT_TRUE(fs::exists(dir + "/out/kept_files.txt"));

  // A partial directory left by a killed run is removed by the next run.
  fs::create_directories(dir + "/out.partial.999999999");
  ASSERT_TRUE(RunDedupJob({dir + "/in.txt"}, o).ok());
  EXPECT_FALSE(fs::exists(dir + "/out.partial.999999999"));
}

TEST(RunDedupTest, LineInputKeepsLinesInOrder) {
  const std::string dir = NewDir("lines");
  const std::string a = RandomText(41, 60), b = RandomText(42, 60);
  Write(dir + "/in.txt", a + "\n" + b + "\n" + a + " x\n" + b + "\n");
  DedupJobOptions o = Options(dir + "/out");
  o.reader.format = InputFormat::kLines;
  absl::StatusOr<DedupSummary> s = RunDedupJob({dir + "/in.txt"}, o);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(Lines(o.out_dir + "/kept_lines.txt"), (std::vector<std::string>{a, b}));
}

TEST(RunDedupTest, KeptRecordsComeBackWholeFromPlainCompressedAndBomInputs) {
  const std::string dir = NewDir("raw");
  std::string data;
  for (int i = 0; i < 40; ++i) {
    const std::string text = RandomText(60 + i / 2, 80);  // pairs of equal texts
    absl::StrAppend(&data, "{ \"text\" : ", JsonString(text), ", \"id\": \"r", i, "\" }\n");
  }
  Write(dir + "/plain.jsonl", data);
  Write(dir + "/bom.jsonl", "\xEF\xBB\xBF" + data);
  gzFile gz = gzopen((dir + "/packed.jsonl.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, data.data(), data.size()), static_cast<int>(data.size()));
  ASSERT_EQ(gzclose(gz), Z_OK);
  std::vector<std::string> want;
  for (size_t i = 0; i < 40; i += 2) want.push_back(Lines(dir + "/plain.jsonl")[i]);
  for (const char* name : {"plain.jsonl", "bom.jsonl", "packed.jsonl.gz"}) {
    DedupJobOptions o = Options(dir + "/out_" + std::string(name).substr(0, 4));
    absl::StatusOr<DedupSummary> s = RunDedupJob({dir + "/" + name}, o);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->duplicates, 20u) << name;
    EXPECT_EQ(Lines(o.out_dir + "/kept.jsonl"), want) << name;
  }
}

// Kept records are copied back from the input in runs of adjacent lines: a
// run must stop at a dropped duplicate, a blank line, a CRLF line end and the
// last line without one, and every record must come back exactly once.
TEST(RunDedupTest, KeptRunsComeBackByteForByteWhateverSeparatesTheLines) {
  const std::string dir = NewDir("runs");
  std::vector<std::string> records;
  for (int i = 0; i < 12; ++i) records.push_back(JsonLine(absl::StrCat("r", i), RandomText(300 + i, 60)));
  records.push_back(JsonLine("dup3", RandomText(303, 60)));   // a copy of r3: dropped
  records.push_back(JsonLine("dup10", RandomText(310, 60)));  // a copy of r10
  // r0..r2 adjacent; a CRLF after r3; a blank line before r5; the copies in
  // the middle of r6..r9; r11 last, without a line end.
  const std::string input = records[0] + "\n" + records[1] + "\n" + records[2] + "\n" +
                            records[3] + "\r\n" + records[4] + "\n\n" + records[5] + "\n" +
                            records[6] + "\n" + records[12] + "\n" + records[7] + "\n" +
                            records[8] + "\n" + records[13] + "\n" + records[9] + "\n" +
                            records[10] + "\n" + records[11];
  Write(dir + "/in.jsonl", input);
  DedupJobOptions o = Options(dir + "/out");
  absl::StatusOr<DedupSummary> s = RunDedupJob({dir + "/in.jsonl"}, o);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->duplicates, 2u);
  // dup10 comes before r10, so it is the one kept.
  std::string want;
  for (int i : {0, 1, 2, 3, 4, 5, 6, 7, 8, 13, 9, 11}) absl::StrAppend(&want, records[i], "\n");
  EXPECT_EQ(Read(o.out_dir + "/kept.jsonl"), want);
}

// The kept corpus is written by several workers in 4 MiB chunks at known
// offsets: long runs of kept lines are cut across chunks, a spooled
// (compressed) source follows a plain one. The output must be the kept lines
// in input order, whatever the number of workers.
TEST(RunDedupTest, AKeptCorpusOfManyChunksComesBackInOrderForAnyThreadCount) {
  const std::string dir = NewDir("chunks");
  std::string plain, packed, want;
  // ~10 MB plain: 3,000 texts of 500 words, every 1,500th followed by a
  // copy (dropped): runs of ~5 MB, cut in parts.
  for (int i = 0; i < 3000; ++i) {
    const std::string line = JsonLine(absl::StrCat("p", i), RandomText(10000 + i, 500));
    absl::StrAppend(&plain, line, "\n");
    absl::StrAppend(&want, line, "\n");
    if (i % 1500 == 1499) {
      const std::string copy = JsonLine(absl::StrCat("p", i, "copy"), RandomText(10000 + i, 500));
      absl::StrAppend(&plain, copy, "\n");
    }
  }
  for (int i = 0; i < 1200; ++i) {
    const std::string line = JsonLine(absl::StrCat("z", i), RandomText(20000 + i, 500));
    absl::StrAppend(&packed, line, "\n");
    absl::StrAppend(&want, line, "\n");
  }
  ASSERT_GT(want.size(), 12u << 20);
  Write(dir + "/plain.jsonl", plain);
  gzFile gz = gzopen((dir + "/packed.jsonl.gz").c_str(), "wb1");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, packed.data(), packed.size()), static_cast<int>(packed.size()));
  ASSERT_EQ(gzclose(gz), Z_OK);
  for (int threads : {1, 2, 3}) {
    DedupJobOptions o = Options(absl::StrCat(dir, "/out", threads), threads);
    absl::StatusOr<DedupSummary> s =
        RunDedupJob({dir + "/plain.jsonl", dir + "/packed.jsonl.gz"}, o);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->duplicates, 2u) << threads;
    const std::string got = Read(o.out_dir + "/kept.jsonl");
    EXPECT_EQ(got.size(), want.size()) << threads;
    EXPECT_TRUE(got == want) << threads << " threads: the kept corpus differs";
  }
}

// The kept corpus is copied from the input at the end of the run: an input
// that changed meanwhile is an error naming it, and no output is published.
TEST(RunDedupTest, AnInputChangedDuringTheRunIsDataLossAndNothingIsWritten) {
  const std::string dir = NewDir("changed");
  std::string data;
  for (int i = 0; i < 50; ++i) absl::StrAppend(&data, JsonLine(absl::StrCat("c", i), RandomText(400 + i % 40, 60)), "\n");
  Write(dir + "/in.jsonl", data);
  DedupJobOptions o = Options(dir + "/out");
  bool changed = false;
  o.progress = [&](const ProgressEvent& e) {
    if (e.stage != "grouping" || changed) return;
    changed = true;
    FILE* f = std::fopen((dir + "/in.jsonl").c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fputc('{', f);  // the same size, another first byte
    std::fclose(f);
  };
  absl::StatusOr<DedupSummary> s = RunDedupJob({dir + "/in.jsonl"}, o);
  ASSERT_TRUE(changed);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss) << s.status();
  EXPECT_NE(s.status().message().find(dir + "/in.jsonl: the input changed while dedup ran"),
            std::string::npos)
      << s.status();
  EXPECT_FALSE(fs::exists(o.out_dir));
}

TEST(RunDedupTest, RejectsBadOptions) {
  DedupJobOptions o = Options("");
  EXPECT_FALSE(RunDedupJob({"x"}, o).ok());  // no out dir
  o = Options(NewDir("badopts"));
  o.dedup.bands = 4;  // rows missing
  EXPECT_FALSE(RunDedupJob({"x"}, o).ok());
  o.dedup.rows = 64;  // 4 * 64 > 128
  EXPECT_FALSE(RunDedupJob({"x"}, o).ok());
  o = Options(NewDir("badopts2"));
  EXPECT_FALSE(RunDedupJob({"/nonexistent/input.jsonl"}, o).ok());
}

// ---- Real text -----------------------------------------------------------------------

// The cluster id of every document of a run, by file name relative to blark.
std::map<std::string, std::string> ClusterOfFile(const std::string& out, const std::string& root) {
  std::map<std::string, std::string> cluster;
  for (const auto& row : Rows(out + "/duplicates.tsv")) {
    cluster[row[0].substr(root.size() + 1)] = row[1];
    cluster[row[2].substr(root.size() + 1)] = row[1];
  }
  return cluster;
}

TEST(RunDedupTest, FindsTheKnownNearDuplicatesOfBlark) {
  const std::string blark = DUBARE_SOURCE_DIR "/../shared/corpus/blark";
  if (!fs::exists(blark)) GTEST_SKIP() << "the shared corpus is not at " << blark;
  const std::string dir = NewDir("blark");
  DedupJobOptions o = Options(dir + "/jaccard");
  o.reader.glob = "*.txt";
  ASSERT_TRUE(RunDedupJob({blark}, o).ok());
  auto cluster = ClusterOfFile(o.out_dir, blark);
  // st3 and st4 differ only in blank lines; the physics chapters are 77-83% alike.
  EXPECT_TRUE(cluster.count("data/SoraniPA/st3.txt"));
  EXPECT_EQ(cluster["data/SoraniPA/st3.txt"], cluster["data/SoraniPA/st4.txt"]);
  EXPECT_TRUE(cluster.count("KTC/physics/01i-ch00-2018.txt"));
  EXPECT_EQ(cluster["KTC/physics/01i-ch00-2018.txt"], cluster["KTC/physics/02i-ch00-2018.txt"]);
  EXPECT_EQ(cluster["KTC/physics/01i-ch00-2018.txt"], cluster["KTC/physics/03i-ch00-2018.txt"]);

  // 08s-ch00 is contained in 08s-ch22.
  DedupJobOptions c = Options(dir + "/containment");
  c.reader.glob = "*.txt";
  c.dedup.verify = VerifyMode::kContainment;
  c.dedup.threshold = 0.8;
  ASSERT_TRUE(RunDedupJob({blark}, c).ok());
  cluster = ClusterOfFile(c.out_dir, blark);
  EXPECT_TRUE(cluster.count("KTC/kurdish/08s-ch00-2015.txt"));
  EXPECT_EQ(cluster["KTC/kurdish/08s-ch00-2015.txt"], cluster["KTC/kurdish/08s-ch22-2015.txt"]);
}

// ---- CLI ---------------------------------------------------------------------------

TEST(DedupCliTest, HelpShowsDefaultsAndARunPrintsASummary) {
  const char* bin = std::getenv("DUBARE_BIN");
  if (bin == nullptr) GTEST_SKIP() << "DUBARE_BIN is not set (run through ctest)";
  const std::string dir = NewDir("cli");
  auto run = [](const std::string& cmd) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int rc = ::pclose(p);
    return std::pair{WEXITSTATUS(rc), out};
  };
  auto [rc, help] = run(std::string(bin) + " dedup --help");
  EXPECT_EQ(rc, 0);
  for (const char* want : {"--threshold X", "(default: 0.4)", "--num-perm", "(default: 128)",
                           "--shingle", "(default: word:2)", "--keep", "(default: first)",
                           "--verify", "(default: estimate+containment)", "--method", "(default: minhash)"}) {
    EXPECT_NE(help.find(want), std::string::npos) << want << "\n" << help;
  }
  const std::string text = RandomText(51, 100);
  Write(dir + "/in.jsonl", JsonLine("a", text) + "\n" + JsonLine("b", text) + "\n");
  auto [rc2, summary] =
      run(absl::StrCat(bin, " dedup --threads 2 --out ", dir, "/out ", dir, "/in.jsonl"));
  EXPECT_EQ(rc2, 0) << summary;
  EXPECT_NE(summary.find("1 duplicates in 1 clusters"), std::string::npos) << summary;
  auto [rc3, err] = run(absl::StrCat(bin, " dedup ", dir, "/in.jsonl 2>&1"));
  EXPECT_EQ(rc3, 2) << err;  // no --out
}

}  // namespace
}  // namespace dubare
