// Copyright 2026 The Dubare Authors.
//
// Repeated-passage benchmarks (issue 5). The corpus is the generator's
// passage mode (no duplicate clusters): sentences of one article planted into
// another, the copies further edited by EditPassage (words substituted,
// dropped and added, compounds joined and split, paragraph breaks).
//
//   BM_Passages_Find/DOCS/THREADS      FindPassages end to end, with passage
//                                      recall and precision (span overlap)
//                                      and the time of each stage
//   BM_Passages_AllPairsReference/DOCS every document pair aligned in full
//                                      (no anchors, no band): the quadratic
//                                      baseline the anchors avoid
//   BM_Passages_Align{Banded,Full}/N   one alignment of N words against an
//                                      edited copy, band ±8 vs full matrix
//   BM_Passages_Winnow{,Reference}/N   winnowing N hashes, window 8

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "dubare/passages.h"
#include "gen/corpus_gen.h"
#include "passages/align.h"
#include "passages/evaluate.h"
#include "passages/scan.h"
#include "passages/winnow.h"

namespace dubare {
namespace {

using passages_internal::TruthPassage;

struct PlantedCorpus {
  std::vector<std::string> texts;
  std::vector<absl::string_view> views;
  std::vector<TruthPassage> truth;
  uint64_t bytes = 0;
  uint64_t words = 0;
};

// The planted corpus of `docs` documents, made once per size.
const PlantedCorpus& CorpusOf(size_t docs) {
  static auto* cache = new std::map<size_t, std::unique_ptr<PlantedCorpus>>;
  auto& slot = (*cache)[docs];
  if (slot) return *slot;
  gen::CorpusOptions options;
  options.num_docs = docs;
  options.dup_fraction = 0;
  options.passages = true;
  absl::StatusOr<gen::Corpus> corpus = gen::GenerateCorpus(options, 2);
  if (!corpus.ok()) std::abort();
  slot = std::make_unique<PlantedCorpus>();
  for (gen::GeneratedDoc& d : corpus->docs) slot->texts.push_back(std::move(d.text));
  for (const gen::PlantedPassage& p : corpus->passages) {
    TruthPassage t{p.src, {p.src_begin, p.src_end}, p.dst, {p.dst_begin, p.dst_end}};
    passages_internal::EditPassage(&slot->texts[p.dst], &t.copy, p.dst);
    slot->truth.push_back(t);
  }
  for (const std::string& t : slot->texts) {
    slot->views.push_back(t);
    slot->bytes += t.size();
    bool in_word = false;
    for (char c : t) {
      const bool space = c == ' ' || c == '\n';
      slot->words += in_word && space;
      in_word = !space;
    }
    slot->words += in_word;
  }
  return *slot;
}

void BM_Passages_Find(benchmark::State& state) {
  const PlantedCorpus& corpus = CorpusOf(state.range(0));
  PassageOptions options;
  options.threads = static_cast<int>(state.range(1));
  PassageResult result;
  for (auto _ : state) {
    absl::StatusOr<PassageResult> r = FindPassages(corpus.views, options);
    if (!r.ok()) state.SkipWithError(std::string(r.status().message()).c_str());
    result = *std::move(r);
  }
  const auto score = passages_internal::ScorePassages(corpus.truth, result.matches);
  state.SetBytesProcessed(state.iterations() * corpus.bytes);
  state.SetItemsProcessed(state.iterations() * corpus.words);
  state.counters["words"] = corpus.words;
  state.counters["planted"] = score.truth;
  state.counters["matches"] = score.reported;
  state.counters["recall"] = score.recall();
  state.counters["precision"] = score.precision();
  state.counters["boilerplate"] = result.boilerplate.size();
  state.counters["anchor_pairs"] = result.stats.anchor_pairs;
  state.counters["doc_pairs"] = result.stats.doc_pairs;
  state.counters["cells"] = result.stats.cells;
  state.counters["s_fingerprint"] = result.stats.fingerprint_seconds;
  state.counters["s_postings"] = result.stats.posting_seconds;
  state.counters["s_words"] = result.stats.words_seconds;
  state.counters["s_align"] = result.stats.align_seconds;
}
BENCHMARK(BM_Passages_Find)
    ->ArgsProduct({{200, 1000, 3000, 10000, 30000, 100000}, {2}})
    ->Args({10000, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

void BM_Passages_AllPairsReference(benchmark::State& state) {
  const PlantedCorpus& corpus = CorpusOf(state.range(0));
  PassageOptions options;
  passages_internal::DocumentScanner scanner(options);
  std::vector<passages_internal::DocWords> words(corpus.views.size());
  for (size_t i = 0; i < words.size(); ++i) {
    if (!scanner.Words(corpus.views[i], &words[i]).ok()) std::abort();
  }
  passages_internal::Aligner aligner;
  for (auto _ : state) {
    uint64_t hits = 0;
    for (size_t i = 0; i < words.size(); ++i) {
      for (size_t j = i + 1; j < words.size(); ++j) {
        const auto band = passages_internal::Band::Full(words[i].size(), words[j].size());
        hits += aligner.Align(words[i].keys, words[j].keys, band).score >= 2 * options.min_words;
      }
    }
    benchmark::DoNotOptimize(hits);
  }
  state.SetBytesProcessed(state.iterations() * corpus.bytes);
  state.SetItemsProcessed(state.iterations() * corpus.words);
}
BENCHMARK(BM_Passages_AllPairsReference)
    ->Arg(100)
    ->Arg(200)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

// Word keys of a random text and of an edited copy.
struct AlignInput {
  std::vector<passages_internal::WordKey> a, b;
};
AlignInput MakeAlignInput(size_t n) {
  std::mt19937 rng(1);
  std::vector<std::string> a, b;
  for (size_t i = 0; i < n; ++i) a.push_back("w" + std::to_string(rng() % 5000));
  for (const std::string& w : a) {
    const uint32_t r = rng() % 100;
    if (r < 3) continue;
    b.push_back(r < 8 ? "x" + std::to_string(rng()) : w);
    if (r >= 97) b.push_back("y");
  }
  AlignInput in;
  for (size_t i = 0; i < a.size(); ++i) {
    in.a.push_back(passages_internal::MakeWordKey(a[i], i + 1 < a.size() ? a[i + 1] : ""));
  }
  for (size_t i = 0; i < b.size(); ++i) {
    in.b.push_back(passages_internal::MakeWordKey(b[i], i + 1 < b.size() ? b[i + 1] : ""));
  }
  return in;
}

void BM_Passages_AlignBanded(benchmark::State& state) {
  const AlignInput in = MakeAlignInput(state.range(0));
  passages_internal::Band band;
  for (size_t i = 0; i <= in.a.size(); ++i) {
    const int64_t c = static_cast<int64_t>(i * in.b.size() / in.a.size());
    band.lo.push_back(static_cast<uint32_t>(std::max<int64_t>(0, c - 8)));
    band.hi.push_back(static_cast<uint32_t>(std::min<int64_t>(in.b.size(), c + 8)));
  }
  passages_internal::Aligner aligner;
  for (auto _ : state) benchmark::DoNotOptimize(aligner.Align(in.a, in.b, band).score);
  state.SetItemsProcessed(state.iterations() * in.a.size());
}
BENCHMARK(BM_Passages_AlignBanded)->Arg(100)->Arg(1000)->Arg(10000);

void BM_Passages_AlignFull(benchmark::State& state) {
  const AlignInput in = MakeAlignInput(state.range(0));
  const auto band = passages_internal::Band::Full(in.a.size(), in.b.size());
  for (auto _ : state) {
    benchmark::DoNotOptimize(passages_internal::AlignReference(in.a, in.b, band).score);
  }
  state.SetItemsProcessed(state.iterations() * in.a.size());
}
BENCHMARK(BM_Passages_AlignFull)->Arg(100)->Arg(1000);

std::vector<uint64_t> RandomHashes(size_t n) {
  std::mt19937_64 rng(2);
  std::vector<uint64_t> h(n);
  for (uint64_t& x : h) x = rng();
  return h;
}

void BM_Passages_Winnow(benchmark::State& state) {
  const auto hashes = RandomHashes(state.range(0));
  std::vector<uint32_t> kept;
  for (auto _ : state) {
    passages_internal::Winnow(hashes, 8, &kept);
    benchmark::DoNotOptimize(kept.data());
  }
  state.SetItemsProcessed(state.iterations() * hashes.size());
}
BENCHMARK(BM_Passages_Winnow)->Arg(1 << 12)->Arg(1 << 16);

void BM_Passages_WinnowReference(benchmark::State& state) {
  const auto hashes = RandomHashes(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(passages_internal::WinnowReference(hashes, 8).data());
  }
  state.SetItemsProcessed(state.iterations() * hashes.size());
}
BENCHMARK(BM_Passages_WinnowReference)->Arg(1 << 12)->Arg(1 << 16);

}  // namespace
}  // namespace dubare
