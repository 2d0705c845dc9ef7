// Copyright 2026 The Dubare Authors.
//
// The index library: settings round trip, add/query/remove, ids and
// duplicates inside a batch, the same pairs as `dubare dedup` and as a
// brute-force reference, refusal of other settings, newer schemas, foreign,
// corrupt and truncated files, and readers running beside a writer.

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dubare/dedup.h"
#include "dubare/file.h"
#include "dubare/index.h"
#include "dubare/jobs.h"
#include "dubare/lsh.h"
#include "dubare/sketch.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/index_test_util.h"
#include "index/runs.h"

namespace dubare {
namespace {

using index_test::MakeCorpus;
using index_test::NewDir;
using ::testing::HasSubstr;

std::unique_ptr<Index> CreateOrDie(const std::string& path, const IndexOptions& options = {}) {
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Create(path, options);
  EXPECT_TRUE(index.ok()) << index.status();
  return index.ok() ? *std::move(index) : nullptr;
}

std::unique_ptr<Index> OpenOrDie(const std::string& path, const IndexOptions& options = {}) {
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(path, options);
  EXPECT_TRUE(index.ok()) << index.status();
  return index.ok() ? *std::move(index) : nullptr;
}

// Adds docs in batches of `batch`; returns the results in input order.
std::vector<IndexResult> AddAll(Index* index, const std::vector<IndexDocument>& docs,
                                size_t batch) {
  std::vector<IndexResult> results;
  for (size_t i = 0; i < docs.size(); i += batch) {
    const size_t n = std::min(batch, docs.size() - i);
    absl::StatusOr<AddResult> added = index->Add(absl::MakeConstSpan(docs).subspan(i, n));
    EXPECT_TRUE(added.ok()) << added.status();
    if (!added.ok()) break;
    for (IndexResult& r : added->results) results.push_back(std::move(r));
  }
  return results;
}

using PairSet = std::map<std::pair<std::string, std::string>, double>;

// Pairs (earlier id, later id) -> score from Add results, where ids sort in
// input order (the generator's "d0000042").
PairSet PairsOf(const std::vector<IndexDocument>& docs, const std::vector<IndexResult>& results) {
  PairSet pairs;
  for (size_t i = 0; i < docs.size(); ++i) {
    for (const IndexMatch& m : results[i].matches) {
      pairs[{std::min(m.id, docs[i].id), std::max(m.id, docs[i].id)}] = m.score;
    }
  }
  return pairs;
}

TEST(IndexTest, CreateStoresSettingsThatOpenReadsBack) {
  const std::string dir = NewDir("settings");
  IndexOptions options;
  options.settings.sketch.num_perm = 64;
  options.settings.sketch.shingle.size = 4;
  options.settings.threshold = 0.6;
  CreateOrDie(dir + "/i.db", options);
  std::unique_ptr<Index> index = OpenOrDie(dir + "/i.db");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->settings().sketch, options.settings.sketch);
  EXPECT_EQ(index->settings().threshold, 0.6);
  absl::StatusOr<LshParams> chosen = OptimalLshParams(0.6, 64);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(index->settings().lsh.bands, chosen->bands);
  EXPECT_EQ(index->settings().lsh.rows, chosen->rows);

  absl::StatusOr<std::unique_ptr<Index>> again = Index::Create(dir + "/i.db", options);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST(IndexTest, AddQueryRemoveRoundTrip) {
  const std::string dir = NewDir("roundtrip");
  index_test::TestCorpus corpus = MakeCorpus(400, 150);
  const std::vector<IndexDocument>& docs = corpus.docs;
  std::unique_ptr<Index> index = CreateOrDie(dir + "/i.db");
  ASSERT_NE(index, nullptr);

  // The first half is indexed; querying the second half must report the
  // same matches that adding it then reports.
  const std::vector<IndexDocument> first(docs.begin(), docs.begin() + 200);
  const std::vector<IndexDocument> second(docs.begin() + 200, docs.end());
  AddAll(index.get(), first, 64);
  absl::StatusOr<std::vector<IndexResult>> queried = index->Query(second);
  ASSERT_TRUE(queried.ok()) << queried.status();
  absl::StatusOr<IndexStats> before = index->Stats();
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->documents, 200u);  // Query did not add

  // Query results equal a brute-force scan of the indexed half.
  absl::StatusOr<std::vector<SketchedDocument>> sketched_first = index->Sketch(first);
  absl::StatusOr<std::vector<SketchedDocument>> sketched_second = index->Sketch(second);
  ASSERT_TRUE(sketched_first.ok() && sketched_second.ok());
  const LshParams& lsh = index->settings().lsh;
  int duplicates = 0;
  // Copies of an indexed signature are not answers: the first of it is.
  const std::vector<bool> first_of = index_test::FirstOfSignature(*sketched_first);
  for (size_t i = 0; i < second.size(); ++i) {
    std::vector<uint64_t> ka(lsh.bands), kb(lsh.bands);
    BandKeys((*sketched_second)[i].minhash, lsh, absl::MakeSpan(ka));
    std::set<std::string> expected;
    for (size_t j = 0; j < sketched_first->size(); ++j) {
      if (!first_of[j]) continue;
      const SketchedDocument& other = (*sketched_first)[j];
      BandKeys(other.minhash, lsh, absl::MakeSpan(kb));
      bool shares = false;
      for (uint32_t b = 0; b < lsh.bands; ++b) shares |= ka[b] == kb[b];
      if (shares && EstimateJaccard((*sketched_second)[i].minhash, other.minhash) >=
                        index->settings().threshold) {
        expected.insert(other.id);
      }
    }
    std::set<std::string> got;
    for (const IndexMatch& m : (*queried)[i].matches) got.insert(m.id);
    EXPECT_EQ(got, expected) << second[i].id;
    EXPECT_EQ((*queried)[i].status, expected.empty() ? IndexStatus::kNew : IndexStatus::kDuplicate);
    duplicates += !expected.empty();
  }
  EXPECT_GT(duplicates, 5);  // the corpus has clusters crossing the halves

  // Querying indexed documents: they exist; matches exclude themselves.
  absl::StatusOr<std::vector<IndexResult>> self = index->Query(first);
  ASSERT_TRUE(self.ok());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ((*self)[i].status, IndexStatus::kExists);
    for (const IndexMatch& m : (*self)[i].matches) EXPECT_NE(m.id, first[i].id);
  }

  // Remove: the removed documents are no longer found, by id or as matches.
  std::vector<std::string> gone;
  for (const auto& cluster : corpus.clusters) {
    if (cluster[0] < 200) gone.push_back(docs[cluster[0]].id);
  }
  gone.push_back("no-such-id");
  absl::StatusOr<std::vector<bool>> removed = index->Remove(gone);
  ASSERT_TRUE(removed.ok()) << removed.status();
  for (size_t i = 0; i + 1 < gone.size(); ++i) EXPECT_TRUE((*removed)[i]) << gone[i];
  EXPECT_FALSE(removed->back());
  absl::StatusOr<std::vector<IndexResult>> after = index->Query(first);
  ASSERT_TRUE(after.ok());
  const std::set<std::string> gone_set(gone.begin(), gone.end());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ((*after)[i].status == IndexStatus::kExists, !gone_set.contains(first[i].id));
    for (const IndexMatch& m : (*after)[i].matches) EXPECT_FALSE(gone_set.contains(m.id));
  }
  absl::StatusOr<IndexStats> stats = index->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, 200 - (gone.size() - 1));
  EXPECT_TRUE(index->CheckIntegrity().ok());

  // A removed id can be added again.
  absl::StatusOr<AddResult> readd = index->Add({first[0]});
  ASSERT_TRUE(readd.ok());
  EXPECT_NE(readd->results[0].status, IndexStatus::kExists);
}

// `remove` means gone from the file, not only unreachable: with
// secure_delete=FAST (pages freed by merges are not zeroed) the id and
// metadata of a removed document must not survive in the database or WAL.
// Get reads back what Add stored, across batches and exact copies (stored
// without band keys), and nothing for an absent or removed id.
TEST(IndexTest, GetReadsBackMetadataAndWhereEachDocumentCameFrom) {
  const std::string dir = NewDir("get");
  std::unique_ptr<Index> index = CreateOrDie(dir + "/i.db");
  ASSERT_NE(index, nullptr);
  std::vector<IndexDocument> docs = MakeCorpus(40, 80).docs;
  for (size_t i = 0; i < docs.size(); ++i) docs[i].metadata = absl::StrCat("{\"n\":", i, "}");
  docs.push_back({"copy-of-0", docs[0].text, "plain text"});
  const std::vector<IndexDocument> first(docs.begin(), docs.begin() + 20);
  const std::vector<IndexDocument> second(docs.begin() + 20, docs.end());
  ASSERT_TRUE(index->Add(first).ok());
  ASSERT_TRUE(index->Add(second).ok());
  std::vector<std::string> ids;
  for (const IndexDocument& d : docs) ids.push_back(d.id);
  ids.push_back("never-added");
  absl::StatusOr<std::vector<std::optional<StoredDocument>>> got = index->Get(ids);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), ids.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    ASSERT_TRUE((*got)[i].has_value()) << ids[i];
    EXPECT_EQ((*got)[i]->id, docs[i].id);
    EXPECT_EQ((*got)[i]->metadata, docs[i].metadata);
    EXPECT_EQ((*got)[i]->length, docs[i].text.size());
    EXPECT_EQ((*got)[i]->batch, i < 20 ? 1u : 2u);
    EXPECT_GT((*got)[i]->added_at, 0);
  }
  EXPECT_FALSE(got->back().has_value());
  ASSERT_TRUE(index->Remove({docs[3].id}).ok());
  got = index->Get({docs[3].id, docs[4].id});
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE((*got)[0].has_value());
  EXPECT_TRUE((*got)[1].has_value());
}

TEST(IndexTest, ARemovedDocumentsIdAndMetadataAreNotLeftInTheFile) {
  const std::string dir = NewDir("erase");
  const std::string path = dir + "/i.db";
  std::vector<IndexDocument> docs = MakeCorpus(60, 80).docs;
  const std::string secret_id = "secret-id-5d1f07c2";
  const std::string secret_meta = "{\"note\":\"confidential-93b1e4\"}";
  docs.push_back({secret_id, "a text of its own, nothing like the others here", secret_meta});
  auto file_holds = [&](const std::string& needle) {
    std::string bytes;
    for (const std::string& f : {path, path + "-wal"}) {
      std::ifstream in(f, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return bytes.find(needle) != std::string::npos;
  };
  {
    std::unique_ptr<Index> index = CreateOrDie(path);
    ASSERT_NE(index, nullptr);
    AddAll(index.get(), docs, 20);
  }
  ASSERT_TRUE(file_holds(secret_id));  // else the check below proves nothing
  ASSERT_TRUE(file_holds(secret_meta));
  {
    std::unique_ptr<Index> index = OpenOrDie(path);
    ASSERT_NE(index, nullptr);
    absl::StatusOr<std::vector<bool>> removed = index->Remove({secret_id});
    ASSERT_TRUE(removed.ok()) << removed.status();
    ASSERT_TRUE((*removed)[0]);
  }
  EXPECT_FALSE(file_holds(secret_id));
  EXPECT_FALSE(file_holds(secret_meta));
}

TEST(IndexTest, ReAddingAnIdIsReportedAndNotStoredTwice) {
  const std::string dir = NewDir("readd");
  std::vector<IndexDocument> docs = MakeCorpus(50, 80).docs;
  std::unique_ptr<Index> index = CreateOrDie(dir + "/i.db");
  ASSERT_NE(index, nullptr);
  AddAll(index.get(), docs, 20);
  // Again, and one id twice inside one batch with another text.
  std::vector<IndexDocument> again = docs;
  again.push_back({"fresh", docs[3].text + " extra words", ""});
  again.push_back({"fresh", "a different text altogether", ""});
  absl::StatusOr<AddResult> added = index->Add(again);
  ASSERT_TRUE(added.ok()) << added.status();
  for (size_t i = 0; i < docs.size(); ++i) {
    EXPECT_EQ(added->results[i].status, IndexStatus::kExists);
    EXPECT_FALSE(added->results[i].added);
  }
  EXPECT_TRUE(added->results[docs.size()].added);
  EXPECT_EQ(added->results[docs.size() + 1].status, IndexStatus::kExists);
  EXPECT_EQ(added->added, 1u);
  EXPECT_EQ(index_test::StoredIds(dir + "/i.db").size(), docs.size() + 1);
  absl::StatusOr<IndexStats> stats = index->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, docs.size() + 1);
  EXPECT_TRUE(index->CheckIntegrity().ok());
}

// A crowd of identical documents: each copy is answered by the first of its
// signature, stored with its id and signature keys only, so buckets (and
// answers) do not grow with the crowd; removing the first hands its band
// keys to the next copy.
TEST(IndexTest, ACrowdOfCopiesIsAnsweredByItsFirstAndKeepsBucketsSmall) {
  const std::string dir = NewDir("crowd");
  // Three unrelated articles (one corpus each).
  index_test::TestCorpus corpus;
  for (uint64_t seed : {5, 6, 7}) corpus.docs.push_back(MakeCorpus(1, 120, seed).docs.at(0));
  std::vector<IndexDocument> crowd;
  for (int i = 0; i < 300; ++i) {
    const IndexDocument& d = corpus.docs[i % 3];
    crowd.push_back({absl::StrCat("c", i), i % 2 ? d.text : "  " + d.text + "\n", ""});
  }
  std::unique_ptr<Index> index = CreateOrDie(dir + "/i.db");
  ASSERT_NE(index, nullptr);
  const std::vector<IndexResult> added = AddAll(index.get(), crowd, 64);
  for (int i = 0; i < 300; ++i) {
    if (i < 3) {
      EXPECT_EQ(added[i].status, IndexStatus::kNew) << i;
      continue;
    }
    ASSERT_EQ(added[i].matches.size(), 1u) << i;  // not the i/3 copies before it
    EXPECT_EQ(added[i].matches[0].id, absl::StrCat("c", i % 3));
    EXPECT_EQ(added[i].matches[0].score, 1.0);
  }
  const uint32_t bands = index->settings().lsh.bands;
  absl::StatusOr<IndexStats> stats = index->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, 300u);
  EXPECT_EQ(stats->band_entries, 3 * (bands + 2) + 297 * 2);
  EXPECT_TRUE(index->CheckIntegrity().ok());

  // Without its first, the crowd is answered by its next copy, for exact
  // and near copies alike.
  ASSERT_TRUE(index->Remove({"c0"}).ok());
  std::string edited = corpus.docs[0].text;
  edited.replace(edited.find(' '), 1, " وشەیەکی نوێ ");
  absl::StatusOr<std::vector<IndexResult>> q =
      index->Query({{"q1", corpus.docs[0].text, ""}, {"q2", edited, ""}});
  ASSERT_TRUE(q.ok()) << q.status();
  for (const IndexResult& r : *q) {
    ASSERT_EQ(r.matches.size(), 1u);
    EXPECT_EQ(r.matches[0].id, "c3");
  }
  EXPECT_EQ((*q)[0].matches[0].score, 1.0);
  EXPECT_LT((*q)[1].matches[0].score, 1.0);
  EXPECT_TRUE(index->CheckIntegrity().ok());
  ASSERT_TRUE(index->Compact().ok());
  EXPECT_TRUE(index->CheckIntegrity().ok());
  q = index->Query({{"q2", edited, ""}});
  ASSERT_TRUE(q.ok());
  ASSERT_EQ((*q)[0].matches.size(), 1u);
  EXPECT_EQ((*q)[0].matches[0].id, "c3");
}

TEST(IndexTest, DuplicatesInsideOneBatchAndSkipDuplicates) {
  const std::string dir = NewDir("inbatch");
  index_test::TestCorpus corpus = MakeCorpus(300, 120);
  const std::vector<IndexDocument>& docs = corpus.docs;
  for (bool skip : {false, true}) {
    IndexOptions options;
    options.skip_duplicates = skip;
    const std::string path = absl::StrCat(dir, "/i", skip, ".db");
    std::unique_ptr<Index> index = CreateOrDie(path, options);
    ASSERT_NE(index, nullptr);
    // One transaction: every copy must be found against its earlier
    // cluster members added by the same call.
    absl::StatusOr<AddResult> added = index->Add(docs);
    ASSERT_TRUE(added.ok()) << added.status();
    int copies_found = 0, copies = 0;
    for (std::vector<uint32_t> cluster : corpus.clusters) {
      std::sort(cluster.begin(), cluster.end());  // all but the first come after a member
      for (size_t k = 1; k < cluster.size(); ++k) {
        ++copies;
        copies_found += added->results[cluster[k]].status == IndexStatus::kDuplicate;
      }
    }
    EXPECT_GT(copies_found, copies * 8 / 10) << copies;
    size_t stored = 0;
    for (const IndexResult& r : added->results) {
      EXPECT_EQ(r.added, !skip || r.status == IndexStatus::kNew);
      stored += r.added;
    }
    EXPECT_EQ(index_test::StoredIds(path).size(), stored);
    EXPECT_TRUE(index->CheckIntegrity().ok());
  }
}

TEST(IndexTest, FindsTheSamePairsAsDedupAndBruteForce) {
  const std::string dir = NewDir("samepairs");
  gen::CorpusOptions corpus_options;
  corpus_options.num_docs = 1500;
  corpus_options.words_per_article = 150;
  corpus_options.seed = 11;
  ASSERT_TRUE(gen::WriteCorpus(corpus_options, dir + "/corpus", 2).ok());
  absl::StatusOr<std::vector<Document>> read =
      ReadAllDocuments({dir + "/corpus/corpus.jsonl"}, ReaderOptions());
  ASSERT_TRUE(read.ok()) << read.status();
  std::vector<IndexDocument> docs;
  for (const Document& d : *read) docs.push_back({d.id, d.text, ""});

  // The dedup engine, with its defaults.
  DedupOptions dedup;
  dedup.threads = 2;
  std::vector<DedupInput> inputs;
  for (const IndexDocument& d : docs) inputs.push_back({d.id, d.text, {}});
  absl::StatusOr<DedupResult> summary = Dedup(inputs, dedup);
  ASSERT_TRUE(summary.ok()) << summary.status();
  PairSet dedup_pairs;
  for (const ScoredPair& p : summary->pairs) {
    dedup_pairs[{std::min(docs[p.a].id, docs[p.b].id), std::max(docs[p.a].id, docs[p.b].id)}] =
        p.score;
  }
  ASSERT_GT(dedup_pairs.size(), 100u);

  // The index with the same settings, fed in uneven batches.
  IndexOptions options;
  options.settings.threshold = dedup.threshold;
  options.settings.sketch = dedup.sketch;
  options.threads = 2;
  std::unique_ptr<Index> index = CreateOrDie(dir + "/i.db", options);
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->settings().lsh.bands, summary->stats.bands);
  EXPECT_EQ(index->settings().lsh.rows, summary->stats.rows);
  PairSet index_pairs = PairsOf(docs, AddAll(index.get(), docs, 97));

  // Brute force: every pair sharing a band key whose estimate reaches the
  // threshold.
  absl::StatusOr<std::vector<SketchedDocument>> sketched = index->Sketch(docs);
  ASSERT_TRUE(sketched.ok());
  const LshParams& lsh = index->settings().lsh;
  std::vector<uint64_t> keys(docs.size() * lsh.bands);
  for (size_t i = 0; i < docs.size(); ++i) {
    BandKeys((*sketched)[i].minhash, lsh, absl::MakeSpan(keys).subspan(i * lsh.bands, lsh.bands));
  }
  PairSet brute;
  const std::vector<bool> first_of = index_test::FirstOfSignature(*sketched);
  for (size_t i = 0; i < docs.size(); ++i) {
    if (!first_of[i]) continue;  // a copy is answered by the first of its signature
    for (size_t j = i + 1; j < docs.size(); ++j) {
      bool shares = false;
      for (uint32_t b = 0; b < lsh.bands && !shares; ++b) {
        shares = keys[i * lsh.bands + b] == keys[j * lsh.bands + b];
      }
      if (!shares) continue;
      const double score = EstimateJaccard((*sketched)[i].minhash, (*sketched)[j].minhash);
      if (score >= options.settings.threshold) {
        brute[{std::min(docs[i].id, docs[j].id), std::max(docs[i].id, docs[j].id)}] = score;
      }
    }
  }
  auto keys_of = [](const PairSet& s) {
    std::set<std::pair<std::string, std::string>> k;
    for (const auto& [p, score] : s) k.insert(p);
    return k;
  };
  EXPECT_EQ(keys_of(index_pairs), keys_of(brute));
  // Dedup pairs each exact copy with the first of its match key only (not
  // with everything that first one matches): equal once every document
  // stands for its exact group.
  std::vector<absl::string_view> texts;
  for (const IndexDocument& d : docs) texts.push_back(d.text);
  absl::StatusOr<SketchBatch> batch = SketchTexts(texts, dedup.sketch, SketchBatchOptions());
  ASSERT_TRUE(batch.ok());
  const ExactGroups exact = GroupExactCopies(*batch);
  ASSERT_LT(exact.heads.size(), docs.size()) << "the corpus has exact copies";
  std::map<std::string, std::string> head_id;
  for (size_t i = 0; i < docs.size(); ++i) head_id[docs[i].id] = docs[exact.head_of[i]].id;
  auto by_head = [&](const PairSet& s) {
    std::set<std::pair<std::string, std::string>> k;
    for (const auto& [p, score] : s) {
      const std::string& a = head_id[p.first];
      const std::string& b = head_id[p.second];
      if (a != b) k.insert({std::min(a, b), std::max(a, b)});
    }
    return k;
  };
  EXPECT_EQ(by_head(index_pairs), by_head(dedup_pairs));
  for (const auto& [pair, score] : index_pairs) {
    auto it = dedup_pairs.find(pair);
    if (it != dedup_pairs.end()) {
      EXPECT_NEAR(score, it->second, 1e-3) << pair.first;
    }
  }
}

TEST(IndexTest, OpeningWithOtherSettingsFailsNamingTheDifference) {
  const std::string dir = NewDir("othersettings");
  CreateOrDie(dir + "/i.db");
  struct Case {
    const char* what;
    void (*change)(IndexSettings*);
  };
  const Case cases[] = {
      {"num_perm", [](IndexSettings* s) { s->sketch.num_perm = 64; }},
      {"shingle", [](IndexSettings* s) { s->sketch.shingle.size += 1; }},
      {"MinHash method", [](IndexSettings* s) { s->sketch.method = MinHashMethod::kOnePerm; }},
      {"threshold", [](IndexSettings* s) { s->threshold = 0.9; }},
      {"LSH layout", [](IndexSettings* s) { s->lsh = {.bands = 8, .rows = 8}; }},
  };
  for (const Case& c : cases) {
    IndexOptions options;
    options.check_settings = true;
    c.change(&options.settings);
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir + "/i.db", options);
    EXPECT_EQ(index.status().code(), absl::StatusCode::kFailedPrecondition) << c.what;
    EXPECT_THAT(index.status().message(), HasSubstr(c.what));
    EXPECT_THAT(index.status().message(), HasSubstr(dir + "/i.db"));
  }
  IndexOptions same;
  same.check_settings = true;
  EXPECT_TRUE(Index::Open(dir + "/i.db", same).ok());
}

TEST(IndexTest, NewerOrOlderSchemaIsRefused) {
  const std::string dir = NewDir("schema");
  CreateOrDie(dir + "/i.db");
  index_test::ExecSql(dir + "/i.db", "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir + "/i.db", {});
  EXPECT_EQ(index.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(index.status().message(), HasSubstr("newer"));
  index_test::ExecSql(dir + "/i.db", "UPDATE meta SET value = '0' WHERE key = 'schema_version'");
  index = Index::Open(dir + "/i.db", {});
  EXPECT_EQ(index.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(index.status().message(), HasSubstr("older"));
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), bytes.size());
}

std::string ReadBytes(const std::string& path) {
  absl::StatusOr<std::string> s = ReadFile(path);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.value_or("");
}

// An index of a few hundred documents, closed (its log checkpointed).
std::string BuildClosedIndex(const std::string& dir) {
  const std::string path = dir + "/i.db";
  std::unique_ptr<Index> index = CreateOrDie(path);
  AddAll(index.get(), MakeCorpus(300, 100).docs, 100);
  return path;
}

TEST(IndexTest, ForeignCorruptAndTruncatedFilesGiveClearErrors) {
  const std::string dir = NewDir("corrupt");
  const std::string good = ReadBytes(BuildClosedIndex(dir));
  ASSERT_GT(good.size(), 100000u);
  std::mt19937_64 rng(3);
  auto open_error = [&](const std::string& name, const std::string& bytes,
                        bool quick_check = false) {
    const std::string path = dir + "/" + name;
    WriteBytes(path, bytes);
    IndexOptions options;
    options.quick_check = quick_check;
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(path, options);
    absl::Status status = index.status();
    // A file that opens must at least fail the full check.
    if (status.ok()) status = (*index)->CheckIntegrity();
    EXPECT_FALSE(status.ok()) << name;
    EXPECT_THAT(status.message(), HasSubstr(path));
    return status;
  };

  EXPECT_EQ(Index::Open(dir + "/missing.db", {}).status().code(), absl::StatusCode::kNotFound);

  std::string random(200000, '\0');
  for (char& c : random) c = static_cast<char>(rng());
  absl::Status s = open_error("random.db", random);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("no SQLite header"));

  s = open_error("empty.db", "");
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);

  s = open_error("short.db", good.substr(0, 50));
  EXPECT_THAT(s.message(), HasSubstr("shorter than an SQLite header"));

  s = open_error("half.db", good.substr(0, good.size() / 2));
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("truncated"));

  // Another program's SQLite database.
  const std::string foreign = dir + "/foreign.db";
  index_test::ExecSql(foreign, "CREATE TABLE t(x); INSERT INTO t VALUES(1);");
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(foreign, {});
  EXPECT_EQ(index.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(index.status().message(), HasSubstr("application_id"));

  // Random bytes over the middle pages: the structure check finds them.
  std::string damaged = good;
  for (size_t i = good.size() / 3; i < good.size() / 3 + 16 * 4096; ++i) {
    damaged[i] = static_cast<char>(rng());
  }
  s = open_error("damaged.db", damaged, /*quick_check=*/true);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
}

TEST(IndexTest, CheckIntegrityFindsMissingBandEntriesAndBadCounts) {
  const std::string dir = NewDir("invariants");
  const std::string path = BuildClosedIndex(dir);
  {
    std::unique_ptr<Index> index = OpenOrDie(path);
    ASSERT_NE(index, nullptr);
    EXPECT_TRUE(index->CheckIntegrity().ok());
  }
  index_test::ExecSql(path, "UPDATE meta SET value = value + 1 WHERE key = 'documents'");
  {
    std::unique_ptr<Index> index = OpenOrDie(path);
    absl::Status s = index->CheckIntegrity();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(s.message(), HasSubstr("meta counts"));
  }
  index_test::ExecSql(path,
                      "UPDATE meta SET value = value - 1 WHERE key = 'documents';"
                      "INSERT INTO documents(id, metadata, length, minhash, batch, added_at)"
                      " SELECT 'ghost', '', length, minhash, batch, added_at FROM documents LIMIT 1;"
                      "UPDATE meta SET value = value + 1 WHERE key = 'documents';");
  index_test::RefreshChecksums(path);
  {
    std::unique_ptr<Index> index = OpenOrDie(path);
    absl::Status s = index->CheckIntegrity();
    EXPECT_THAT(s.message(), HasSubstr("'ghost' lacks a band-key entry"));
  }
  // A run's chunk whose first two keys are swapped (count, keys, documents).
  index_test::ExecSql(path,
                      "DELETE FROM documents WHERE id = 'ghost';"
                      "UPDATE meta SET value = value - 1 WHERE key = 'documents';"
                      "UPDATE chunks SET data = CAST(substr(data, 1, 4) || substr(data, 13, 8) ||"
                      " substr(data, 5, 8) || substr(data, 21) AS BLOB)"
                      " WHERE chunk = (SELECT min(chunk) FROM chunks);");
  index_test::RefreshChecksums(path);
  std::unique_ptr<Index> index = OpenOrDie(path);
  absl::Status s = index->CheckIntegrity();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("sorted"));
}

TEST(IndexTest, ADamagedDigestIsFoundByTheCheckOrRefusedAtOpen) {
  const std::string dir = NewDir("digests");
  const std::string path = BuildClosedIndex(dir);
  // Wrong contents: found by the integrity check.
  index_test::ExecSql(path, "UPDATE digests SET data = zeroblob(length(data)) WHERE block = 0");
  index_test::RefreshChecksums(path);
  {
    std::unique_ptr<Index> index = OpenOrDie(path);
    ASSERT_NE(index, nullptr);
    absl::Status s = index->CheckIntegrity();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(s.message(), HasSubstr("wrong or missing digest"));
  }
  // A block of the wrong size: refused when read, naming the file and block.
  index_test::ExecSql(path, "UPDATE digests SET data = x'00' WHERE block = 0");
  index_test::RefreshChecksums(path);
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(path, {});
  EXPECT_EQ(index.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(index.status().message(), HasSubstr(path + ": digest block 0"));
}

TEST(IndexTest, ReadersQueryWhileAWriterAdds) {
  const std::string dir = NewDir("concurrent");
  const std::string path = dir + "/i.db";
  std::vector<IndexDocument> docs = MakeCorpus(1200, 80).docs;
  CreateOrDie(path);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    std::unique_ptr<Index> index = OpenOrDie(path);
    if (index != nullptr) AddAll(index.get(), docs, 50);
    done = true;
  });
  IndexOptions read_only;
  read_only.read_only = true;
  std::unique_ptr<Index> reader = OpenOrDie(path, read_only);
  ASSERT_NE(reader, nullptr);
  const std::vector<IndexDocument> probe(docs.begin(), docs.begin() + 100);
  size_t last_present = 0, queries = 0;
  while (true) {
    const bool finished = done;
    absl::StatusOr<std::vector<IndexResult>> results = reader->Query(probe);
    ASSERT_TRUE(results.ok()) << results.status();
    size_t present = 0;
    for (const IndexResult& r : *results) present += r.status == IndexStatus::kExists;
    EXPECT_GE(present, last_present);  // committed batches never disappear
    last_present = present;
    ++queries;
    if (finished) break;
  }
  writer.join();
  EXPECT_EQ(last_present, probe.size());
  EXPECT_GE(queries, 1u);  // how many ran during the writes depends on scheduling
  absl::StatusOr<IndexStats> stats = reader->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, docs.size());
  EXPECT_EQ(stats->batches, (docs.size() + 49) / 50);
  EXPECT_TRUE(reader->CheckIntegrity().ok());
}

TEST(IndexTest, ReadOnlyIndexRefusesWrites) {
  const std::string dir = NewDir("readonly");
  CreateOrDie(dir + "/i.db");
  IndexOptions options;
  options.read_only = true;
  std::unique_ptr<Index> index = OpenOrDie(dir + "/i.db", options);
  ASSERT_NE(index, nullptr);
  absl::StatusOr<AddResult> added = index->Add({{"a", "some text here", ""}});
  EXPECT_EQ(added.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(IndexTest, BadDocumentsAreRejectedWithTheirId) {
  const std::string dir = NewDir("baddocs");
  std::unique_ptr<Index> index = CreateOrDie(dir + "/i.db");
  ASSERT_NE(index, nullptr);
  absl::StatusOr<AddResult> added = index->Add({{"", "text", ""}});
  EXPECT_EQ(added.status().code(), absl::StatusCode::kInvalidArgument);
  added = index->Add({{"bad-utf8", std::string("abc \xff\xfe def"), ""}});
  EXPECT_FALSE(added.ok());
  EXPECT_THAT(added.status().message(), HasSubstr("bad-utf8"));
  SketchedDocument wrong{"short-sig", "", 3, std::vector<uint32_t>(7)};
  added = index->AddSketched({wrong});
  EXPECT_EQ(added.status().code(), absl::StatusCode::kInvalidArgument);
  // Nothing of the failed calls was stored.
  absl::StatusOr<IndexStats> stats = index->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, 0u);
  EXPECT_EQ(stats->batches, 0u);
}

// Sketching workers take documents as they come free; whichever finishes
// first, the error names the first bad document in input order, and the
// sketches of a good batch are in input order.
TEST(IndexTest, ParallelSketchingReportsTheFirstBadDocumentAndKeepsTheOrder) {
  const std::string dir = NewDir("parallel");
  IndexOptions options;
  options.threads = 4;
  std::unique_ptr<Index> index = CreateOrDie(dir + "/i.db", options);
  ASSERT_NE(index, nullptr);
  std::vector<IndexDocument> docs;
  for (int i = 0; i < 300; ++i) {
    docs.push_back({absl::StrCat("d", i), absl::StrCat("وشەی ", i, " و ", i * 7, " لە دەقێکدا"), ""});
  }
  absl::StatusOr<std::vector<SketchedDocument>> sketched = index->Sketch(docs);
  ASSERT_TRUE(sketched.ok()) << sketched.status();
  DocumentSketcher one(index->settings().sketch);
  for (size_t i = 0; i < docs.size(); ++i) {
    DocumentSketch want;
    ASSERT_TRUE(one.Sketch(docs[i].text, &want).ok());
    ASSERT_EQ((*sketched)[i].id, docs[i].id);
    ASSERT_EQ((*sketched)[i].length, docs[i].text.size());
    ASSERT_EQ((*sketched)[i].minhash, want.minhash) << i;
  }
  docs[290].text = "late \xff";
  docs[131].text = "early \xfe";
  for (int round = 0; round < 20; ++round) {
    sketched = index->Sketch(docs);
    ASSERT_FALSE(sketched.ok());
    EXPECT_THAT(sketched.status().message(), HasSubstr("document 'd131'"));
  }
}

// AddInputs reads and sketches batches on a thread of its own, ahead of the
// transactions: results still come in input order, batch by batch, and a
// failing transaction stops it without a hang (the thread may be waiting to
// hand over a batch).
TEST(IndexTest, AddInputsKeepsInputOrderAndStopsCleanlyWhenATransactionFails) {
  const std::string dir = NewDir("inputs");
  std::vector<std::string> texts;
  {
    std::ofstream out(dir + "/in.jsonl");
    for (int i = 0; i < 150; ++i) {
      // Documents 75..84 repeat documents 0..9.
      const int source = i >= 75 && i < 85 ? i - 75 : i;
      std::string text;
      for (int w = 0; w < 30; ++w) absl::StrAppend(&text, "وشە", source * 31 + w, " ");
      out << "{\"id\": \"d" << i << "\", \"text\": \"" << text << "\"}\n";
    }
  }
  IndexOptions options;
  options.threads = 2;
  std::unique_ptr<Index> index = CreateOrDie(dir + "/i.db", options);
  ASSERT_NE(index, nullptr);
  IndexInputOptions input;
  input.batch_size = 7;
  std::vector<std::string> order;
  std::vector<int64_t> batches;
  IndexInputCallbacks callbacks;
  callbacks.on_document = [&](const Document& doc, const IndexResult& result) {
    order.push_back(doc.id);
    if (result.status == IndexStatus::kDuplicate) {
      EXPECT_EQ(result.matches.size(), 1u) << doc.id;
    }
  };
  callbacks.on_commit = [&](const AddResult& batch, size_t) { batches.push_back(batch.batch); };
  absl::StatusOr<IndexInputSummary> summary =
      AddInputs(index.get(), {dir + "/in.jsonl"}, input, callbacks);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->added, 150u);
  EXPECT_EQ(summary->duplicates, 10u);
  EXPECT_EQ(summary->batches, 22u);  // ceil(150 / 7)
  ASSERT_EQ(order.size(), 150u);
  for (int i = 0; i < 150; ++i) ASSERT_EQ(order[i], absl::StrCat("d", i));
  ASSERT_EQ(batches.size(), 22u);
  for (size_t b = 1; b < batches.size(); ++b) EXPECT_EQ(batches[b], batches[b - 1] + 1);
  index.reset();

  // Read-only, the first transaction fails; the error comes back.
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<Index>> reader = Index::Open(dir + "/i.db", options);
  ASSERT_TRUE(reader.ok()) << reader.status();
  for (int round = 0; round < 5; ++round) {
    order.clear();
    summary = AddInputs(reader->get(), {dir + "/in.jsonl"}, input, callbacks);
    EXPECT_FALSE(summary.ok());
    EXPECT_TRUE(order.empty());
  }
  // Queries through the same path see every document as stored.
  summary = QueryInputs(reader->get(), {dir + "/in.jsonl"}, input, callbacks);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->exists, 150u);
  EXPECT_EQ(order.size(), 150u);
}

// Pre-sketched documents with random signatures (no near-duplicates).
std::vector<SketchedDocument> RandomSketches(const std::string& prefix, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<SketchedDocument> docs(n);
  for (size_t i = 0; i < n; ++i) {
    docs[i].id = absl::StrCat(prefix, i);
    docs[i].length = 100;
    docs[i].minhash.resize(IndexSettings().sketch.num_perm);
    for (uint32_t& v : docs[i].minhash) v = static_cast<uint32_t>(rng());
  }
  return docs;
}

int64_t QueryFile(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  const int64_t value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

TEST(IndexTest, ABatchTransactionWritesOnlyItsOwnRunAndMergesHappenOutsideIt) {
  const std::string dir = NewDir("ownrun");
  const std::string path = dir + "/i.db";
  IndexOptions options;
  options.merge_step_chunks = 2;  // merges take many transactions
  std::unique_ptr<Index> index = CreateOrDie(path, options);
  ASSERT_NE(index, nullptr);
  const uint64_t per_doc = index->settings().lsh.bands + 2;  // random: no copies
  constexpr size_t kDocs = 50;
  uint64_t merged = 0, max_runs = 0;
  for (int batch = 0; batch < 140; ++batch) {
    absl::StatusOr<AddResult> added =
        index->AddSketched(RandomSketches(absl::StrCat("b", batch, "-"), kDocs, batch));
    ASSERT_TRUE(added.ok()) << added.status();
    ASSERT_EQ(added->added, kDocs);
    merged += added->merged_entries;
    // The newest complete run is this batch's: its transaction wrote it and
    // no merge output (a merge finishing inside it would be newer and larger).
    ASSERT_EQ(QueryFile(path, "SELECT entries FROM runs WHERE state = 0 ORDER BY run DESC LIMIT 1"),
              int64_t(kDocs * per_doc))
        << batch;
    absl::StatusOr<IndexStats> stats = index->Stats();
    ASSERT_TRUE(stats.ok());
    max_runs = std::max(max_runs, stats->runs);
  }
  // Merges did happen (140 batches of 1,650 entries need two levels of them),
  // and kept the number of runs bounded.
  EXPECT_GT(merged, 140 * kDocs * per_doc);
  EXPECT_LT(max_runs, 40u);
  ASSERT_TRUE(index->FinishMerges().ok());
  absl::StatusOr<IndexStats> stats = index->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->merging_runs, 0u);
  EXPECT_EQ(stats->band_entries, 140 * kDocs * per_doc);
  EXPECT_LT(stats->runs, 2 * index_internal::kMergeFanout);
  EXPECT_TRUE(index->CheckIntegrity().ok());
}

TEST(IndexTest, MergesKeepUpWithOneDocumentBatches) {
  const std::string dir = NewDir("tinybatches");
  const std::string path = dir + "/i.db";
  std::unique_ptr<Index> index = CreateOrDie(path);
  ASSERT_NE(index, nullptr);
  std::vector<SketchedDocument> docs = RandomSketches("d", 1500, 5);
  uint64_t max_runs = 0;
  int64_t max_obsolete = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    ASSERT_TRUE(index->AddSketched({docs[i]}).ok());
    if (i % 50 != 49) continue;
    absl::StatusOr<IndexStats> stats = index->Stats();
    ASSERT_TRUE(stats.ok());
    max_runs = std::max(max_runs, stats->runs + stats->merging_runs);
    max_obsolete =
        std::max(max_obsolete, QueryFile(path, "SELECT count(*) FROM runs WHERE state = 2"));
  }
  // Without FinishMerges: merges and the deletion of merged runs keep up.
  EXPECT_LT(max_runs, 40u);
  EXPECT_LT(max_obsolete, 2 * int64_t(index_internal::kMergeFanout));
  EXPECT_TRUE(index->CheckIntegrity().ok());
}

TEST(IndexTest, AMergeCutShortIsInvisibleAndTheNextWriterDeletesIt) {
  const std::string dir = NewDir("cutshort");
  const std::string path = dir + "/i.db";
  IndexOptions options;
  options.merge_step_chunks = 1;
  options.merge_work = 1;  // merges fall behind: one is under way at the end
  std::vector<SketchedDocument> docs = RandomSketches("d", 2000, 1);
  {
    std::unique_ptr<Index> index = CreateOrDie(path, options);
    ASSERT_NE(index, nullptr);
    for (size_t i = 0; i < docs.size(); i += 100) {
      ASSERT_TRUE(index->AddSketched(absl::MakeConstSpan(docs).subspan(i, 100)).ok());
    }
    absl::StatusOr<IndexStats> stats = index->Stats();
    ASSERT_TRUE(stats.ok());
    ASSERT_GE(stats->merging_runs, 1u);
  }  // gone without finishing, as if killed
  const int64_t orphan_chunks =
      QueryFile(path,
                "SELECT count(*) FROM chunks WHERE chunk >> 24 IN"
                " (SELECT run FROM runs WHERE state = 1)");
  EXPECT_GT(orphan_chunks, 0);

  IndexOptions read_only;
  read_only.read_only = true;
  std::unique_ptr<Index> reader = OpenOrDie(path, read_only);
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->CheckIntegrity().ok());
  absl::StatusOr<std::vector<IndexResult>> before = reader->QuerySketched(docs);
  ASSERT_TRUE(before.ok());
  for (const IndexResult& r : *before) ASSERT_EQ(r.status, IndexStatus::kExists);

  std::unique_ptr<Index> writer = OpenOrDie(path);
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->FinishMerges().ok());
  EXPECT_EQ(QueryFile(path, "SELECT count(*) FROM runs WHERE state = 1"), 0);
  absl::StatusOr<IndexStats> stats = writer->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->band_entries, docs.size() * (writer->settings().lsh.bands + 2));
  EXPECT_TRUE(writer->CheckIntegrity().ok());
  absl::StatusOr<std::vector<IndexResult>> after = reader->QuerySketched(docs);
  ASSERT_TRUE(after.ok());
  for (const IndexResult& r : *after) EXPECT_EQ(r.status, IndexStatus::kExists);
}

TEST(IndexTest, CompactAfterRemovingHalfHalvesTheEntriesAndKeepsTheAnswers) {
  const std::string dir = NewDir("compact");
  index_test::TestCorpus corpus = MakeCorpus(600, 80);
  const std::vector<IndexDocument>& docs = corpus.docs;
  std::unique_ptr<Index> index = CreateOrDie(dir + "/i.db");
  ASSERT_NE(index, nullptr);
  AddAll(index.get(), docs, 50);
  std::vector<std::string> gone;
  std::set<std::string> gone_set;
  for (size_t i = 1; i < docs.size(); i += 2) {
    gone.push_back(docs[i].id);
    gone_set.insert(docs[i].id);
  }
  ASSERT_TRUE(index->Remove(gone).ok());
  absl::StatusOr<std::vector<IndexResult>> before = index->Query(docs);
  ASSERT_TRUE(before.ok());
  absl::StatusOr<IndexStats> stats = index->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->removed_documents, gone.size());
  const uint32_t bands = index->settings().lsh.bands;
  absl::StatusOr<std::vector<SketchedDocument>> sketched = index->Sketch(docs);
  ASSERT_TRUE(sketched.ok());
  std::vector<SketchedDocument> kept;
  for (const SketchedDocument& d : *sketched) {
    if (!gone_set.count(d.id)) kept.push_back(d);
  }
  // Removal keeps the entries, and a removed first of a signature hands its
  // band keys to the next copy.
  const uint64_t added = index_test::EntriesOf(*sketched, bands);
  ASSERT_GE(stats->band_entries, added);
  ASSERT_EQ((stats->band_entries - added) % bands, 0u);

  absl::StatusOr<CompactResult> compacted = index->Compact();
  ASSERT_TRUE(compacted.ok()) << compacted.status();
  EXPECT_EQ(compacted->entries_before, stats->band_entries);
  EXPECT_EQ(compacted->entries_after, index_test::EntriesOf(kept, bands));
  EXPECT_EQ(compacted->runs_after, 1u);
  stats = index->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->removed_documents, 0u);
  EXPECT_EQ(stats->band_entries, index_test::EntriesOf(kept, bands));
  EXPECT_TRUE(index->CheckIntegrity().ok());

  // Every document gets the same answer as before the compaction.
  absl::StatusOr<std::vector<IndexResult>> after = index->Query(docs);
  ASSERT_TRUE(after.ok());
  int matched = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    EXPECT_EQ((*after)[i].status, (*before)[i].status) << docs[i].id;
    EXPECT_EQ((*after)[i].status == IndexStatus::kExists, !gone_set.contains(docs[i].id));
    ASSERT_EQ((*after)[i].matches.size(), (*before)[i].matches.size()) << docs[i].id;
    for (size_t m = 0; m < (*after)[i].matches.size(); ++m) {
      EXPECT_EQ((*after)[i].matches[m].id, (*before)[i].matches[m].id);
      EXPECT_FALSE(gone_set.contains((*after)[i].matches[m].id));
    }
    matched += !(*after)[i].matches.empty();
  }
  EXPECT_GT(matched, 10);
}

TEST(IndexTest, ASchema1FileIsUpgradedWhenOpenedForWriting) {
  const std::string dir = NewDir("upgrade");
  const std::string path = dir + "/i.db";
  std::vector<SketchedDocument> docs = RandomSketches("d", 300, 2);
  {
    std::unique_ptr<Index> index = CreateOrDie(path);
    ASSERT_NE(index, nullptr);
    ASSERT_TRUE(index->AddSketched(docs).ok());
    ASSERT_TRUE(index->Remove({"d3", "d7", "d299"}).ok());
  }
  // Back to schema 1: each run's filter in a blob of its row, no runs.state,
  // no removed table.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "ALTER TABLE runs ADD COLUMN bloom BLOB NOT NULL DEFAULT x''",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_stmt *runs, *pieces, *set;
    sqlite3_prepare_v2(db, "SELECT run FROM runs", -1, &runs, nullptr);
    sqlite3_prepare_v2(db, "SELECT data FROM chunks WHERE chunk BETWEEN ? AND ? ORDER BY chunk",
                       -1, &pieces, nullptr);
    sqlite3_prepare_v2(db, "UPDATE runs SET bloom = ? WHERE run = ?", -1, &set, nullptr);
    std::vector<int64_t> ids;
    while (sqlite3_step(runs) == SQLITE_ROW) ids.push_back(sqlite3_column_int64(runs, 0));
    for (int64_t run : ids) {
      const int64_t first = (run << index_internal::kChunkShift) | index_internal::kBloomFirstRow;
      sqlite3_bind_int64(pieces, 1, first);
      sqlite3_bind_int64(pieces, 2, ((run + 1) << index_internal::kChunkShift) - 1);
      std::string bloom;
      while (sqlite3_step(pieces) == SQLITE_ROW) {
        bloom.append(static_cast<const char*>(sqlite3_column_blob(pieces, 0)),
                     sqlite3_column_bytes(pieces, 0));
      }
      sqlite3_reset(pieces);
      ASSERT_GT(bloom.size(), 0u);
      sqlite3_bind_blob(set, 1, bloom.data(), bloom.size(), SQLITE_TRANSIENT);
      sqlite3_bind_int64(set, 2, run);
      ASSERT_EQ(sqlite3_step(set), SQLITE_DONE);
      sqlite3_reset(set);
    }
    sqlite3_finalize(runs);
    sqlite3_finalize(pieces);
    sqlite3_finalize(set);
    ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
  }
  index_test::ExecSql(
      path, absl::StrCat("DELETE FROM chunks WHERE chunk & ",
                         (1 << index_internal::kChunkShift) - 1, " >= ", index_internal::kBloomFirstRow,
                         "; ALTER TABLE runs DROP COLUMN state;"
                         " ALTER TABLE runs DROP COLUMN bloom_bytes; DROP TABLE removed;"
                         " DROP TABLE digests;"
                         " UPDATE meta SET value = '1' WHERE key = 'schema_version';"
                         " PRAGMA user_version = 1;"));
  IndexOptions read_only;
  read_only.read_only = true;
  absl::StatusOr<std::unique_ptr<Index>> refused = Index::Open(path, read_only);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("schema version 1 is older"));
  EXPECT_THAT(refused.status().message(), HasSubstr(path));

  std::unique_ptr<Index> index = OpenOrDie(path);
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(QueryFile(path, "SELECT value FROM meta WHERE key = 'schema_version'"),
            kIndexSchemaVersion);
  EXPECT_EQ(QueryFile(path, "PRAGMA user_version"), kIndexSchemaVersion);
  EXPECT_TRUE(index->CheckIntegrity().ok());
  absl::StatusOr<IndexStats> stats = index->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->removed_documents, 3u);  // found from the gaps in doc numbers
  absl::StatusOr<CompactResult> compacted = index->Compact();
  ASSERT_TRUE(compacted.ok()) << compacted.status();
  EXPECT_EQ(compacted->entries_after, (docs.size() - 3) * (index->settings().lsh.bands + 2));
  EXPECT_TRUE(index->CheckIntegrity().ok());
  EXPECT_TRUE(OpenOrDie(path, read_only) != nullptr);
}

// Schema 2 had no digests; opening it for writing computes them.
TEST(IndexTest, ASchema2FileGetsItsDigestsWhenOpenedForWriting) {
  const std::string dir = NewDir("upgrade2");
  const std::string path = dir + "/i.db";
  const index_test::TestCorpus corpus = MakeCorpus(600, 120);
  std::vector<IndexResult> before;
  {
    std::unique_ptr<Index> index = CreateOrDie(path);
    ASSERT_NE(index, nullptr);
    ASSERT_TRUE(index->Add(absl::MakeConstSpan(corpus.docs).subspan(0, 400)).ok());
    absl::StatusOr<std::vector<IndexResult>> queried =
        index->Query(absl::MakeConstSpan(corpus.docs).subspan(400));
    ASSERT_TRUE(queried.ok());
    before = *queried;
  }
  index_test::ExecSql(path,
                      "DROP TABLE digests; UPDATE meta SET value = '2' WHERE key = 'schema_version';"
                      " PRAGMA user_version = 2;");
  IndexOptions read_only;
  read_only.read_only = true;
  absl::StatusOr<std::unique_ptr<Index>> refused = Index::Open(path, read_only);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("schema version 2 is older"));

  std::unique_ptr<Index> index = OpenOrDie(path);
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(QueryFile(path, "SELECT value FROM meta WHERE key = 'schema_version'"),
            kIndexSchemaVersion);
  EXPECT_TRUE(index->CheckIntegrity().ok());
  absl::StatusOr<std::vector<IndexResult>> after =
      index->Query(absl::MakeConstSpan(corpus.docs).subspan(400));
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), before.size());
  int duplicates = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    ASSERT_EQ((*after)[i].matches.size(), before[i].matches.size()) << i;
    for (size_t m = 0; m < before[i].matches.size(); ++m) {
      EXPECT_EQ((*after)[i].matches[m].id, before[i].matches[m].id);
    }
    duplicates += !before[i].matches.empty();
  }
  EXPECT_GT(duplicates, 10);
}

}  // namespace
}  // namespace dubare

namespace dubare {
namespace {

// Damage that used to go unnoticed (issue 21): an edited setting, an edited
// user_version, a -wal file lost after committed batches.
TEST(IndexDamageTest, EditedSettingIsRefusedOnOpen) {
  const std::string dir = index_test::NewDir("index_edited_setting");
  const std::string path = dir + "/i.db";
  CreateOrDie(path).reset();
  index_test::ExecSql(path, "UPDATE meta SET value = replace(value, 'word:2', 'word:3')"
                            " WHERE key = 'sketch_params'");
  for (bool read_only : {true, false}) {
    IndexOptions o;
    o.read_only = read_only;
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(path, o);
    EXPECT_EQ(index.status().code(), absl::StatusCode::kDataLoss) << index.status();
    EXPECT_THAT(index.status().message(), HasSubstr("checksum"));
    EXPECT_THAT(index.status().message(), HasSubstr(path));
  }
}

TEST(IndexDamageTest, UserVersionOtherThanTheSchemaIsRefused) {
  const std::string dir = index_test::NewDir("index_user_version");
  const std::string path = dir + "/i.db";
  CreateOrDie(path).reset();
  index_test::ExecSql(path, "PRAGMA user_version = 7");
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(path, IndexOptions());
  EXPECT_EQ(index.status().code(), absl::StatusCode::kDataLoss) << index.status();
  EXPECT_THAT(index.status().message(), HasSubstr("user_version 7"));
}

TEST(IndexDamageTest, ALostWalIsDetectedAndAFinishedRunDoesNotNeedIt) {
  const std::string dir = index_test::NewDir("index_lost_wal");
  const std::string path = dir + "/i.db";
  const index_test::TestCorpus corpus = MakeCorpus(60, 40);
  IndexOptions o;
  o.background_checkpoint = false;
  std::unique_ptr<Index> index = CreateOrDie(path, o);
  ASSERT_NE(index, nullptr);
  const std::vector<IndexDocument> first(corpus.docs.begin(), corpus.docs.begin() + 30);
  const std::vector<IndexDocument> second(corpus.docs.begin() + 30, corpus.docs.end());
  ASSERT_TRUE(index->Add(first).ok());
  ASSERT_TRUE(index->FinishMerges().ok());  // what a finished `index add` does
  EXPECT_EQ(std::filesystem::file_size(path + "-wal"), 0u);
  // The file alone, copied now, is whole.
  std::filesystem::copy_file(path, dir + "/whole.db");
  std::filesystem::copy_file(path + "-dubare-batch", dir + "/whole.db-dubare-batch");
  EXPECT_TRUE(Index::Open(dir + "/whole.db", IndexOptions()).ok());
  // A second batch lives in the WAL until a checkpoint: without it, the
  // file has lost a committed batch.
  ASSERT_TRUE(index->Add(second).ok());
  std::filesystem::copy_file(path, dir + "/lost.db");
  std::filesystem::copy_file(path + "-dubare-batch", dir + "/lost.db-dubare-batch");
  absl::StatusOr<std::unique_ptr<Index>> lost = Index::Open(dir + "/lost.db", IndexOptions());
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kDataLoss) << lost.status();
  EXPECT_THAT(lost.status().message(), HasSubstr("batches 2..2 were committed"));
  index.reset();
  EXPECT_TRUE(Index::Open(path, IndexOptions()).ok());
  // An index deleted and created again under its name starts a new count.
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  EXPECT_TRUE(std::filesystem::exists(path + "-dubare-batch"));
  CreateOrDie(path).reset();
  EXPECT_TRUE(Index::Open(path, IndexOptions()).ok());
}

// Issue 21, point 2: bytes changed inside a row leave SQLite's structure
// intact (quick_check passes), so only the row's checksum can see them.
TEST(IndexDamageTest, ARowDamagedInPlaceFailsItsChecksumWhereverItIsRead) {
  const std::string dir = index_test::NewDir("index_row_checksum");
  const std::string path = BuildClosedIndex(dir);
  const std::vector<IndexDocument> docs = MakeCorpus(300, 100).docs;
  const IndexDocument& victim = docs[7];
  {
    std::unique_ptr<Index> index = OpenOrDie(path);
    ASSERT_TRUE(index->CheckIntegrity().ok());
  }
  // One byte of the stored id, changed in the file itself.
  std::string bytes = ReadBytes(path);
  const size_t at = bytes.find(victim.id);
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(bytes.find(victim.id, at + 1), std::string::npos) << "id not unique in the file";
  bytes[at + victim.id.size() - 1] ^= 0x01;
  WriteBytes(path, bytes);
  IndexOptions checked;
  checked.quick_check = true;
  std::unique_ptr<Index> index = OpenOrDie(path, checked);  // the structure is intact
  ASSERT_NE(index, nullptr);
  absl::StatusOr<std::vector<std::optional<StoredDocument>>> got = index->Get({victim.id});
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss) << got.status();
  EXPECT_THAT(got.status().message(), HasSubstr(path + ": document 8 fails its checksum"));
  absl::StatusOr<std::vector<IndexResult>> query = index->Query({victim});
  EXPECT_EQ(query.status().code(), absl::StatusCode::kDataLoss) << query.status();
  absl::Status check = index->CheckIntegrity();
  EXPECT_EQ(check.code(), absl::StatusCode::kDataLoss) << check;
  EXPECT_THAT(check.message(), HasSubstr("document 8 fails its checksum"));
  // The other rows read as before.
  absl::StatusOr<std::vector<std::optional<StoredDocument>>> other = index->Get({docs[9].id});
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_TRUE((*other)[0].has_value());
}

TEST(IndexDamageTest, AChunkOrDigestChangedWithoutItsChecksumIsDataLoss) {
  const std::string dir = index_test::NewDir("index_chunk_checksum");
  const std::string path = BuildClosedIndex(dir);
  const std::vector<IndexDocument> docs = MakeCorpus(300, 100).docs;
  // Two entries of every chunk swapped: still well formed, but not as written.
  index_test::ExecSql(path,
                      "UPDATE chunks SET data = CAST(substr(data, 1, 4) || substr(data, 13, 8) ||"
                      " substr(data, 5, 8) || substr(data, 21) AS BLOB)"
                      " WHERE (chunk & 16777215) < 8388608 AND length(data) >= 28");
  {
    std::unique_ptr<Index> index = OpenOrDie(path);
    ASSERT_NE(index, nullptr);
    absl::StatusOr<std::vector<IndexResult>> query = index->Query(docs);
    EXPECT_EQ(query.status().code(), absl::StatusCode::kDataLoss) << query.status();
    EXPECT_THAT(query.status().message(), HasSubstr("fails its checksum"));
    EXPECT_EQ(index->CheckIntegrity().code(), absl::StatusCode::kDataLoss);
  }
  index_test::RefreshChecksums(path);
  index_test::ExecSql(path, "UPDATE digests SET data = zeroblob(length(data)) WHERE block = 0");
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(path, IndexOptions());
  EXPECT_EQ(index.status().code(), absl::StatusCode::kDataLoss) << index.status();
  EXPECT_THAT(index.status().message(), HasSubstr(path + ": digest block 0 fails its checksum"));
}

// A schema-4 file (no checksums) gets them when opened for writing; from
// then on damage to its rows is found.
TEST(IndexDamageTest, ASchema4FileGetsItsChecksumsWhenOpenedForWriting) {
  const std::string dir = index_test::NewDir("index_schema4");
  const std::string path = BuildClosedIndex(dir);
  index_test::ExecSql(path,
                      "ALTER TABLE documents DROP COLUMN checksum;"
                      " ALTER TABLE chunks DROP COLUMN checksum;"
                      " ALTER TABLE digests DROP COLUMN checksum;"
                      " UPDATE meta SET value = '4' WHERE key = 'schema_version';"
                      " PRAGMA user_version = 4;");
  IndexOptions read_only;
  read_only.read_only = true;
  EXPECT_EQ(Index::Open(path, read_only).status().code(), absl::StatusCode::kFailedPrecondition);
  {
    std::unique_ptr<Index> index = OpenOrDie(path);
    ASSERT_NE(index, nullptr);
    absl::Status check = index->CheckIntegrity();
    EXPECT_TRUE(check.ok()) << check;
    absl::StatusOr<std::vector<IndexResult>> query = index->Query(MakeCorpus(300, 100).docs);
    ASSERT_TRUE(query.ok()) << query.status();
    for (const IndexResult& r : *query) EXPECT_EQ(r.status, IndexStatus::kExists);
  }
  index_test::ExecSql(path, "UPDATE documents SET metadata = '{\"x\":1}' WHERE doc = 3");
  std::unique_ptr<Index> index = OpenOrDie(path);
  EXPECT_THAT(index->CheckIntegrity().message(), HasSubstr("document 3 fails its checksum"));
}

}  // namespace
}  // namespace dubare
