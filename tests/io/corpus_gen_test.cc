// Copyright 2026 The Dubare Authors.
//
// The synthetic corpus generator: deterministic for a seed, its duplicate
// truth really is near-duplicate text (by the word-3-gram Jaccard of
// match-key text that dedup uses) while random pairs are not, and planted
// passage spans point at the same sentences in both documents.

#include "gen/corpus_gen.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "dubare/normalize.h"
#include "dubare/reader.h"
#include "dubare/shingle.h"
#include "gtest/gtest.h"
#include "io_test_util.h"

namespace dubare::gen {
namespace {

CorpusOptions SmallOptions() {
  CorpusOptions o;
  o.num_docs = 600;
  o.dup_fraction = 0.3;
  o.seed = 42;
  o.passages = true;
  o.passage_fraction = 0.2;
  return o;
}

// Sorted unique word-3-gram hashes of match-key text.
std::vector<uint64_t> ShingleSet(const std::string& text) {
  static const Normalizer* normalizer = [] {
    NormalizeOptions o;
    o.form = NormalForm::kMatchKey;
    return new Normalizer(o);
  }();
  NormalizedText key = *normalizer->Normalize(text);
  Shingles shingles;
  Shingler().Shingle(key.text, &shingles, false);
  std::vector<uint64_t> set = shingles.hashes;
  SortUnique(&set);
  return set;
}

double Jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  std::vector<uint64_t> common;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
  const size_t uni = a.size() + b.size() - common.size();
  return uni == 0 ? 1.0 : static_cast<double>(common.size()) / uni;
}

double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * (v.size() - 1))];
}

TEST(CorpusGenTest, SameSeedSameCorpusForAnyThreadCount) {
  CorpusOptions o = SmallOptions();
  Corpus one = *GenerateCorpus(o, 1);
  Corpus two = *GenerateCorpus(o, 3);
  ASSERT_EQ(one.docs.size(), o.num_docs);
  ASSERT_EQ(two.docs.size(), o.num_docs);
  for (size_t i = 0; i < one.docs.size(); ++i) {
    ASSERT_EQ(one.docs[i].id, two.docs[i].id);
    ASSERT_EQ(one.docs[i].text, two.docs[i].text) << i;
    ASSERT_EQ(one.docs[i].date, two.docs[i].date);
    ASSERT_EQ(one.docs[i].source, two.docs[i].source);
  }
  ASSERT_EQ(one.pairs.size(), two.pairs.size());
  ASSERT_EQ(one.passages.size(), two.passages.size());
  for (size_t i = 0; i < one.passages.size(); ++i) {
    EXPECT_EQ(one.passages[i].dst_begin, two.passages[i].dst_begin);
  }

  o.seed = 43;
  Corpus other = *GenerateCorpus(o, 1);
  size_t same = 0;
  for (size_t i = 0; i < other.docs.size(); ++i) same += other.docs[i].text == one.docs[i].text;
  EXPECT_EQ(same, 0u);
}

TEST(CorpusGenTest, PlanHasTheRequestedShape) {
  CorpusOptions o = SmallOptions();
  std::unique_ptr<CorpusGenerator> gen = *CorpusGenerator::Create(o);
  size_t copies = 0;
  std::set<uint32_t> seen;
  for (const auto& c : gen->clusters()) {
    ASSERT_GE(c.size(), 2u);
    ASSERT_LE(c.size(), static_cast<size_t>(o.max_cluster_size));
    copies += c.size() - 1;
    for (uint32_t i : c) EXPECT_TRUE(seen.insert(i).second) << "document in two clusters";
  }
  EXPECT_NEAR(static_cast<double>(copies) / o.num_docs, o.dup_fraction, 0.01);
  size_t expected_pairs = 0;
  for (const auto& c : gen->clusters()) expected_pairs += c.size() * (c.size() - 1) / 2;
  EXPECT_EQ(gen->pairs().size(), expected_pairs);
  for (const TruthPair& p : gen->pairs()) EXPECT_LT(p.a, p.b);

  o.dup_fraction = 0;
  EXPECT_TRUE((*CorpusGenerator::Create(o))->pairs().empty());
  o.dup_fraction = 1.5;
  EXPECT_FALSE(CorpusGenerator::Create(o).ok());
}

TEST(CorpusGenTest, ArticlesLookLikeNews) {
  Corpus c = *GenerateCorpus(SmallOptions(), 2);
  size_t total_words = 0;
  for (const GeneratedDoc& d : c.docs) {
    ASSERT_EQ(FindInvalidUtf8(d.text), -1);
    // Headline, blank line, paragraphs.
    std::vector<std::string> parts = absl::StrSplit(d.text, "\n\n");
    ASSERT_GE(parts.size(), 2u);
    EXPECT_EQ(d.date.size(), 10u);
    EXPECT_FALSE(d.source.empty());
    total_words += std::count(d.text.begin(), d.text.end(), ' ') + 1;
  }
  const double mean = static_cast<double>(total_words) / c.docs.size();
  EXPECT_GT(mean, 250);
  EXPECT_LT(mean, 420);
}

// The truth is what a dedup tool should find: truth pairs are similar,
// random pairs are not, and the edits make copies differ from their base.
TEST(CorpusGenTest, TruthPairsAreNearDuplicatesAndRandomPairsAreNot) {
  CorpusOptions o = SmallOptions();
  o.passages = false;
  Corpus c = *GenerateCorpus(o, 2);
  std::vector<std::vector<uint64_t>> sets;
  for (const GeneratedDoc& d : c.docs) sets.push_back(ShingleSet(d.text));

  std::vector<double> truth, random;
  size_t identical = 0;
  for (const TruthPair& p : c.pairs) {
    truth.push_back(Jaccard(sets[p.a], sets[p.b]));
    identical += c.docs[p.a].text == c.docs[p.b].text;
  }
  std::set<std::pair<uint32_t, uint32_t>> truth_set;
  for (const TruthPair& p : c.pairs) truth_set.insert({p.a, p.b});
  std::mt19937_64 rng(1);
  while (random.size() < 2000) {
    uint32_t a = rng() % c.docs.size(), b = rng() % c.docs.size();
    if (a >= b || truth_set.count({a, b})) continue;
    random.push_back(Jaccard(sets[a], sets[b]));
  }
  const double truth_median = Quantile(truth, 0.5), truth_low = Quantile(truth, 0.05);
  const double random_high = Quantile(random, 0.999);
  std::printf("truth Jaccard: p5 %.3f median %.3f; random: median %.3f p99.9 %.3f max %.3f\n", truth_low,
              truth_median, Quantile(random, 0.5), random_high, Quantile(random, 1.0));
  EXPECT_GT(truth_median, 0.7);
  EXPECT_GT(truth_low, 0.45);
  EXPECT_LT(random_high, 0.1);
  EXPECT_LT(identical, c.pairs.size() / 4) << "copies should mostly be edited";
}

// Orthographic variants alone are folded by the match key: at intensity 0,
// copies are (nearly) identical after normalization but not before.
TEST(CorpusGenTest, OrthographyOnlyCopiesMatchAfterNormalization) {
  CorpusOptions o = SmallOptions();
  o.passages = false;
  o.num_docs = 200;
  o.edit_intensity = 0;
  Corpus c = *GenerateCorpus(o, 2);
  size_t differ_in_bytes = 0;
  for (const TruthPair& p : c.pairs) {
    differ_in_bytes += c.docs[p.a].text != c.docs[p.b].text;
    EXPECT_TRUE(p.edits == 0 || p.edits == kEditOrthography) << EditKindString(p.edits);
    EXPECT_GT(Jaccard(ShingleSet(c.docs[p.a].text), ShingleSet(c.docs[p.b].text)), 0.97);
  }
  EXPECT_GT(differ_in_bytes, c.pairs.size() / 2);
}

// Each planted passage: the span in the source and the span in the
// destination hold the same sentences, up to the recorded edits.
TEST(CorpusGenTest, PlantedPassageSpansPointAtTheSameText) {
  Corpus c = *GenerateCorpus(SmallOptions(), 2);
  ASSERT_GT(c.passages.size(), 20u);
  NormalizeOptions no;
  no.form = NormalForm::kMatchKey;
  Normalizer normalizer(no);
  for (const PlantedPassage& p : c.passages) {
    const std::string& src = c.docs[p.src].text;
    const std::string& dst = c.docs[p.dst].text;
    ASSERT_LE(p.src_end, src.size());
    ASSERT_LE(p.dst_end, dst.size());
    ASSERT_LT(p.src_begin, p.src_end);
    ASSERT_LT(p.dst_begin, p.dst_end);
    // Spans start and end at sentence boundaries.
    EXPECT_TRUE(dst[p.dst_begin - 1] == ' ' || dst[p.dst_begin - 1] == '\n');
    EXPECT_TRUE(p.dst_end == dst.size() || dst[p.dst_end] == ' ' || dst[p.dst_end] == '\n');
    const std::string s = src.substr(p.src_begin, p.src_end - p.src_begin);
    const std::string d = dst.substr(p.dst_begin, p.dst_end - p.dst_begin);
    if (p.edits == 0) {
      // Only white space between sentences may differ (paragraphing).
      std::vector<std::string> sw = absl::StrSplit(s, absl::ByAnyChar(" \n"), absl::SkipEmpty());
      std::vector<std::string> dw = absl::StrSplit(d, absl::ByAnyChar(" \n"), absl::SkipEmpty());
      EXPECT_EQ(sw, dw);
      continue;
    }
    std::vector<std::string> sw = absl::StrSplit(normalizer.Normalize(s)->text, absl::ByAnyChar(" \n"), absl::SkipEmpty());
    std::vector<std::string> dw = absl::StrSplit(normalizer.Normalize(d)->text, absl::ByAnyChar(" \n"), absl::SkipEmpty());
    if (!(p.edits & kEditWords)) {
      EXPECT_EQ(sw, dw);
      continue;
    }
    // One token replaced (names are two words): a common prefix and suffix
    // cover all but that.
    size_t prefix = 0, suffix = 0;
    while (prefix < std::min(sw.size(), dw.size()) && sw[prefix] == dw[prefix]) ++prefix;
    while (suffix < std::min(sw.size(), dw.size()) - prefix &&
           sw[sw.size() - 1 - suffix] == dw[dw.size() - 1 - suffix]) {
      ++suffix;
    }
    EXPECT_LE(sw.size() - prefix - suffix, 2u);
    EXPECT_LE(dw.size() - prefix - suffix, 2u);
  }
}

// What dubare_gen writes reads back through the document reader, with the
// truth files naming documents that exist.
TEST(CorpusGenTest, WrittenCorpusReadsBackWithTheReader) {
  dubare::testing::TempDir dir;
  CorpusOptions o = SmallOptions();
  o.num_docs = 300;
  ASSERT_TRUE(WriteCorpus(o, dir.path(), 2).ok());
  Corpus c = *GenerateCorpus(o, 1);
  ReaderOptions ro;
  ro.extra_fields = {"date", "source"};
  std::vector<Document> docs = *ReadAllDocuments({dir.path() + "/corpus.jsonl"}, ro);
  ASSERT_EQ(docs.size(), c.docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    ASSERT_TRUE(docs[i].ok()) << docs[i].detail;
    EXPECT_EQ(docs[i].id, c.docs[i].id);
    EXPECT_EQ(docs[i].text, c.docs[i].text);
    EXPECT_EQ(docs[i].fields[0], c.docs[i].date);
    EXPECT_EQ(docs[i].fields[1], c.docs[i].source);
  }
  std::ifstream pairs(dir.path() + "/pairs.tsv");
  std::string line;
  std::getline(pairs, line);
  EXPECT_EQ(line, "id_a\tid_b\tedits");
  size_t n = 0;
  while (std::getline(pairs, line)) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(f[0], c.docs[c.pairs[n].a].id);
    EXPECT_EQ(f[1], c.docs[c.pairs[n].b].id);
    ++n;
  }
  EXPECT_EQ(n, c.pairs.size());
  std::ifstream passages(dir.path() + "/passages.tsv");
  std::getline(passages, line);
  n = 0;
  while (std::getline(passages, line)) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    ASSERT_EQ(f.size(), 7u);
    uint32_t begin;
    ASSERT_TRUE(absl::SimpleAtoi(f[4], &begin));
    EXPECT_EQ(begin, c.passages[n].dst_begin);
    ++n;
  }
  EXPECT_EQ(n, c.passages.size());
}

}  // namespace
}  // namespace dubare::gen
