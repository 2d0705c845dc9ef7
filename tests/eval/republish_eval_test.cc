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
  std::vector<size_t> missed;            // copies not in their base's cluster
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
    if (cluster[d] != cluster[a.family]) s.missed.push_back(d);
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

// With DUBARE_EVAL_MISSES set: each missed copy with what the sketches and
// the exact sets say about it and its base, to see why it was missed.
void PrintMisses(const eval::Corpus& corpus, const Scores& s, const DedupOptions& options) {
  if (std::getenv("DUBARE_EVAL_MISSES") == nullptr) return;
  for (size_t d : s.missed) {
    const eval::Article& copy = corpus.articles[d];
    const eval::Article& base = corpus.articles[copy.family];
    const absl::string_view texts[] = {base.text, copy.text};
    SketchBatchOptions bo;
    bo.shingle_sets = true;
    absl::StatusOr<SketchBatch> b = SketchTexts(texts, options.sketch, bo);
    if (!b.ok()) continue;
    const SetOverlap exact = ExactOverlap(b->shingle_sets[0], b->shingle_sets[1]);
    const SignatureOverlap est = CompareSignatures(b->signature(0), b->signature(1));
    std::printf("missed %s (%s, level %d): shingles %u/%u, jaccard %.3f est %.3f, "
                "containment %.3f/%.3f est %.3f/%.3f\n",
                copy.id.c_str(), eval::EditKinds()[copy.kind].name, copy.level + 1,
                b->shingle_count[0], b->shingle_count[1], exact.jaccard(), est.jaccard(),
                exact.containment_a(), exact.containment_b(), est.containment_a(),
                est.containment_b());
  }
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
// and stories inside round-ups down to a tenth of them, from signatures
// alone: precision 1.0, recall 0.995 (0.90 for the Jaccard estimate alone),
// the bar of issue 18. What they miss: the heaviest mixed edits, whose
// Jaccard (0.41-0.45) the estimate puts under 0.4, a copy with a new
// three-sentence lead (Jaccard 0.34), and a story that is 0.09 of its
// round-up and did not meet it in a containment band.
TEST_F(RepublishEvalTest, DefaultsFindCopiesAndStoriesInsideRoundUps) {
  const eval::Corpus& c = Corpus();
  std::printf("%zu base articles, %zu copies\n", c.bases, c.articles.size() - c.bases);
  const Scores s = Evaluate(c, DedupOptions());
  Print("defaults", s);
  PrintKinds(s);
  PrintMisses(c, s, DedupOptions());
  EXPECT_GE(s.precision, 0.99);
  EXPECT_GE(s.recall, 0.99);
  EXPECT_GE(s.f1, 0.99);
  for (size_t k = 0; k + 2 < eval::EditKinds().size(); ++k) {  // not mixed, not round-ups
    for (int l = 0; l < 3; ++l) EXPECT_GE(s.found[k][l], s.total[k][l] - 1) << k << " " << l;
  }
  const size_t mixed = eval::EditKinds().size() - 2, roundup = mixed + 1;
  EXPECT_GE(s.found[mixed][0] + s.found[mixed][1] + s.found[mixed][2], 57);
  EXPECT_GE(s.found[roundup][0] + s.found[roundup][1], 40);
  EXPECT_GE(s.found[roundup][2], 18);
}

// jaccard+containment, on exact sets, does as well: it costs the shingle
// sets' memory and gains nothing here.
TEST_F(RepublishEvalTest, JaccardOrContainmentFindsStoriesInsideRoundUps) {
  DedupOptions o;
  o.verify = VerifyMode::kJaccardOrContainment;
  const Scores s = Evaluate(Corpus(), o);
  Print("jaccard+containment", s);
  PrintKinds(s);
  PrintMisses(Corpus(), s, o);
  EXPECT_GE(s.precision, 0.99);
  EXPECT_GE(s.recall, 0.99);
  EXPECT_GE(s.f1, 0.99);
  const size_t roundup = eval::EditKinds().size() - 1;
  EXPECT_GE(s.found[roundup][0] + s.found[roundup][1] + s.found[roundup][2], 57);
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
      {"verify exact, LSH 64x2", [](DedupOptions* o) { o->verify = VerifyMode::kExact; o->bands = 64; o->rows = 2; }},
      {"containment ratio 0.15, containment 0.8 (twelfth session)",
       [](DedupOptions* o) { o->containment_ratio = 0.15; o->containment_threshold = 0.8; }},
      {"containment ratio 0.15", [](DedupOptions* o) { o->containment_ratio = 0.15; }},
      {"containment ratio 0.25", [](DedupOptions* o) { o->containment_ratio = 0.25; }},
      {"containment ratio 0.05", [](DedupOptions* o) { o->containment_ratio = 0.05; }},
      {"containment 0.8", [](DedupOptions* o) { o->containment_threshold = 0.8; }},
      {"containment 0.9", [](DedupOptions* o) { o->containment_threshold = 0.9; }},
      {"containment bands 128x1", [](DedupOptions* o) { o->containment_bands = 128; o->containment_rows = 1; }},
      {"containment bands 42x3", [](DedupOptions* o) { o->containment_bands = 42; o->containment_rows = 3; }},
      {"containment bands for every size", [](DedupOptions* o) { o->containment_band_ratio = 1; }},
      {"K = 256", [](DedupOptions* o) { o->sketch.num_perm = 256; }},
      {"jaccard+containment, containment 0.8",
       [](DedupOptions* o) { o->verify = VerifyMode::kJaccardOrContainment; o->containment_threshold = 0.8; }},
      {"jaccard+containment, LSH 64x2",
       [](DedupOptions* o) { o->verify = VerifyMode::kJaccardOrContainment; o->bands = 64; o->rows = 2; }},
      {"verify containment 0.8", [](DedupOptions* o) { o->verify = VerifyMode::kContainment; o->threshold = 0.8; }},
      {"verify containment 0.7", [](DedupOptions* o) { o->verify = VerifyMode::kContainment; o->threshold = 0.7; }},
  };
  // DUBARE_EVAL_SPEC="b=32,r=4,cb=64,cr=2,ratio=0.15,band_ratio=0.6,c=0.8,t=0.4;..."
  // evaluates estimate+containment (jaccard+containment with exact=1) at
  // each setting instead of the list.
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
        else if (p.first == "exact") o.verify = v ? VerifyMode::kJaccardOrContainment : o.verify;
        else FAIL() << "unknown key " << p.first;
      }
      const Scores s = Evaluate(c, o);
      Print(std::string(one).c_str(), s);
      if (std::getenv("DUBARE_EVAL_KINDS") != nullptr) PrintKinds(s);
      PrintMisses(c, s, o);
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
