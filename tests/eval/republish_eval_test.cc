// Copyright 2026 The Dubare Authors.
//
// Precision and recall of `dubare dedup` at its defaults on re-published real
// news (tests/eval/republish.h): the numbers docs/dedup.md explains the
// defaults with. The tables are printed; bench/recall_eval.sh runs this test
// and records them in bench/RESULTS.md.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "dubare/dedup.h"
#include "eval/republish.h"
#include "gtest/gtest.h"

namespace dubare {
namespace {

namespace fs = std::filesystem;

const std::string kBlark =
    (fs::path(DUBARE_SOURCE_DIR) / ".." / "shared" / "corpus" / "blark").string();

struct Scores {
  double precision = 0, recall = 0, f1 = 0;
  // Per edit kind and level: copies found in their base's cluster.
  std::vector<std::array<int, 3>> found, total;
  std::vector<std::string> false_pairs;  // a few, to look at
  DedupStats stats;
};

Scores Evaluate(const eval::Corpus& corpus, const DedupOptions& options) {
  std::vector<DedupInput> inputs;
  for (const eval::Article& a : corpus.articles) inputs.push_back({a.id, a.text, {}});
  absl::StatusOr<DedupResult> r = Dedup(inputs, options);
  EXPECT_TRUE(r.ok()) << r.status();
  Scores s;
  if (!r.ok()) return s;
  s.stats = r->stats;
  const size_t n = corpus.articles.size();
  // Each document's cluster (its own index when alone).
  std::vector<int64_t> cluster(n);
  for (size_t d = 0; d < n; ++d) cluster[d] = -static_cast<int64_t>(d) - 1;
  for (size_t c = 0; c < r->clusters.size(); ++c) {
    for (const ClusterMember& m : r->clusters[c].members) cluster[m.doc] = static_cast<int64_t>(c);
  }
  uint64_t predicted = 0, truth = 0, both = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      const bool same_cluster = cluster[i] == cluster[j];
      const bool same_family = corpus.articles[i].family == corpus.articles[j].family;
      predicted += same_cluster;
      truth += same_family;
      both += same_cluster && same_family;
      if (same_cluster && !same_family && s.false_pairs.size() < 5) {
        s.false_pairs.push_back(corpus.articles[i].id + " ~ " + corpus.articles[j].id);
      }
    }
  }
  s.precision = predicted == 0 ? 1 : static_cast<double>(both) / predicted;
  s.recall = truth == 0 ? 1 : static_cast<double>(both) / truth;
  s.f1 = s.precision + s.recall == 0 ? 0 : 2 * s.precision * s.recall / (s.precision + s.recall);
  const size_t kinds = eval::EditKinds().size();
  s.found.assign(kinds, {0, 0, 0});
  s.total.assign(kinds, {0, 0, 0});
  for (size_t d = corpus.bases; d < n; ++d) {
    const eval::Article& a = corpus.articles[d];
    ++s.total[a.kind][a.level];
    s.found[a.kind][a.level] += cluster[d] == cluster[a.family];
  }
  return s;
}

void Print(const char* name, const Scores& s) {
  std::printf("%-44s P %.4f  R %.4f  F1 %.4f  (candidates %llu, verified %llu, LSH %ux%u)\n",
              name, s.precision, s.recall, s.f1,
              static_cast<unsigned long long>(s.stats.candidate_pairs),
              static_cast<unsigned long long>(s.stats.verified_pairs), s.stats.bands, s.stats.rows);
}

void PrintKinds(const Scores& s) {
  std::printf("| edit | level 1 | level 2 | level 3 |\n|---|---|---|---|\n");
  for (size_t k = 0; k < eval::EditKinds().size(); ++k) {
    const eval::EditKind& kind = eval::EditKinds()[k];
    std::printf("| %s |", kind.name);
    for (int l = 0; l < 3; ++l) {
      std::printf(" %s: %d/%d |", kind.levels[l], s.found[k][l], s.total[k][l]);
    }
    std::printf("\n");
  }
  for (const std::string& p : s.false_pairs) std::printf("false pair: %s\n", p.c_str());
}

class RepublishEvalTest : public ::testing::Test {
 protected:
  static const eval::Corpus& Corpus() {
    static const eval::Corpus* corpus =
        new eval::Corpus(eval::BuildCorpus(kBlark, 1500, 20, 2026));
    return *corpus;
  }
  void SetUp() override {
    if (Corpus().bases < 200) {
      GTEST_SKIP() << "Kurdish-BLARK corpus not found at " << kBlark;
    }
  }
};

// The defaults (estimate+containment) find copies under every kind of edit
// and stories inside round-ups down to a quarter of them, from signatures
// alone: F1 0.993 (0.948 for the Jaccard estimate alone). Issue 18 asks for
// recall >= 0.99 too; today's 0.987 misses the heaviest mixed edits and
// round-ups where the story is under a fifth of the text.
TEST_F(RepublishEvalTest, DefaultsFindCopiesAndStoriesInsideRoundUps) {
  const eval::Corpus& c = Corpus();
  std::printf("%zu base articles, %zu copies\n", c.bases, c.articles.size() - c.bases);
  const Scores s = Evaluate(c, DedupOptions());
  Print("defaults", s);
  PrintKinds(s);
  EXPECT_GE(s.precision, 0.99);
  EXPECT_GE(s.recall, 0.98);
  EXPECT_GE(s.f1, 0.99);
  for (size_t k = 0; k + 2 < eval::EditKinds().size(); ++k) {  // not mixed, not round-ups
    for (int l = 0; l < 3; ++l) EXPECT_GE(s.found[k][l], s.total[k][l] - 1) << k << " " << l;
  }
  const size_t roundup = eval::EditKinds().size() - 1;
  EXPECT_GE(s.found[roundup][0] + s.found[roundup][1], 38);
  EXPECT_GE(s.found[roundup][2], 14);
}

// jaccard+containment finds the round-ups too, at some cost in candidates.
TEST_F(RepublishEvalTest, JaccardOrContainmentFindsStoriesInsideRoundUps) {
  DedupOptions o;
  o.verify = VerifyMode::kJaccardOrContainment;
  const Scores s = Evaluate(Corpus(), o);
  Print("jaccard+containment", s);
  PrintKinds(s);
  EXPECT_GE(s.precision, 0.99);
  EXPECT_GE(s.recall, 0.97);
  EXPECT_GE(s.f1, 0.985);
  const size_t roundup = eval::EditKinds().size() - 1;
  EXPECT_GE(s.found[roundup][0] + s.found[roundup][1], 36);
}

// What the other settings give on the same corpus (printed for docs/dedup.md).
TEST_F(RepublishEvalTest, Alternatives) {
  if (std::getenv("DUBARE_EVAL_ALTERNATIVES") == nullptr) {
    GTEST_SKIP() << "set DUBARE_EVAL_ALTERNATIVES=1 (bench/recall_eval.sh does)";
  }
  const eval::Corpus& c = Corpus();
  struct Alt {
    const char* name;
    void (*set)(DedupOptions*);
  };
  const Alt alts[] = {
      {"verify estimate (the default before the twelfth session)",
       [](DedupOptions* o) { o->verify = VerifyMode::kEstimate; }},
      {"verify exact", [](DedupOptions* o) { o->verify = VerifyMode::kExact; }},
      {"threshold 0.3", [](DedupOptions* o) { o->threshold = 0.3; }},
      {"shingle char:5", [](DedupOptions* o) { ParseShingleSpec("char:5", &o->sketch.shingle).IgnoreError(); }},
      {"oneperm", [](DedupOptions* o) { o->sketch.method = MinHashMethod::kOnePerm; }},
      {"verify exact, LSH 37x3 (tuned for 0.3)",
       [](DedupOptions* o) { o->verify = VerifyMode::kExact; o->bands = 37; o->rows = 3; }},
      {"verify exact, LSH 42x3", [](DedupOptions* o) { o->verify = VerifyMode::kExact; o->bands = 42; o->rows = 3; }},
      {"verify exact, LSH 64x2", [](DedupOptions* o) { o->verify = VerifyMode::kExact; o->bands = 64; o->rows = 2; }},
      {"jaccard+containment 0.8, ratio 1/4", [](DedupOptions* o) { o->verify = VerifyMode::kJaccardOrContainment; o->containment_ratio = 0.25; }},
      {"jaccard+containment 0.8, ratio 1/5", [](DedupOptions* o) { o->verify = VerifyMode::kJaccardOrContainment; o->containment_ratio = 0.2; }},
      {"jaccard+containment 0.8, ratio 1/3", [](DedupOptions* o) { o->verify = VerifyMode::kJaccardOrContainment; o->containment_ratio = 1.0 / 3; }},
      {"jaccard+containment 0.7, ratio 1/4", [](DedupOptions* o) { o->verify = VerifyMode::kJaccardOrContainment; o->containment_threshold = 0.7; }},
      {"jaccard+containment 0.8, LSH 64x2", [](DedupOptions* o) { o->verify = VerifyMode::kJaccardOrContainment; o->bands = 64; o->rows = 2; }},
      {"estimate+containment, containment ratio 0.25", [](DedupOptions* o) { o->containment_ratio = 0.25; }},
      {"estimate+containment, containment ratio 0.2", [](DedupOptions* o) { o->containment_ratio = 0.2; }},
      {"estimate+containment, containment 0.85", [](DedupOptions* o) { o->containment_threshold = 0.85; }},
      {"estimate+containment, containment 0.75", [](DedupOptions* o) { o->containment_threshold = 0.75; }},
      {"estimate+containment, containment bands 64x2", [](DedupOptions* o) { o->containment_bands = 64; o->containment_rows = 2; }},
      {"estimate+containment, containment bands for every size", [](DedupOptions* o) { o->containment_band_ratio = 1; }},
      {"estimate+containment, K = 256", [](DedupOptions* o) { o->sketch.num_perm = 256; }},
      {"containment 0.8", [](DedupOptions* o) { o->verify = VerifyMode::kContainment; o->threshold = 0.8; }},
      {"containment 0.7", [](DedupOptions* o) { o->verify = VerifyMode::kContainment; o->threshold = 0.7; }},
  };
  // DUBARE_EVAL_SPEC="b=32,r=4,cb=64,cr=2,ratio=0.15,band_ratio=0.6,c=0.8,t=0.4;..."
  // evaluates estimate+containment at each setting instead of the list.
  if (const char* spec = std::getenv("DUBARE_EVAL_SPEC")) {
    for (absl::string_view one : absl::StrSplit(spec, ';', absl::SkipEmpty())) {
      DedupOptions o;
      o.verify = VerifyMode::kEstimateOrContainment;
      for (absl::string_view kv : absl::StrSplit(one, ',', absl::SkipEmpty())) {
        std::pair<std::string, std::string> p = absl::StrSplit(kv, '=');
        double v = 0;
        ASSERT_TRUE(absl::SimpleAtod(p.second, &v)) << kv;
        if (p.first == "b") o.bands = v;
        else if (p.first == "r") o.rows = v;
        else if (p.first == "cb") o.containment_bands = v;
        else if (p.first == "cr") o.containment_rows = v;
        else if (p.first == "ratio") o.containment_ratio = v;
        else if (p.first == "band_ratio") o.containment_band_ratio = v;
        else if (p.first == "c") o.containment_threshold = v;
        else if (p.first == "t") o.threshold = v;
        else if (p.first == "k") o.sketch.num_perm = v;
        else FAIL() << "unknown key " << p.first;
      }
      const Scores s = Evaluate(c, o);
      Print(std::string(one).c_str(), s);
      if (std::getenv("DUBARE_EVAL_KINDS") != nullptr) PrintKinds(s);
    }
    return;
  }
  for (const Alt& alt : alts) {
    DedupOptions o;
    alt.set(&o);
    const Scores s = Evaluate(c, o);
    Print(alt.name, s);
    if (std::getenv("DUBARE_EVAL_KINDS") != nullptr) PrintKinds(s);
  }
}

}  // namespace
}  // namespace dubare
