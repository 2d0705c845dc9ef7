// Copyright 2026 The Dubare Authors.
//
// The hashing core: each stage over a 50-word paragraph, a 400-word article
// and a 20,000-word chapter built from corpus/press, beside a naive
// reference in the same run so that speed-ups read as ratios.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "dubare/normalize.h"
#include "dubare/shingle.h"
#include "dubare/sketch.h"
#include "gen/corpus_gen.h"
#include "sketch/kernels.h"

#include "press_text.h"

namespace dubare {
namespace {

using sketch_internal::Isa;

using bench::TextOfSize;
using bench::TextSizes;

std::vector<uint64_t> RandomHashes(size_t n, uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> v(n);
  for (uint64_t& x : v) x = rng();
  return v;
}

// ---- Front end --------------------------------------------------------------

void BM_Tokenize(benchmark::State& state) {
  const std::string& text = TextOfSize(state.range(0));
  Shingler shingler;
  std::vector<Token> tokens;
  for (auto _ : state) {
    shingler.Tokenize(text, &tokens);
    benchmark::DoNotOptimize(tokens.data());
  }
  state.SetBytesProcessed(state.iterations() * text.size());
  state.SetItemsProcessed(state.iterations() * tokens.size());
}
BENCHMARK(BM_Tokenize)->Apply(TextSizes);

void BM_ShingleWords(benchmark::State& state) {
  const std::string& text = TextOfSize(state.range(0));
  const bool spans = state.range(1);
  Shingler shingler;
  Shingles out;
  for (auto _ : state) {
    shingler.Shingle(text, &out, spans);
    benchmark::DoNotOptimize(out.hashes.data());
  }
  state.SetBytesProcessed(state.iterations() * text.size());
  state.SetItemsProcessed(state.iterations() * out.hashes.size());
}
BENCHMARK(BM_ShingleWords)->ArgsProduct({{50, 400, 20000}, {0, 1}})->ArgNames({"words", "spans"});

// What sketchers shingle: the match key, where ZWNJ and punctuation are gone
// and nearly every block takes the word scan's 64-byte path.
void BM_ShingleWords_MatchKey(benchmark::State& state) {
  NormalizeOptions no;
  no.form = NormalForm::kMatchKey;
  absl::StatusOr<NormalizedText> key = Normalizer(no).Normalize(TextOfSize(state.range(0)));
  if (!key.ok()) return state.SkipWithError("normalize failed");
  Shingler shingler;
  Shingles out;
  for (auto _ : state) {
    shingler.Shingle(key->text, &out, /*want_spans=*/false);
    benchmark::DoNotOptimize(out.hashes.data());
  }
  state.SetBytesProcessed(state.iterations() * key->text.size());
  state.SetItemsProcessed(state.iterations() * out.hashes.size());
}
BENCHMARK(BM_ShingleWords_MatchKey)->Apply(TextSizes);

// 2,000 generated articles (the texts of `dubare_gen`'s model). Unlike one
// text sketched again and again, their words cannot be learned by the
// branch predictor (XXH3 branches on each word's length class).
const std::vector<std::string>& GeneratedTexts() {
  static const std::vector<std::string>* const texts = [] {
    auto* v = new std::vector<std::string>;
    gen::CorpusOptions options;
    options.num_docs = 2000;
    absl::StatusOr<gen::Corpus> corpus = gen::GenerateCorpus(options, 2);
    if (corpus.ok()) {
      for (gen::GeneratedDoc& d : corpus->docs) v->push_back(std::move(d.text));
    }
    return v;
  }();
  return *texts;
}

// The seconds per article of a benchmark over GeneratedTexts().
benchmark::Counter PerArticle(const benchmark::State& state, size_t articles) {
  return benchmark::Counter(static_cast<double>(state.iterations() * articles),
                            benchmark::Counter::kIsRate | benchmark::Counter::kInvert,
                            benchmark::Counter::OneK::kIs1000);
}

// Their match keys, shingled one after another.
void BM_ShingleWords_GeneratedArticles(benchmark::State& state) {
  static const std::vector<std::string>* const keys = [] {
    auto* v = new std::vector<std::string>;
    NormalizeOptions no;
    no.form = NormalForm::kMatchKey;
    no.offset_map = false;
    const Normalizer normalizer(no);
    for (const std::string& text : GeneratedTexts()) {
      absl::StatusOr<NormalizedText> key = normalizer.Normalize(text);
      if (key.ok()) v->push_back(std::move(key->text));
    }
    return v;
  }();
  if (keys->empty()) return state.SkipWithError("corpus generation failed");
  Shingler shingler;
  Shingles out;
  size_t bytes = 0, shingles = 0;
  for (auto _ : state) {
    for (const std::string& key : *keys) {
      shingler.Shingle(key, &out, /*want_spans=*/false);
      benchmark::DoNotOptimize(out.hashes.data());
      bytes += key.size();
      shingles += out.hashes.size();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(static_cast<int64_t>(shingles));
  state.counters["us_per_article"] = PerArticle(state, keys->size());
}
BENCHMARK(BM_ShingleWords_GeneratedArticles)->Unit(benchmark::kMillisecond);

// The straightforward pipeline: split, build each k-gram string, hash it.
void BM_ShingleWords_NaiveStrings(benchmark::State& state) {
  const std::string& text = TextOfSize(state.range(0));
  const ShingleOptions o;
  std::vector<uint64_t> out;
  for (auto _ : state) {
    out.clear();
    std::vector<std::string> words = absl::StrSplit(text, absl::ByAnyChar(" \n،.\""), absl::SkipEmpty());
    for (size_t j = 0; j + o.size <= words.size(); ++j) {
      std::string gram = words[j];
      for (int m = 1; m < o.size; ++m) gram += " " + words[j + m];
      out.push_back(XXH3_64bits_withSeed(gram.data(), gram.size(), o.seed));
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * text.size());
  state.SetItemsProcessed(state.iterations() * out.size());
}
BENCHMARK(BM_ShingleWords_NaiveStrings)->Apply(TextSizes);

void BM_ShingleChars(benchmark::State& state) {
  const std::string& text = TextOfSize(state.range(0));
  ShingleOptions o;
  o.kind = ShingleKind::kChar;
  o.size = 5;
  Shingler shingler(o);
  Shingles out;
  for (auto _ : state) {
    shingler.Shingle(text, &out, /*want_spans=*/false);
    benchmark::DoNotOptimize(out.hashes.data());
  }
  state.SetBytesProcessed(state.iterations() * text.size());
  state.SetItemsProcessed(state.iterations() * out.hashes.size());
}
BENCHMARK(BM_ShingleChars)->Apply(TextSizes);

void BM_Xxh3(benchmark::State& state) {
  const std::string data(state.range(0), 'x');
  uint64_t seed = 0;
  for (auto _ : state) {
    seed = XXH3_64bits_withSeed(data.data(), data.size(), seed);
    benchmark::DoNotOptimize(seed);
  }
  state.SetBytesProcessed(state.iterations() * data.size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Xxh3)->Arg(8)->Arg(16)->Arg(46)->Arg(256);

void BM_SortUnique(benchmark::State& state) {
  const std::vector<uint64_t> in = RandomHashes(state.range(0));
  std::vector<uint64_t> v;
  for (auto _ : state) {
    v = in;
    SortUnique(&v);
    benchmark::DoNotOptimize(v.data());
  }
  state.SetItemsProcessed(state.iterations() * in.size());
}
BENCHMARK(BM_SortUnique)->Arg(50)->Arg(400)->Arg(20000);

// normalize (match key) + tokenize + hash: the front end of every document.
void BM_TextToShingles(benchmark::State& state) {
  const std::string& text = TextOfSize(state.range(0));
  NormalizeOptions no;
  no.form = NormalForm::kMatchKey;
  const Normalizer normalizer(no);
  const Shingler shingler;
  NormalizedText norm;
  Shingles out;
  for (auto _ : state) {
    if (!normalizer.Normalize(text, &norm).ok()) state.SkipWithError("normalize failed");
    shingler.Shingle(norm.text, &out, /*want_spans=*/false);
    benchmark::DoNotOptimize(out.hashes.data());
  }
  state.SetBytesProcessed(state.iterations() * text.size());
  state.SetItemsProcessed(state.iterations() * out.hashes.size());
}
BENCHMARK(BM_TextToShingles)->Apply(TextSizes);

// The whole DocumentSketcher: text to shingle set, MinHash-128 and SimHash.
void BM_DocumentSketch(benchmark::State& state) {
  const std::string& text = TextOfSize(state.range(0));
  SketchParams p;
  p.method = state.range(1) ? MinHashMethod::kOnePerm : MinHashMethod::kClassic;
  DocumentSketcher sketcher(p);
  DocumentSketch out;
  for (auto _ : state) {
    if (!sketcher.Sketch(text, &out).ok()) state.SkipWithError("sketch failed");
    benchmark::DoNotOptimize(out.minhash.data());
  }
  state.SetBytesProcessed(state.iterations() * text.size());
  state.SetItemsProcessed(state.iterations() * out.shingles.size());
}
BENCHMARK(BM_DocumentSketch)->ArgsProduct({{50, 400, 20000}, {0, 1}})->ArgNames({"words", "oneperm"});

// What a dedup's workers do per article at the defaults: the texts of
// GeneratedTexts() normalized, shingled and sketched into a batch.
void BM_SketchBatch_GeneratedArticles(benchmark::State& state) {
  const std::vector<std::string>& texts = GeneratedTexts();
  if (texts.empty()) return state.SkipWithError("corpus generation failed");
  const SketchParams p;
  DocumentSketcher sketcher(p);
  const SketchBatchOptions options;
  size_t bytes = 0;
  for (auto _ : state) {
    SketchBatch batch;
    batch.params = p;
    batch.minhash.reserve(texts.size() * p.num_perm);  // as the dedup's workers do
    for (const std::string& text : texts) {
      sketcher.AppendTo(text, options, &batch);
      bytes += text.size();
    }
    benchmark::DoNotOptimize(batch.minhash.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["us_per_article"] = PerArticle(state, texts.size());
}
BENCHMARK(BM_SketchBatch_GeneratedArticles)->Unit(benchmark::kMillisecond);

// ---- MinHash -----------------------------------------------------------------

constexpr int kSketchSetSize = 1000;

void MinHashBench(benchmark::State& state, MinHashMethod method) {
  SketchParams p;
  p.method = method;
  p.num_perm = state.range(0);
  const MinHasher h(p);
  const std::vector<uint64_t> set = RandomHashes(kSketchSetSize);
  std::vector<uint32_t> out(p.num_perm);
  for (auto _ : state) {
    h.Sketch(set, absl::MakeSpan(out));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * set.size());
}
void BM_MinHash_Classic(benchmark::State& state) { MinHashBench(state, MinHashMethod::kClassic); }
void BM_MinHash_OnePerm(benchmark::State& state) { MinHashBench(state, MinHashMethod::kOnePerm); }
BENCHMARK(BM_MinHash_Classic)->Arg(64)->Arg(128)->Arg(256)->Arg(1024);
BENCHMARK(BM_MinHash_OnePerm)->Arg(64)->Arg(128)->Arg(256)->Arg(1024);

// Every classic kernel variant the CPU has, K = 128 (scalar = the definition).
void BM_MinHash_ClassicKernel(benchmark::State& state) {
  const Isa isa = static_cast<Isa>(state.range(0));
  if (!sketch_internal::IsaSupported(isa)) {
    state.SkipWithError("ISA not supported by this CPU");
    return;
  }
  state.SetLabel(sketch_internal::IsaName(isa));
  constexpr size_t k = 128;
  std::vector<uint32_t> tab(4 * k);
  std::mt19937_64 rng(3);
  for (uint32_t& x : tab) x = rng() | 1;
  const sketch_internal::ClassicTables t{tab.data(), tab.data() + k, tab.data() + 2 * k,
                                         tab.data() + 3 * k, k};
  const std::vector<uint64_t> set = RandomHashes(kSketchSetSize);
  std::vector<uint32_t> mins(k);
  const auto kernel = sketch_internal::GetClassicKernel(isa);
  for (auto _ : state) {
    std::fill(mins.begin(), mins.end(), 0xFFFFFFFFu);
    kernel(t, set.data(), set.size(), mins.data());
    benchmark::DoNotOptimize(mins.data());
  }
  state.SetItemsProcessed(state.iterations() * set.size());
}
BENCHMARK(BM_MinHash_ClassicKernel)->DenseRange(0, 3);

// datasketch's scheme in plain C++: (a*h + b) mod (2^61 - 1), low 32 bits.
void BM_MinHash_NaiveMersenne(benchmark::State& state) {
  const size_t k = state.range(0);
  constexpr uint64_t kPrime = (uint64_t{1} << 61) - 1;
  std::mt19937_64 rng(4);
  std::vector<uint64_t> a(k), b(k);
  for (size_t i = 0; i < k; ++i) {
    a[i] = 1 + rng() % (kPrime - 1);
    b[i] = rng() % kPrime;
  }
  const std::vector<uint64_t> set = RandomHashes(kSketchSetSize);
  std::vector<uint32_t> mins(k);
  for (auto _ : state) {
    std::fill(mins.begin(), mins.end(), 0xFFFFFFFFu);
    for (uint64_t h : set) {
      const uint64_t x = h & 0xFFFFFFFFu;
      for (size_t i = 0; i < k; ++i) {
        const uint32_t v = static_cast<uint32_t>(
            (static_cast<unsigned __int128>(a[i]) * x + b[i]) % kPrime);
        mins[i] = std::min(mins[i], v);
      }
    }
    benchmark::DoNotOptimize(mins.data());
  }
  state.SetItemsProcessed(state.iterations() * set.size());
}
BENCHMARK(BM_MinHash_NaiveMersenne)->Arg(128);

void BM_EstimateJaccard(benchmark::State& state) {
  const size_t k = state.range(0);
  std::vector<uint32_t> a(k), b(k);
  std::mt19937 rng(5);
  for (size_t i = 0; i < k; ++i) a[i] = b[i] = rng() % 4;
  double sum = 0;
  for (auto _ : state) {
    sum += EstimateJaccard(a, b);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EstimateJaccard)->Arg(64)->Arg(128)->Arg(256)->Arg(1024);

// ---- SimHash -----------------------------------------------------------------

void BM_SimHash(benchmark::State& state) {
  const std::vector<uint64_t> features = RandomHashes(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(SimHash(features));
  state.SetItemsProcessed(state.iterations() * features.size());
}
BENCHMARK(BM_SimHash)->Arg(50)->Arg(400)->Arg(20000);

// Bit by bit: the reference the bit-sliced counters are tested against.
void BM_SimHash_NaiveBits(benchmark::State& state) {
  const std::vector<uint64_t> features = RandomHashes(state.range(0));
  for (auto _ : state) {
    uint64_t counts[64] = {};
    sketch_internal::SimHashCountsReference(1, features.data(), features.size(), counts);
    benchmark::DoNotOptimize(counts);
  }
  state.SetItemsProcessed(state.iterations() * features.size());
}
BENCHMARK(BM_SimHash_NaiveBits)->Arg(50)->Arg(400)->Arg(20000);

void BM_Hamming(benchmark::State& state) {
  const std::vector<uint64_t> fps = RandomHashes(1024);
  uint64_t probe = 12345;
  for (auto _ : state) {
    int close = 0;
    for (uint64_t f : fps) close += HammingDistance(f, probe) <= kDefaultSimHashMaxDistance;
    benchmark::DoNotOptimize(close);
    ++probe;
  }
  state.SetItemsProcessed(state.iterations() * fps.size());
}
BENCHMARK(BM_Hamming);

}  // namespace
}  // namespace dubare
