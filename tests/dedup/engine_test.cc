// Copyright 2026 The Dubare Authors.
//
// The in-memory engine of dedup.h: the whole run against its stages called
// one by one, against the file job, across thread counts and batchings, and
// sketches that travel (SketchBatch::Encode/Decode) between processes.

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "dubare/dedup.h"
#include "dubare/file.h"
#include "dubare/jobs.h"
#include "dubare/json_writer.h"
#include "dubare/normalize.h"
#include "dubare/sketch.h"
#include "gen/corpus_gen.h"
#include "gtest/gtest.h"
#include "scratch_dir.h"

namespace dubare {
namespace {

struct Corpus {
  std::vector<std::string> ids, texts, dates;
  std::vector<DedupInput> inputs;
  std::set<std::pair<uint32_t, uint32_t>> truth;
};

const Corpus& Generated() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    gen::CorpusOptions options;
    options.num_docs = 1500;
    options.words_per_article = 150;
    options.seed = 23;
    absl::StatusOr<gen::Corpus> g = gen::GenerateCorpus(options, 2);
    EXPECT_TRUE(g.ok()) << g.status();
    for (const gen::GeneratedDoc& d : g->docs) {
      c->ids.push_back(d.id);
      c->texts.push_back(d.text);
      c->dates.push_back(d.date);
    }
    // Documents the sketch stage refuses, among the others.
    c->ids.push_back("punctuation");
    c->texts.push_back(" ... !!! ، ؟ ");
    c->dates.push_back("2020");
    c->ids.push_back("bad-utf8");
    c->texts.push_back("ok \xff then");
    c->dates.push_back("2020");
    for (size_t i = 0; i < c->ids.size(); ++i) {
      c->inputs.push_back({c->ids[i], c->texts[i], c->dates[i]});
    }
    for (const gen::TruthPair& p : g->pairs) c->truth.insert({p.a, p.b});
    return c;
  }();
  return *corpus;
}

DedupResult DedupOrDie(absl::Span<const DedupInput> docs, const DedupOptions& options) {
  absl::StatusOr<DedupResult> r = Dedup(docs, options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : DedupResult();
}

void ExpectSameResult(const DedupResult& a, const DedupResult& b, const std::string& what) {
  EXPECT_EQ(a.pairs, b.pairs) << what;
  EXPECT_EQ(a.clusters, b.clusters) << what;
  EXPECT_EQ(a.fate, b.fate) << what;
  EXPECT_EQ(a.cluster_of, b.cluster_of) << what;
  ASSERT_EQ(a.rejected.size(), b.rejected.size()) << what;
  for (size_t i = 0; i < a.rejected.size(); ++i) {
    EXPECT_EQ(a.rejected[i].doc, b.rejected[i].doc) << what;
    EXPECT_EQ(a.rejected[i].reason, b.rejected[i].reason) << what;
  }
}

TEST(DedupTest, FindsTheGeneratedDuplicatesAndAccountsForEveryDocument) {
  const Corpus& c = Generated();
  const DedupResult r = DedupOrDie(c.inputs, DedupOptions());
  ASSERT_EQ(r.fate.size(), c.inputs.size());
  // Every document is kept, a duplicate or rejected, exactly once.
  size_t kept = 0, duplicates = 0, rejected = 0;
  for (DocumentFate f : r.fate) {
    kept += f == DocumentFate::kKept;
    duplicates += f == DocumentFate::kDuplicate;
    rejected += f == DocumentFate::kRejected;
  }
  EXPECT_EQ(kept, r.stats.kept);
  EXPECT_EQ(duplicates, r.stats.duplicates);
  EXPECT_EQ(rejected, 2u);
  ASSERT_EQ(r.rejected.size(), 2u);
  EXPECT_EQ(r.rejected[0].doc, c.inputs.size() - 2);
  EXPECT_EQ(r.rejected[0].reason, "no_words");
  EXPECT_EQ(r.rejected[1].reason, "sketch_error");
  EXPECT_NE(r.rejected[1].detail.find("invalid UTF-8"), std::string::npos) << r.rejected[1].detail;
  // Clusters: each member's score is against the representative, which is kept.
  for (size_t i = 0; i < r.clusters.size(); ++i) {
    const Cluster& cl = r.clusters[i];
    EXPECT_EQ(r.fate[cl.representative], DocumentFate::kKept);
    for (const ClusterMember& m : cl.members) {
      if (m.doc == cl.representative) {
        EXPECT_EQ(m.score, 1.0);
      } else {
        EXPECT_EQ(r.cluster_of[m.doc], static_cast<int32_t>(i));
        EXPECT_GE(m.score, 0.0);
      }
    }
  }
  // Pairwise accuracy against the generator's truth.
  std::set<std::pair<uint32_t, uint32_t>> predicted;
  for (const Cluster& cl : r.clusters) {
    for (size_t i = 0; i < cl.members.size(); ++i) {
      for (size_t j = i + 1; j < cl.members.size(); ++j) {
        predicted.insert({cl.members[i].doc, cl.members[j].doc});
      }
    }
  }
  size_t hits = 0;
  for (const auto& p : predicted) hits += c.truth.count(p);
  const double precision = predicted.empty() ? 0 : double(hits) / predicted.size();
  const double recall = double(hits) / c.truth.size();
  EXPECT_GT(precision, 0.95);
  EXPECT_GT(recall, 0.9);
}

TEST(DedupTest, ResultDoesNotDependOnThreadsOrBatching) {
  const Corpus& c = Generated();
  for (VerifyMode verify : {VerifyMode::kEstimate, VerifyMode::kExact}) {
    DedupOptions options;
    options.verify = verify;
    options.keep = *KeepPolicy::Parse("earliest:date");
    options.threads = 1;
    const DedupResult one = DedupOrDie(c.inputs, options);
    for (int threads : {2, 5}) {
      options.threads = threads;
      ExpectSameResult(one, DedupOrDie(c.inputs, options), absl::StrCat("threads ", threads));
    }
    // Documents added one, then 7, then the rest at a time, texts moved in.
    absl::StatusOr<std::unique_ptr<Deduper>> d = Deduper::Create(options);
    ASSERT_TRUE(d.ok());
    size_t at = 0;
    for (size_t step : {size_t{1}, size_t{7}, c.inputs.size()}) {
      const size_t end = std::min(c.inputs.size(), at + step);
      std::vector<std::string> ids(c.ids.begin() + at, c.ids.begin() + end);
      std::vector<std::string> texts(c.texts.begin() + at, c.texts.begin() + end);
      std::vector<std::string> dates(c.dates.begin() + at, c.dates.begin() + end);
      ASSERT_TRUE((*d)->Add(std::move(ids), std::move(texts), std::move(dates)).ok());
      at = end;
    }
    EXPECT_EQ((*d)->size(), c.inputs.size());
    absl::StatusOr<DedupResult> streamed = (*d)->Finish();
    ASSERT_TRUE(streamed.ok());
    ExpectSameResult(one, *streamed, "streamed");
    EXPECT_FALSE((*d)->Finish().ok());  // once only
    EXPECT_FALSE((*d)->Add({}).ok() && (*d)->Add(c.inputs).ok());
  }
}

TEST(DedupTest, StagesCalledOneByOneGiveTheWholeRun) {
  const Corpus& c = Generated();
  // Only sketchable documents: the stages do not drop rejections themselves.
  std::vector<absl::string_view> texts(c.texts.begin(), c.texts.end() - 2);
  std::vector<DedupInput> inputs(c.inputs.begin(), c.inputs.end() - 2);
  for (VerifyMode verify : {VerifyMode::kEstimate, VerifyMode::kContainment}) {
    DedupOptions options;
    options.verify = verify;
    options.threshold = verify == VerifyMode::kContainment ? 0.7 : 0.4;
    const DedupResult whole = DedupOrDie(inputs, options);

    absl::StatusOr<SketchBatch> batch = SketchTexts(texts, options.sketch, options.SketchOptions());
    ASSERT_TRUE(batch.ok());
    absl::StatusOr<LshParams> lsh = options.ResolveLsh();
    ASSERT_TRUE(lsh.ok());
    // Exact copies are collapsed to their first: only heads are banded.
    const ExactGroups exact = GroupExactCopies(*batch, 2);
    ASSERT_LT(exact.heads.size(), texts.size()) << "the corpus has exact copies";
    std::vector<uint32_t> head_minhash;
    for (uint32_t h : exact.heads) {
      head_minhash.insert(head_minhash.end(), batch->signature(h).begin(),
                          batch->signature(h).end());
    }
    const std::vector<uint64_t> keys =
        ComputeBandKeys(head_minhash, options.sketch.num_perm, *lsh, 2);
    // The same keys from the heads' rows in place, into a caller's buffer.
    std::vector<uint64_t> in_place(keys.size() + 1, 7);
    ComputeBandKeys(batch->minhash, options.sketch.num_perm, exact.heads, *lsh, 2,
                    absl::MakeSpan(in_place).first(keys.size()));
    EXPECT_EQ(in_place.back(), 7u);  // nothing written past the span
    in_place.pop_back();
    EXPECT_EQ(in_place, keys);
    std::vector<CandidatePair> candidates = FindCandidates(keys, lsh->bands);
    for (CandidatePair& p : candidates) p = {exact.heads[p.a], exact.heads[p.b]};
    std::vector<ScoredPair> pairs = VerifyCandidates(*batch, candidates, options);
    for (uint32_t i = 0; i < texts.size(); ++i) {
      if (exact.head_of[i] != i) pairs.push_back(ExactCopyPair(exact.head_of[i], i));
    }
    std::sort(pairs.begin(), pairs.end(), [](const ScoredPair& x, const ScoredPair& y) {
      return std::pair(x.a, x.b) < std::pair(y.a, y.b);
    });
    std::vector<KeepKey> keep;
    for (uint32_t i = 0; i < inputs.size(); ++i) {
      keep.push_back({i, batch->text_bytes[i], inputs[i].id, inputs[i].keep_value});
    }
    const std::vector<Cluster> clusters = BuildClusters(*batch, pairs, keep, options);
    EXPECT_EQ(pairs, whole.pairs);
    EXPECT_EQ(clusters, whole.clusters);
    EXPECT_EQ(whole.stats.candidate_pairs, candidates.size());
  }
}

// GroupExactCopies against the obvious reference: equal match-key strings.
TEST(DedupTest, ExactGroupsAreDocumentsWithEqualMatchKeys) {
  const Corpus& c = Generated();
  std::vector<absl::string_view> texts(c.texts.begin(), c.texts.end() - 2);
  // Copies the generator did not make: respelled (old heh + ZWNJ, Arabic
  // kaf) and re-spaced forms of the same texts share their match key.
  std::vector<std::string> variants;
  for (size_t i = 0; i < 40; ++i) {
    std::string v = "  " + std::string(texts[i * 7]) + "\n";
    absl::StrReplaceAll({{"ە", "ه\u200c"}, {"ک", "ك"}}, &v);
    variants.push_back(std::move(v));
  }
  for (const std::string& v : variants) texts.push_back(v);
  DedupOptions options;
  absl::StatusOr<SketchBatch> batch = SketchTexts(texts, options.sketch, SketchBatchOptions());
  ASSERT_TRUE(batch.ok());
  for (int threads : {1, 2}) {
    const ExactGroups exact = GroupExactCopies(*batch, threads);
    NormalizeOptions n;
    n.form = NormalForm::kMatchKey;
    n.keep_spaces = options.sketch.match_key_keep_spaces;
    Normalizer normalizer(n);
    std::map<std::string, uint32_t> first;
    std::vector<uint32_t> heads;
    for (uint32_t i = 0; i < texts.size(); ++i) {
      NormalizedText key;
      ASSERT_TRUE(normalizer.Normalize(texts[i], &key).ok());
      const auto [it, inserted] = first.emplace(key.text, i);
      EXPECT_EQ(exact.head_of[i], it->second) << i;
      if (inserted) heads.push_back(i);
    }
    EXPECT_EQ(exact.heads, heads);
    EXPECT_LE(exact.heads.size(), texts.size() - variants.size());
  }
  // The keys travel with the batch.
  absl::StatusOr<SketchBatch> back = SketchBatch::Decode(batch->Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->key_hash, batch->key_hash);
}

// jaccard+containment against the obvious reference: exact set arithmetic.
TEST(DedupTest, JaccardOrContainmentScoresAStoryInsideALongerOne) {
  std::string story, roundup;
  for (int i = 0; i < 60; ++i) absl::StrAppend(&story, "وشە", i, " ");
  for (int i = 0; i < 120; ++i) absl::StrAppend(&roundup, "پێش", i, " ");
  roundup += story;
  for (int i = 0; i < 60; ++i) absl::StrAppend(&roundup, "دوای", i, " ");
  const std::vector<DedupInput> docs = {{"story", story, ""}, {"roundup", roundup, ""}};
  DedupOptions options;
  options.bands = 64;  // every pair a candidate here: the score decides
  options.rows = 2;
  options.verify = VerifyMode::kEstimate;
  absl::StatusOr<DedupResult> plain = Dedup(docs, options);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->pairs.empty());  // Jaccard ~0.25 < 0.4
  options.verify = VerifyMode::kJaccardOrContainment;
  absl::StatusOr<DedupResult> r = Dedup(docs, options);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->pairs.size(), 1u);
  // The story's 59 word pairs are all in the round-up: containment 1.
  EXPECT_DOUBLE_EQ(r->pairs[0].score, 1.0);
  options.containment_threshold = 1.0;
  options.threshold = 0.9;
  std::string edited = story;
  edited.replace(0, edited.find(' '), "گۆڕاو");
  r = Dedup({{"story", edited, ""}, {"roundup", roundup, ""}}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->pairs.empty());  // 58/59 < 1.0, and Jaccard < 0.9
  options.containment_ratio = 0;
  EXPECT_FALSE(options.Validate().ok());
  options.containment_ratio = 0.25;
  options.containment_threshold = 1.5;
  EXPECT_FALSE(options.Validate().ok());
}

// The containment estimate of CompareSignatures against exact set
// arithmetic: sets of random shingles, one partly inside the other.
TEST(DedupTest, SignatureContainmentEstimateFollowsTheExactContainment) {
  SketchParams params;
  MinHasher hasher(params);
  std::mt19937_64 rng(7);
  double total_error = 0;
  int trials = 0;
  for (int small : {40, 80, 200}) {
    for (double ratio : {0.2, 0.35, 0.5, 1.0}) {
      for (double c : {0.3, 0.8, 1.0}) {
        const int large = static_cast<int>(small / ratio);
        std::vector<uint64_t> a, b;
        for (int i = 0; i < small; ++i) a.push_back(rng());
        const int shared = static_cast<int>(c * small);
        b.assign(a.begin(), a.begin() + std::min(shared, large));
        while (static_cast<int>(b.size()) < large) b.push_back(rng());
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        const SetOverlap exact = ExactOverlap(a, b);
        const MinHashSignature sa = hasher.Sketch(a), sb = hasher.Sketch(b);
        const SignatureOverlap o = CompareSignatures(sa.values, sb.values);
        // The counts, against the plain loop.
        uint32_t equal = 0, a_lower = 0, b_lower = 0;
        for (size_t i = 0; i < sa.values.size(); ++i) {
          equal += sa.values[i] == sb.values[i];
          a_lower += sa.values[i] < sb.values[i];
          b_lower += sa.values[i] > sb.values[i];
        }
        EXPECT_EQ(o.equal, equal);
        EXPECT_EQ(o.a_lower, a_lower);
        EXPECT_EQ(o.b_lower, b_lower);
        EXPECT_DOUBLE_EQ(o.jaccard(), EstimateJaccard(sa.values, sb.values));
        total_error += std::fabs(o.containment_a() - exact.containment_a());
        ++trials;
        // Slots whose minimum is in A: about K |A| / |A u B|, a few at ratio 0.2.
        EXPECT_NEAR(o.containment_a(), exact.containment_a(), 0.35)
            << small << " " << ratio << " " << c;
      }
    }
  }
  EXPECT_LT(total_error / trials, 0.08);
  EXPECT_EQ(CompareSignatures({}, {}).containment_a(), 0.0);
}

// The default (estimate+containment) finds a story inside a round-up with
// LSH tuned for Jaccard 0.4: the containment bands make it a candidate and
// the signature estimate of containment accepts it. A short text is not
// judged by containment (containment_ratio), and the Jaccard-only estimate
// does not find it at all.
// The combined modes band once for the threshold and once for containment;
// containment's layout never drops to one row per band, whose candidates
// grow with the square of the corpus.
TEST(DedupTest, ContainmentLayoutsKeepTwoRowsPerBand) {
  DedupOptions options;
  for (VerifyMode verify : {VerifyMode::kEstimateOrContainment, VerifyMode::kJaccardOrContainment}) {
    options.verify = verify;
    EXPECT_TRUE(options.UsesContainmentBands());
    absl::StatusOr<LshParams> lsh = options.ResolveLsh();
    ASSERT_TRUE(lsh.ok());
    EXPECT_EQ(std::pair(lsh->bands, lsh->rows), std::pair(32u, 4u));  // for the threshold
    absl::StatusOr<LshParams> c = options.ResolveContainmentLsh();
    ASSERT_TRUE(c.ok());
    // The optimum for ContainmentToJaccard(0.85, 0.08) = 0.067 is one row.
    absl::StatusOr<LshParams> optimum =
        OptimalLshParams(ContainmentToJaccard(options.containment_threshold,
                                              options.containment_ratio), 128);
    ASSERT_TRUE(optimum.ok());
    EXPECT_EQ(optimum->rows, 1u);
    EXPECT_EQ(std::pair(c->bands, c->rows), std::pair(64u, 2u));
    EXPECT_NE(c->seed, lsh->seed);
  }
  // A high threshold: the first bands still reach pairs of close sizes
  // contained at containment_threshold (the containment bands skip them).
  options.verify = VerifyMode::kEstimateOrContainment;
  options.threshold = 0.8;
  absl::StatusOr<LshParams> high = options.ResolveLsh();
  ASSERT_TRUE(high.ok());
  absl::StatusOr<LshParams> want = ChooseLshParams(
      ContainmentToJaccard(options.containment_threshold, options.containment_band_ratio), 128);
  ASSERT_TRUE(want.ok());
  EXPECT_EQ(std::pair(high->bands, high->rows), std::pair(want->bands, want->rows));
  // Thresholds of 1 are searched as 0.99, not refused.
  options.threshold = 1;
  options.containment_threshold = 1;
  options.containment_ratio = 1;
  EXPECT_TRUE(options.ResolveLsh().ok());
  EXPECT_TRUE(options.ResolveContainmentLsh().ok());
  options = DedupOptions();
  options.verify = VerifyMode::kContainment;
  EXPECT_FALSE(options.UsesContainmentBands());
  options.threshold = 0.6;
  absl::StatusOr<LshParams> lsh = options.ResolveLsh();
  ASSERT_TRUE(lsh.ok());
  EXPECT_GE(lsh->rows, 2u);
  options.containment_ratio = 0.5;  // a higher Jaccard: the optimum has more rows
  lsh = options.ResolveLsh();
  ASSERT_TRUE(lsh.ok());
  EXPECT_GT(lsh->rows, 2u);
  options.verify = VerifyMode::kEstimate;
  EXPECT_FALSE(options.UsesContainmentBands());
  options.verify = VerifyMode::kEstimateOrContainment;
  options.method = DedupMethod::kSimHash;
  EXPECT_FALSE(options.UsesContainmentBands());
}

TEST(DedupTest, TheDefaultFindsAStoryInsideARoundUpFromSignaturesAlone) {
  std::string story, roundup, brief;
  for (int i = 0; i < 80; ++i) absl::StrAppend(&story, "وشە", i, " ");
  for (int i = 0; i < 120; ++i) absl::StrAppend(&roundup, "پێش", i, " ");
  roundup += story;
  for (int i = 0; i < 120; ++i) absl::StrAppend(&roundup, "دوای", i, " ");
  for (int i = 0; i < 24; ++i) absl::StrAppend(&brief, "پێش", i, " ");  // 24 of 320 words
  const std::vector<DedupInput> docs = {
      {"story", story, ""}, {"roundup", roundup, ""}, {"brief", brief, ""}};
  DedupOptions options;
  ASSERT_EQ(options.verify, VerifyMode::kEstimateOrContainment);
  absl::StatusOr<DedupResult> r = Dedup(docs, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stats.bands, 32u);
  EXPECT_EQ(r->stats.rows, 4u);
  ASSERT_EQ(r->pairs.size(), 1u);
  EXPECT_EQ(r->pairs[0].a, 0u);
  EXPECT_EQ(r->pairs[0].b, 1u);
  EXPECT_GE(r->pairs[0].score, 0.8);
  EXPECT_EQ(r->fate[2], DocumentFate::kKept);  // 23 of 319 shingles: under 0.08
  // A lower ratio judges the brief; one row per band makes sure it is a
  // candidate (at 64x2 a Jaccard of 0.07 is one with probability 0.28).
  options.containment_ratio = 0.05;
  options.containment_bands = 128;
  options.containment_rows = 1;
  r = Dedup(docs, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->pairs.size(), 2u);  // now the brief is judged, and it is inside
  options.verify = VerifyMode::kEstimate;
  r = Dedup(docs, options);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->pairs.empty());
}

// Documents under min_shingles take no part in LSH: alone they are rejected
// as too_short; identical copies still form their cluster (issue 18).
TEST(DedupTest, TooShortDocumentsAreRejectedUnlessTheyHaveIdenticalCopies) {
  const std::vector<DedupInput> docs = {
      {"a", "سڵاو", ""},                       // 1 shingle, copied by c
      {"b", "باشە ئێستا", ""},                 // 1 shingle, alone
      {"c", "سڵاو", ""},
      {"d", "یەک دوو سێ چوار", ""},            // 3 shingles: judged
      {"e", "یەک دوو سێ", ""},                 // 2 shingles, inside d
      {"f", "یەک دوو سێ چوار پێنج", ""}};
  DedupOptions options;
  ASSERT_EQ(options.min_shingles, 3u);
  absl::StatusOr<DedupResult> r = Dedup(docs, options);
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> rejected;
  for (const DedupRejection& x : r->rejected) {
    rejected.push_back(absl::StrCat(x.doc, " ", x.reason));
    EXPECT_EQ(r->fate[x.doc], DocumentFate::kRejected);
  }
  EXPECT_EQ(rejected, (std::vector<std::string>{"1 too_short", "4 too_short"}));
  EXPECT_EQ(r->rejected[0].detail, TooShortDetail(1, options));
  ASSERT_EQ(r->pairs.size(), 2u);
  EXPECT_EQ(r->pairs[0], ExactCopyPair(0, 2));
  EXPECT_EQ(r->pairs[1].a, 3u);  // d ~ f, judged by its 3 and 4 shingles
  EXPECT_EQ(r->pairs[1].b, 5u);
  EXPECT_EQ(r->stats.rejected, 2u);
  EXPECT_EQ(r->stats.kept, 2u);  // a and d
  EXPECT_EQ(r->stats.kept + r->stats.duplicates + r->stats.rejected, docs.size());
  options.min_shingles = 1;
  r = Dedup(docs, options);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->rejected.empty());
  options.min_shingles = 0;
  EXPECT_FALSE(options.Validate().ok());
}

TEST(DedupTest, ARepeatedIdIsRefusedOrRenamed) {
  const std::vector<DedupInput> docs = {{"a", "یەک دوو سێ چوار", ""},
                                        {"b", "پێنج شەش حەوت", ""},
                                        {"a", "هەشت نۆ دە یازدە", ""},
                                        {"a~2", "دوازدە سیانزە", ""},
                                        {"a", "چواردە پازدە", ""}};
  DedupOptions options;
  absl::StatusOr<std::unique_ptr<Deduper>> d = Deduper::Create(options);
  ASSERT_TRUE(d.ok());
  absl::Status s = (*d)->Add(absl::MakeConstSpan(docs).subspan(0, 3));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("document 2 has id 'a', as document 0 has"), std::string::npos) << s;
  ASSERT_TRUE((*d)->refused_duplicate().has_value());
  EXPECT_EQ((*d)->refused_duplicate()->id, "a");
  EXPECT_EQ((*d)->size(), 0u);  // a failed Add adds nothing
  ASSERT_TRUE((*d)->Add(absl::MakeConstSpan(docs).subspan(0, 2)).ok());
  EXPECT_FALSE((*d)->Add(absl::MakeConstSpan(docs).subspan(2, 1)).ok());  // against earlier ones
  EXPECT_EQ((*d)->size(), 2u);

  options.duplicate_ids = DuplicateIds::kRename;
  absl::StatusOr<DedupResult> r = Dedup(docs, options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->renamed.size(), 3u);
  EXPECT_EQ(r->renamed[0].doc, 2u);
  EXPECT_EQ(r->renamed[0].original_id, "a");
  EXPECT_EQ(r->renamed[1].doc, 3u);
  EXPECT_EQ(r->renamed[1].original_id, "a~2");
  EXPECT_EQ(r->renamed[2].doc, 4u);
  EXPECT_EQ(r->fate.size(), 5u);
  d = Deduper::Create(options);
  ASSERT_TRUE((*d)->Add(docs).ok());
  std::vector<std::string> ids;
  for (size_t i = 0; i < (*d)->size(); ++i) ids.push_back((*d)->id(i));
  // "a~2" was taken by document 3 when document 4 came: it becomes "a~3".
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "a~2", "a~2~2", "a~3"}));
}

TEST(DedupTest, SketchesMadeElsewhereGroupLikeTexts) {
  const Corpus& c = Generated();
  DedupOptions options;
  options.verify = VerifyMode::kExact;  // the shingle sets travel too
  const DedupResult whole = DedupOrDie(c.inputs, options);

  // "Machine A" sketches two halves and writes them out; "machine B" reads
  // them back and groups.
  std::vector<absl::string_view> texts(c.texts.begin(), c.texts.end());
  const size_t half = texts.size() / 2;
  std::vector<std::string> encoded;
  for (auto [begin, end] : {std::pair<size_t, size_t>{0, half}, {half, texts.size()}}) {
    absl::StatusOr<SketchBatch> b = SketchTexts(
        absl::MakeConstSpan(texts).subspan(begin, end - begin), options.sketch, options.SketchOptions());
    ASSERT_TRUE(b.ok());
    encoded.push_back(b->Encode());
  }
  absl::StatusOr<std::unique_ptr<Deduper>> d = Deduper::Create(options);
  ASSERT_TRUE(d.ok());
  size_t at = 0;
  for (const std::string& bytes : encoded) {
    absl::StatusOr<SketchBatch> b = SketchBatch::Decode(bytes);
    ASSERT_TRUE(b.ok()) << b.status();
    const size_t n = b->size();
    ASSERT_TRUE((*d)->AddSketched(*std::move(b),
                                  std::vector<std::string>(c.ids.begin() + at, c.ids.begin() + at + n))
                    .ok());
    at += n;
  }
  absl::StatusOr<DedupResult> grouped = (*d)->Finish();
  ASSERT_TRUE(grouped.ok());
  ExpectSameResult(whole, *grouped, "from encoded sketches");
}

TEST(DedupTest, IncompatibleOrDamagedSketchesAreErrors) {
  const Corpus& c = Generated();
  std::vector<absl::string_view> texts(c.texts.begin(), c.texts.begin() + 10);
  SketchParams params;
  params.shingle.size = 3;  // word:3, not the engine's word:2
  absl::StatusOr<SketchBatch> other = SketchTexts(texts, params, SketchBatchOptions());
  ASSERT_TRUE(other.ok());
  absl::StatusOr<std::unique_ptr<Deduper>> d = Deduper::Create(DedupOptions());
  ASSERT_TRUE(d.ok());
  absl::Status s = (*d)->AddSketched(*other, std::vector<std::string>(10, "x"));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("shingle"), std::string::npos) << s;

  // Exact verification needs the shingle sets a plain batch lacks.
  DedupOptions exact;
  exact.verify = VerifyMode::kExact;
  absl::StatusOr<SketchBatch> plain = SketchTexts(texts, exact.sketch, SketchBatchOptions());
  ASSERT_TRUE(plain.ok());
  d = Deduper::Create(exact);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->AddSketched(*plain, std::vector<std::string>(10, "x")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*d)->AddSketched(*plain, {"too", "few"}).code(), absl::StatusCode::kFailedPrecondition);

  // Every truncation and a flipped byte anywhere are refused with an offset.
  const std::string bytes = plain->Encode();
  for (size_t cut : {size_t{0}, size_t{7}, size_t{30}, bytes.size() / 2, bytes.size() - 1}) {
    absl::StatusOr<SketchBatch> b = SketchBatch::Decode(absl::string_view(bytes).substr(0, cut));
    EXPECT_EQ(b.status().code(), absl::StatusCode::kDataLoss) << cut;
    EXPECT_NE(b.status().message().find("byte offset"), std::string::npos) << b.status();
  }
  for (size_t at : {size_t{9}, size_t{40}, bytes.size() / 2, bytes.size() - 3}) {
    std::string damaged = bytes;
    damaged[at] ^= 0x20;
    EXPECT_FALSE(SketchBatch::Decode(damaged).ok()) << at;
  }
  absl::StatusOr<SketchBatch> back = SketchBatch::Decode(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->minhash, plain->minhash);
  EXPECT_EQ(back->params, plain->params);
  EXPECT_EQ(back->text_bytes, plain->text_bytes);
}

TEST(DedupTest, SketchTextsDoesNotDependOnThreadsAndSkipsUnaskedWork) {
  const Corpus& c = Generated();
  std::vector<absl::string_view> texts(c.texts.begin(), c.texts.end());
  SketchBatchOptions all;
  all.simhash = all.shingle_sets = true;
  all.threads = 1;
  absl::StatusOr<SketchBatch> one = SketchTexts(texts, SketchParams(), all);
  all.threads = 3;
  absl::StatusOr<SketchBatch> three = SketchTexts(texts, SketchParams(), all);
  absl::StatusOr<SketchBatch> minhash_only = SketchTexts(texts, SketchParams(), SketchBatchOptions());
  ASSERT_TRUE(one.ok() && three.ok() && minhash_only.ok());
  EXPECT_EQ(one->minhash, three->minhash);
  EXPECT_EQ(one->simhash, three->simhash);
  EXPECT_EQ(one->shingle_sets, three->shingle_sets);
  EXPECT_EQ(one->reject_reason, three->reject_reason);
  // The signature alone (no set, no SimHash) is the same signature.
  EXPECT_EQ(minhash_only->minhash, one->minhash);
  EXPECT_TRUE(minhash_only->simhash.empty());
  EXPECT_TRUE(minhash_only->shingle_sets.empty());
  // And each equals the DocumentSketcher reference.
  DocumentSketcher reference(SketchParams{});
  DocumentSketch sketch;
  for (size_t i = 0; i + 2 < texts.size(); i += 97) {
    ASSERT_TRUE(reference.Sketch(texts[i], &sketch).ok());
    EXPECT_EQ(std::vector<uint32_t>(one->signature(i).begin(), one->signature(i).end()),
              sketch.minhash);
    EXPECT_EQ(one->shingle_sets[i], sketch.shingles);
    EXPECT_EQ(one->simhash[i], sketch.simhash);
  }
}

TEST(DedupTest, ProgressReportsEachStageAndFinishes) {
  const Corpus& c = Generated();
  std::vector<std::string> stages;
  bool finished = false;
  DedupOrDie(c.inputs, DedupOptions());  // warm
  absl::StatusOr<DedupResult> r = Dedup(c.inputs, DedupOptions(), [&](const ProgressEvent& e) {
    EXPECT_FALSE(finished);
    if (stages.empty() || stages.back() != e.stage) stages.emplace_back(e.stage);
    finished = e.finished;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(finished);
  EXPECT_EQ(stages, (std::vector<std::string>{"sketching", "grouping", "verifying", "clustering",
                                              "done"}));
}

TEST(DedupTest, MatchesTheFileJob) {
  const Corpus& c = Generated();
  const std::string dir = testing::NewScratchDir("engine_vs_job");
  std::string jsonl;
  for (size_t i = 0; i < c.ids.size(); ++i) {
    if (c.ids[i] == "bad-utf8") continue;  // the reader would refuse it first
    JsonObjectWriter(&jsonl).Field("id", c.ids[i]).Field("text", c.texts[i]).Close();
    jsonl += '\n';
  }
  ASSERT_TRUE(WriteFileAtomically(dir + "/in.jsonl", jsonl).ok());
  DedupJobOptions job;
  job.out_dir = dir + "/out";
  ASSERT_TRUE(RunDedupJob({dir + "/in.jsonl"}, job).ok());
  absl::StatusOr<std::string> pairs_tsv = ReadFile(dir + "/out/pairs.tsv");
  ASSERT_TRUE(pairs_tsv.ok());

  std::vector<DedupInput> inputs(c.inputs.begin(), c.inputs.end() - 1);
  const DedupResult r = DedupOrDie(inputs, DedupOptions());
  std::string expected = "id_a\tid_b\tscore\tjaccard\tcontainment\tdecided_by\n";
  for (const ScoredPair& p : r.pairs) {
    absl::StrAppend(&expected, c.ids[p.a], "\t", c.ids[p.b], "\t",
                    absl::StrFormat("%.4f\t%.4f\t%.4f\t", p.score, p.jaccard, p.containment),
                    PairRuleName(p.rule), "\n");
  }
  EXPECT_GT(r.pairs.size(), 100u);
  EXPECT_TRUE(*pairs_tsv == expected) << "pairs.tsv differs from the engine's pairs";
}

}  // namespace
}  // namespace dubare
