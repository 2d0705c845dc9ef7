// Copyright 2026 The Dubare Authors.
//
// DedupShards over LocalGroup against Deduper: for 1..4 processes and every
// verification mode and keep policy, the shares' pairs, clusters and fates,
// put together in rank order, are the single-process result.

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "dubare/dedup.h"
#include "dubare/distributed.h"
#include "dubare/sketch.h"
#include "gen/corpus_gen.h"
#include "gtest/gtest.h"

namespace dubare {
namespace {

struct Corpus {
  std::vector<std::string> ids, texts, dates;
};

const Corpus& Generated() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    gen::CorpusOptions options;
    options.num_docs = 1200;
    options.words_per_article = 120;
    options.seed = 41;
    absl::StatusOr<gen::Corpus> g = gen::GenerateCorpus(options, 2);
    EXPECT_TRUE(g.ok()) << g.status();
    for (const gen::GeneratedDoc& d : g->docs) {
      c->ids.push_back(d.id);
      c->texts.push_back(d.text);
      c->dates.push_back(d.date);
    }
    // Exact copies (a crowd, spread over the shares), and documents the
    // sketch stage refuses.
    for (int i = 0; i < 40; ++i) {
      c->ids.push_back(absl::StrCat("copy-", i));
      c->texts.push_back(c->texts[i % 3]);
      c->dates.push_back(absl::StrCat("19", 10 + i));
    }
    // Round-ups of three stories each: containment pairs, which the default
    // finds through its containment bands.
    for (int i = 0; i < 30; ++i) {
      c->ids.push_back(absl::StrCat("roundup-", i));
      c->texts.push_back(absl::StrCat(c->texts[100 + i], " ", c->texts[200 + i], " ",
                                      c->texts[300 + i]));
      c->dates.push_back("2021");
    }
    // Texts too short to judge: alone (rejected as too_short) and with
    // identical copies in other shares (their copies' cluster).
    for (int i = 0; i < 12; ++i) {
      c->ids.push_back(absl::StrCat("short-", i));
      c->texts.push_back(i % 3 == 0 ? "سڵاو" : absl::StrCat("وشە", i, " تر"));
      c->dates.push_back("2022");
    }
    c->ids.push_back("punctuation");
    c->texts.push_back(" ... !!! ، ؟ ");
    c->dates.push_back("2020");
    c->ids.push_back("bad-utf8");
    c->texts.push_back("ok \xff then");
    c->dates.push_back("2020");
    // Interleave so that copies and refusals land in every share.
    const size_t n = c->ids.size();
    Corpus mixed;
    for (size_t i = 0; i < n; ++i) {
      const size_t j = (i * 7919) % n;
      mixed.ids.push_back(c->ids[j]);
      mixed.texts.push_back(c->texts[j]);
      mixed.dates.push_back(c->dates[j]);
    }
    *c = std::move(mixed);
    return c;
  }();
  return *corpus;
}

DedupResult Single(const Corpus& c, const DedupOptions& options) {
  std::vector<DedupInput> inputs;
  for (size_t i = 0; i < c.ids.size(); ++i) inputs.push_back({c.ids[i], c.texts[i], c.dates[i]});
  absl::StatusOr<DedupResult> r = Dedup(inputs, options);
  EXPECT_TRUE(r.ok()) << r.status();
  return *std::move(r);
}

// Share r of `processes`: uneven cuts, and the last share of 3+ empty.
std::pair<size_t, size_t> Share(size_t n, int processes, int r) {
  std::vector<size_t> cut(processes + 1, n);
  cut[0] = 0;
  for (int i = 1; i < processes; ++i) cut[i] = n * i * i / (processes * processes);
  if (processes >= 3) cut[processes - 1] = n;
  return {cut[r], cut[r + 1]};
}

std::vector<ShardResult> Distributed(const Corpus& c, const DedupOptions& options, int processes,
                                     absl::Status* status = nullptr, RefusedId* refused = nullptr) {
  std::vector<ShardResult> results(processes);
  std::vector<absl::Status> statuses(processes);
  std::vector<RefusedId> refusals(processes);
  LocalGroup group(processes);
  group.Run([&](Communicator& comm) {
    const int r = comm.rank();
    const auto [begin, end] = Share(c.ids.size(), processes, r);
    std::vector<absl::string_view> texts(c.texts.begin() + begin, c.texts.begin() + end);
    SketchBatchOptions so = options.SketchOptions();
    so.threads = 1;
    absl::StatusOr<SketchBatch> batch = SketchTexts(texts, options.sketch, so);
    ASSERT_TRUE(batch.ok()) << batch.status();
    ShardInput input;
    input.sketches = *std::move(batch);
    input.ids.assign(c.ids.begin() + begin, c.ids.begin() + end);
    if (options.keep.kind == KeepPolicy::Kind::kEarliest) {
      input.keep_values.assign(c.dates.begin() + begin, c.dates.begin() + end);
    }
    absl::StatusOr<ShardResult> result =
        DedupShards(comm, std::move(input), options, nullptr, &refusals[r]);
    statuses[r] = result.status();
    if (result.ok()) results[r] = *std::move(result);
  });
  for (int r = 1; r < processes; ++r) {
    EXPECT_EQ(statuses[r], statuses[0]) << "rank " << r;
    EXPECT_EQ(refusals[r].second, refusals[0].second);
  }
  if (status != nullptr) *status = statuses[0];
  if (refused != nullptr) *refused = refusals[0];
  if (status == nullptr) {
    EXPECT_TRUE(statuses[0].ok()) << statuses[0];
  }
  return results;
}

void ExpectSameAsSingle(const Corpus& c, const DedupOptions& options, int processes) {
  SCOPED_TRACE(absl::StrCat(processes, " processes, verify ", VerifyModeName(options.verify),
                            ", keep ", options.keep.ToString()));
  const DedupResult single = Single(c, options);
  const std::vector<ShardResult> shards = Distributed(c, options, processes);
  std::vector<ScoredPair> pairs;
  std::vector<Cluster> clusters;
  std::vector<DocumentFate> fate;
  std::vector<uint32_t> rejected;
  uint64_t cluster_number = 0;
  for (const ShardResult& s : shards) {
    EXPECT_EQ(s.first_cluster, cluster_number);
    cluster_number += s.clusters.size();
    pairs.insert(pairs.end(), s.pairs.begin(), s.pairs.end());
    clusters.insert(clusters.end(), s.clusters.begin(), s.clusters.end());
    fate.insert(fate.end(), s.fate.begin(), s.fate.end());
    for (const DedupRejection& r : s.rejected) rejected.push_back(s.first_doc + r.doc);
    // Every id the outputs name is known to the share.
    for (const ScoredPair& p : s.pairs) {
      if (p.b < s.first_doc || p.b >= s.first_doc + s.num_docs) {
        ASSERT_TRUE(s.remote_ids.contains(p.b));
        EXPECT_EQ(s.remote_ids.at(p.b), c.ids[p.b]);
      }
    }
  }
  EXPECT_EQ(pairs, single.pairs);
  EXPECT_EQ(clusters, single.clusters);
  EXPECT_EQ(fate, single.fate);
  std::vector<uint32_t> single_rejected;
  for (const DedupRejection& r : single.rejected) single_rejected.push_back(r.doc);
  EXPECT_EQ(rejected, single_rejected);
  const DedupStats& a = shards[0].stats;
  const DedupStats& b = single.stats;
  EXPECT_EQ(a.documents, b.documents);
  EXPECT_EQ(a.rejected, b.rejected);
  EXPECT_EQ(a.kept, b.kept);
  EXPECT_EQ(a.duplicates, b.duplicates);
  EXPECT_EQ(a.exact_duplicates, b.exact_duplicates);
  EXPECT_EQ(a.clusters, b.clusters);
  EXPECT_EQ(a.candidate_pairs, b.candidate_pairs);
  EXPECT_EQ(a.verified_pairs, b.verified_pairs);
  EXPECT_EQ(a.capped_buckets, b.capped_buckets);
  EXPECT_GT(b.clusters, 50u);  // the corpus has duplicates to find
  EXPECT_GT(b.exact_duplicates, 30u);
}

TEST(DedupShardsTest, SameAsOneProcessAtTheDefaults) {
  for (int p = 1; p <= 4; ++p) ExpectSameAsSingle(Generated(), DedupOptions(), p);
  // The round-ups are found, through the containment bands.
  const Corpus& c = Generated();
  const DedupResult single = Single(c, DedupOptions());
  int stories = 0;
  for (const ScoredPair& p : single.pairs) {
    stories += absl::StartsWith(c.ids[p.a], "roundup-") || absl::StartsWith(c.ids[p.b], "roundup-");
  }
  EXPECT_GE(stories, 60);  // three stories each, most found
}

TEST(DedupShardsTest, SameAsOneProcessForEveryVerifyModeAndKeepPolicy) {
  for (VerifyMode mode : {VerifyMode::kEstimate, VerifyMode::kExact, VerifyMode::kContainment,
                          VerifyMode::kJaccardOrContainment}) {
    DedupOptions o;
    o.verify = mode;
    o.keep = *KeepPolicy::Parse("longest");
    ExpectSameAsSingle(Generated(), o, 3);
  }
  DedupOptions o;
  o.keep = *KeepPolicy::Parse("earliest:date");
  ExpectSameAsSingle(Generated(), o, 2);
  ExpectSameAsSingle(Generated(), o, 4);
}

TEST(DedupShardsTest, CappedBucketsGiveTheSameStars) {
  DedupOptions o;
  o.max_bucket_size = 2;
  o.threshold = 0.2;
  for (int p : {2, 3}) ExpectSameAsSingle(Generated(), o, p);
  EXPECT_GT(Single(Generated(), o).stats.capped_buckets, 0u);
}

TEST(DedupShardsTest, RepeatedIdIsRefusedAsByOneProcess) {
  Corpus c = Generated();
  c.ids[900] = c.ids[100];
  c.ids[1000] = c.ids[100];
  c.ids[700] = c.ids[5];
  std::vector<DedupInput> inputs;
  for (size_t i = 0; i < c.ids.size(); ++i) inputs.push_back({c.ids[i], c.texts[i], c.dates[i]});
  absl::StatusOr<std::unique_ptr<Deduper>> d = Deduper::Create(DedupOptions());
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE((*d)->Add(inputs).ok());
  ASSERT_TRUE((*d)->refused_duplicate().has_value());
  for (int p : {2, 4}) {
    absl::Status status;
    RefusedId refused;
    Distributed(c, DedupOptions(), p, &status, &refused);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_EQ(refused.id, (*d)->refused_duplicate()->id);
    EXPECT_EQ(refused.first, (*d)->refused_duplicate()->first);
    EXPECT_EQ(refused.second, (*d)->refused_duplicate()->second);
  }
}

TEST(DedupShardsTest, RefusesWhatNeedsEveryDocumentInOnePlace) {
  DedupOptions o;
  o.method = DedupMethod::kSimHash;
  absl::Status status;
  Distributed(Generated(), o, 2, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  o = DedupOptions();
  o.duplicate_ids = DuplicateIds::kRename;
  Distributed(Generated(), o, 2, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
}

TEST(CommunicatorTest, AgreeOkReportsTheLowestFailingRank) {
  LocalGroup group(3);
  std::vector<absl::Status> out(3);
  group.Run([&](Communicator& comm) {
    absl::Status mine = comm.rank() >= 1 ? absl::DataLossError(absl::StrCat("bad ", comm.rank()))
                                         : absl::OkStatus();
    out[comm.rank()] = AgreeOk(comm, mine);
  });
  for (const absl::Status& s : out) {
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
    EXPECT_EQ(s.message(), "rank 1 on localhost: bad 1");
  }
}

}  // namespace
}  // namespace dubare
