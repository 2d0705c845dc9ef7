// Copyright 2026 The Dubare Authors.
//
// Corpus deduplication benchmarks (issue 4). Each fast path runs beside a
// naive reference in the same binary, so the figures to record are ratios:
//
//   BM_Dedup_Pipeline/DOCS/THREADS   RunDedup end to end on a generated JSONL
//                                    corpus (read, sketch, LSH, verify,
//                                    cluster, write), with precision, recall
//                                    and F1 against the generator's truth
//   BM_Dedup_NaiveReference/DOCS     a naive single-threaded pipeline in
//                                    memory: sketch, hash-map buckets per
//                                    band, estimate, union-find; no files
//   BM_Lsh_FindCandidates/N          sort-based grouping of band keys
//   BM_Lsh_NaiveBuckets/N            the same with a hash map of vectors
//   BM_SimHash_Search/N              permuted tables, k = 3
//   BM_SimHash_BruteForce/N          all pairs
//   BM_Lsh_OptimalParams             band/row choice for K = 128

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <filesystem>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "benchmark/benchmark.h"
#include "dubare/dedup.h"
#include "dubare/jobs.h"
#include "dubare/file.h"
#include "dubare/json_writer.h"
#include "dubare/lsh.h"
#include "dubare/sketch.h"
#include "gen/corpus_gen.h"

namespace dubare {
namespace {

struct BenchCorpus {
  std::string dir;
  std::string jsonl;
  uint64_t bytes = 0;
  std::vector<std::string> ids;
  std::vector<std::string> texts;
  std::set<std::pair<std::string, std::string>> truth;
};

// The generated corpus of `docs` documents, made once per size and written
// as JSON Lines under the temp directory.
const BenchCorpus& CorpusOf(size_t docs) {
  static auto* cache = new std::map<size_t, std::unique_ptr<BenchCorpus>>;
  auto& slot = (*cache)[docs];
  if (slot) return *slot;
  slot = std::make_unique<BenchCorpus>();
  gen::CorpusOptions options;
  options.num_docs = docs;
  absl::StatusOr<gen::Corpus> corpus = gen::GenerateCorpus(options, 2);
  if (!corpus.ok()) {
    std::fprintf(stderr, "corpus generation failed: %s\n", corpus.status().ToString().c_str());
    std::abort();
  }
  slot->dir = absl::StrCat(std::filesystem::temp_directory_path().string(), "/dubare_dedup_bench_",
                           ::getpid(), "_", docs);
  std::filesystem::create_directories(slot->dir);
  std::string data;
  for (const gen::GeneratedDoc& d : corpus->docs) {
    JsonObjectWriter(&data).Field("id", d.id).Field("text", d.text).Field("date", d.date).Close();
    data += '\n';
    slot->ids.push_back(d.id);
    slot->texts.push_back(d.text);
  }
  for (const gen::TruthPair& p : corpus->pairs) slot->truth.insert({slot->ids[p.a], slot->ids[p.b]});
  slot->bytes = data.size();
  slot->jsonl = slot->dir + "/corpus.jsonl";
  if (!WriteFileAtomically(slot->jsonl, data).ok()) std::abort();
  return *slot;
}

// Precision, recall and F1 of the clusters in `out_dir` (pairs inside a
// cluster) against the truth.
void ReportAccuracy(benchmark::State& state, const BenchCorpus& corpus, const std::string& out_dir) {
  absl::StatusOr<std::string> dups = ReadFile(out_dir + "/duplicates.tsv");
  if (!dups.ok()) {
    state.SkipWithError("no duplicates.tsv");
    return;
  }
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < corpus.ids.size(); ++i) position[corpus.ids[i]] = i;
  std::map<std::string, std::vector<std::string>> clusters;
  bool header = true;
  for (absl::string_view line : absl::StrSplit(*dups, '\n', absl::SkipEmpty())) {
    if (std::exchange(header, false)) continue;
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    auto& members = clusters[f[1]];
    if (members.empty()) members.push_back(f[2]);
    members.push_back(f[0]);
  }
  size_t predicted = 0, hits = 0;
  for (auto& [id, members] : clusters) {
    for (size_t i = 0; i < members.size(); ++i) {
      for (size_t j = i + 1; j < members.size(); ++j) {
        std::string a = members[i], b = members[j];
        if (position[a] > position[b]) std::swap(a, b);
        ++predicted;
        hits += corpus.truth.count({a, b});
      }
    }
  }
  const double precision = predicted ? double(hits) / predicted : 0;
  const double recall = corpus.truth.empty() ? 0 : double(hits) / corpus.truth.size();
  state.counters["precision"] = precision;
  state.counters["recall"] = recall;
  state.counters["F1"] = hits ? 2 * precision * recall / (precision + recall) : 0;
}

void BM_Dedup_Pipeline(benchmark::State& state) {
  const BenchCorpus& corpus = CorpusOf(state.range(0));
  DedupJobOptions options;
  options.dedup.threads = static_cast<int>(state.range(1));
  options.out_dir = corpus.dir + "/out";
  DedupSummary summary;
  for (auto _ : state) {
    absl::StatusOr<DedupSummary> s = RunDedupJob({corpus.jsonl}, options);
    if (!s.ok()) {
      state.SkipWithError(std::string(s.status().message()).c_str());
      return;
    }
    summary = *s;
  }
  state.SetItemsProcessed(state.iterations() * corpus.ids.size());
  state.SetBytesProcessed(state.iterations() * corpus.bytes);
  state.counters["peak_MiB"] = summary.peak_rss_bytes / 1048576.0;
  state.counters["clusters"] = summary.clusters;
  ReportAccuracy(state, corpus, options.out_dir);
}
BENCHMARK(BM_Dedup_Pipeline)
    ->ArgsProduct({{2000, 20000}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The in-memory engine (dedup.h) on the same texts: no reading, no output.
void BM_Dedup_InMemory(benchmark::State& state) {
  const BenchCorpus& corpus = CorpusOf(state.range(0));
  std::vector<DedupInput> docs(corpus.texts.size());
  for (size_t i = 0; i < docs.size(); ++i) docs[i] = {corpus.ids[i], corpus.texts[i], {}};
  DedupOptions options;
  options.threads = static_cast<int>(state.range(1));
  uint64_t clusters = 0;
  for (auto _ : state) {
    absl::StatusOr<DedupResult> r = Dedup(docs, options);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    clusters = r->clusters.size();
  }
  state.SetItemsProcessed(state.iterations() * corpus.ids.size());
  state.SetBytesProcessed(state.iterations() * corpus.bytes);
  state.counters["clusters"] = clusters;
}
BENCHMARK(BM_Dedup_InMemory)
    ->ArgsProduct({{2000, 20000}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The obvious pipeline: one thread, texts in memory, a hash map of vectors
// per band keyed by the band's values, every bucket pair estimated.
void BM_Dedup_NaiveReference(benchmark::State& state) {
  const BenchCorpus& corpus = CorpusOf(state.range(0));
  const size_t n = corpus.texts.size();
  SketchParams params;
  absl::StatusOr<LshParams> lsh = OptimalLshParams(kDefaultJaccardThreshold, params.num_perm);
  uint64_t duplicates = 0;
  for (auto _ : state) {
    DocumentSketcher sketcher(params);
    DocumentSketch sketch;
    std::vector<std::vector<uint32_t>> sigs(n);
    for (size_t d = 0; d < n; ++d) {
      if (!sketcher.Sketch(corpus.texts[d], &sketch).ok()) std::abort();
      sigs[d] = sketch.minhash;
    }
    std::vector<uint32_t> parent(n);
    std::iota(parent.begin(), parent.end(), 0u);
    auto find = [&](uint32_t x) {
      while (parent[x] != x) x = parent[x] = parent[parent[x]];
      return x;
    };
    for (uint32_t band = 0; band < lsh->bands; ++band) {
      std::unordered_map<std::string, std::vector<uint32_t>> buckets;
      for (uint32_t d = 0; d < n; ++d) {
        std::string key(reinterpret_cast<const char*>(sigs[d].data() + band * lsh->rows),
                        lsh->rows * sizeof(uint32_t));
        buckets[key].push_back(d);
      }
      for (const auto& [key, docs] : buckets) {
        for (size_t i = 0; i < docs.size(); ++i) {
          for (size_t j = i + 1; j < docs.size(); ++j) {
            if (EstimateJaccard(sigs[docs[i]], sigs[docs[j]]) >= kDefaultJaccardThreshold) {
              parent[find(docs[j])] = find(docs[i]);
            }
          }
        }
      }
    }
    duplicates = 0;
    for (uint32_t d = 0; d < n; ++d) duplicates += find(d) != d;
    benchmark::DoNotOptimize(duplicates);
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * corpus.bytes);
  state.counters["duplicates"] = duplicates;
}
BENCHMARK(BM_Dedup_NaiveReference)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Band keys of n signatures of which a third have a near-duplicate (half
// the bands equal), the rest random.
std::vector<uint64_t> SyntheticBandKeys(size_t n, uint32_t bands) {
  std::mt19937_64 rng(5);
  std::vector<uint64_t> keys(n * bands);
  for (size_t d = 0; d < n; ++d) {
    for (uint32_t b = 0; b < bands; ++b) {
      keys[d * bands + b] = d % 3 == 1 && b % 2 == 0 ? keys[(d - 1) * bands + b] : rng();
    }
  }
  return keys;
}

constexpr uint32_t kBands = 25;

void BM_Lsh_FindCandidates(benchmark::State& state) {
  const size_t n = state.range(0);
  const std::vector<uint64_t> keys = SyntheticBandKeys(n, kBands);
  CandidateOptions options;
  options.threads = static_cast<int>(state.range(1));
  for (auto _ : state) benchmark::DoNotOptimize(FindCandidates(keys, kBands, options));
  state.SetItemsProcessed(state.iterations() * n * kBands);
}
BENCHMARK(BM_Lsh_FindCandidates)->ArgsProduct({{10000, 100000, 1000000}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Lsh_NaiveBuckets(benchmark::State& state) {
  const size_t n = state.range(0);
  const std::vector<uint64_t> keys = SyntheticBandKeys(n, kBands);
  for (auto _ : state) {
    std::set<std::pair<uint32_t, uint32_t>> pairs;
    for (uint32_t b = 0; b < kBands; ++b) {
      std::unordered_map<uint64_t, std::vector<uint32_t>> buckets;
      for (uint32_t d = 0; d < n; ++d) buckets[keys[d * kBands + b]].push_back(d);
      for (const auto& [key, docs] : buckets) {
        for (size_t i = 0; i < docs.size(); ++i) {
          for (size_t j = i + 1; j < docs.size(); ++j) pairs.insert({docs[i], docs[j]});
        }
      }
    }
    benchmark::DoNotOptimize(pairs.size());
  }
  state.SetItemsProcessed(state.iterations() * n * kBands);
}
BENCHMARK(BM_Lsh_NaiveBuckets)->Arg(10000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

std::vector<uint64_t> SyntheticFingerprints(size_t n) {
  std::mt19937_64 rng(9);
  std::vector<uint64_t> f(n);
  for (size_t i = 0; i < n; ++i) {
    f[i] = i % 4 == 1 ? f[i - 1] ^ (uint64_t{1} << (rng() % 64)) ^ (uint64_t{1} << (rng() % 64)) : rng();
  }
  return f;
}

void BM_SimHash_Search(benchmark::State& state) {
  const std::vector<uint64_t> f = SyntheticFingerprints(state.range(0));
  SimHashSearchOptions options;
  for (auto _ : state) benchmark::DoNotOptimize(FindSimHashCandidates(f, options));
  state.SetItemsProcessed(state.iterations() * f.size());
}
BENCHMARK(BM_SimHash_Search)->Arg(2000)->Arg(20000)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SimHash_BruteForce(benchmark::State& state) {
  const std::vector<uint64_t> f = SyntheticFingerprints(state.range(0));
  for (auto _ : state) {
    size_t found = 0;
    for (size_t a = 0; a < f.size(); ++a) {
      for (size_t b = a + 1; b < f.size(); ++b) found += std::popcount(f[a] ^ f[b]) <= 3;
    }
    benchmark::DoNotOptimize(found);
  }
  state.SetItemsProcessed(state.iterations() * f.size());
}
BENCHMARK(BM_SimHash_BruteForce)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Lsh_OptimalParams(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(OptimalLshParams(0.5, 128));
}
BENCHMARK(BM_Lsh_OptimalParams)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dubare
