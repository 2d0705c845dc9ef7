// Copyright 2026 The Dubare Authors.
//
// Recall and precision on a generated corpus with planted passages (the
// small version of the benchmark in bench/passages_bench.cc), and the
// scoring and editing helpers it relies on.

#include "passages/evaluate.h"

#include <string>
#include <thread>
#include <vector>

#include "gen/corpus_gen.h"
#include "gtest/gtest.h"
#include "passage_test_util.h"

namespace dubare::passages_internal {
namespace {

PassageMatch MatchOf(uint32_t da, ByteSpan a, uint32_t db, ByteSpan b) {
  PassageMatch m;
  m.a = {da, a, 10};
  m.b = {db, b, 10};
  return m;
}

TEST(ScorePassagesTest, CountsCoveredTruthAndCorrectMatches) {
  const std::vector<TruthPassage> truth = {{0, {100, 200}, 1, {50, 150}},
                                           {0, {100, 200}, 2, {0, 100}},
                                           {3, {0, 100}, 4, {0, 100}}};
  const std::vector<PassageMatch> matches = {
      MatchOf(0, {110, 200}, 1, {60, 150}),  // finds truth 0
      MatchOf(1, {50, 150}, 2, {0, 100}),    // two copies of one source: correct
      MatchOf(3, {0, 30}, 4, {0, 30}),       // correct, but covers too little of truth 2
      MatchOf(3, {0, 100}, 1, {50, 150}),    // unrelated sources: wrong
      MatchOf(0, {300, 400}, 4, {0, 100}),   // outside any planted span: wrong
  };
  const PassageScore s = ScorePassages(truth, matches);
  EXPECT_EQ(s.truth, 3u);
  EXPECT_EQ(s.found, 1u);
  EXPECT_EQ(s.reported, 5u);
  EXPECT_EQ(s.correct, 3u);
}

TEST(EditPassageTest, EditsOnlyInsideTheSpanAndKeepsItsEnds) {
  std::string text = "پێش. یەکەم لەسەر ئەو بابەتە لە هەولێر و دواتر. " + std::string(20, 'x') +
                     " دووەم، سێیەم و چوارەم کۆتایی " + "پاش";
  const std::string before = text;
  ByteSpan span{static_cast<uint32_t>(text.find("یەکەم")),
                static_cast<uint32_t>(text.find(" پاش"))};
  EditRates rates;
  rates.remove = rates.substitute = rates.insert = 0.3;
  rates.compound = rates.paragraph = 1;
  EditPassage(&text, &span, 42, rates);
  EXPECT_EQ(text.substr(0, span.begin), before.substr(0, before.find("یەکەم")));
  EXPECT_EQ(text.substr(span.end), " پاش");
  const std::string edited = text.substr(span.begin, span.size());
  EXPECT_EQ(edited.rfind("یەکەم", 0), 0u) << edited;
  EXPECT_NE(edited, before.substr(before.find("یەکەم"), before.find(" پاش") - before.find("یەکەم")));
}

struct Planted {
  gen::Corpus corpus;
  std::vector<TruthPassage> truth;
  std::vector<absl::string_view> texts;
};

// A generated corpus whose planted copies are edited further with
// EditPassage (respellings come from the generator's orthography styles).
Planted MakePlanted(size_t docs, bool extra_edits) {
  gen::CorpusOptions options;
  options.num_docs = docs;
  options.dup_fraction = 0;
  options.passages = true;
  options.seed = 5;
  absl::StatusOr<gen::Corpus> corpus = gen::GenerateCorpus(options, 2);
  EXPECT_TRUE(corpus.ok()) << corpus.status();
  Planted out;
  out.corpus = *std::move(corpus);
  for (const gen::PlantedPassage& p : out.corpus.passages) {
    TruthPassage t{p.src, {p.src_begin, p.src_end}, p.dst, {p.dst_begin, p.dst_end}};
    if (extra_edits) EditPassage(&out.corpus.docs[p.dst].text, &t.copy, p.dst);
    out.truth.push_back(t);
  }
  for (const gen::GeneratedDoc& d : out.corpus.docs) out.texts.push_back(d.text);
  return out;
}

TEST(PlantedPassageTest, RecallAndPrecisionAtDefaults) {
  for (bool extra_edits : {false, true}) {
    const Planted planted = MakePlanted(1500, extra_edits);
    ASSERT_GT(planted.truth.size(), 80u);
    absl::StatusOr<PassageResult> result = FindPassages(planted.texts);
    ASSERT_TRUE(result.ok()) << result.status();
    testing::ExpectValidResult(planted.texts, *result, PassageOptions());
    const PassageScore s = ScorePassages(planted.truth, result->matches);
    EXPECT_GE(s.recall(), 0.95) << "edited=" << extra_edits << " found " << s.found << "/"
                                << s.truth;
    EXPECT_GE(s.precision(), 0.95) << "edited=" << extra_edits << " correct " << s.correct
                                   << "/" << s.reported;
  }
}

// Progress comes from the calling thread only, stage by stage in order, with
// done never past total; the result is the same as without it.
TEST(PlantedPassageTest, ProgressFromTheCallingThreadInStageOrder) {
  const Planted planted = MakePlanted(600, false);
  PassageOptions options;
  options.threads = 2;
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<std::string> stages;
  uint64_t fingerprint_events = 0;
  absl::StatusOr<PassageResult> with = FindPassages(
      planted.texts, options, [&](const ProgressEvent& e) {
        EXPECT_EQ(std::this_thread::get_id(), caller);
        EXPECT_FALSE(e.finished);
        if (e.total > 0) EXPECT_LE(e.done, e.total) << e.stage;
        if (e.stage == "fingerprinting") ++fingerprint_events;
        if (stages.empty() || stages.back() != e.stage) stages.emplace_back(e.stage);
      });
  ASSERT_TRUE(with.ok()) << with.status();
  EXPECT_EQ(stages, (std::vector<std::string>{"fingerprinting", "matching fingerprints",
                                              "aligning document pairs"}));
  EXPECT_GT(fingerprint_events, 1u) << "the loop reports as it goes, not only at its start";
  absl::StatusOr<PassageResult> without = FindPassages(planted.texts, options);
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(with->matches.size(), without->matches.size());
}

}  // namespace
}  // namespace dubare::passages_internal
