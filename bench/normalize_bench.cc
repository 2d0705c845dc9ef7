// Copyright 2026 The Dubare Authors.
//
// The normalizer over a 50-word paragraph, a 400-word article and a
// 20,000-word chapter built from the Sorani press reports in corpus/press,
// beside a naive reference in the same run (ICU NFKC over the whole string,
// then one std::string replace pass per rule), so speed-ups read as ratios.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dubare/normalize.h"
#include "unicode/normalizer2.h"
#include "unicode/unistr.h"

#include "press_text.h"

namespace dubare {
namespace {

using bench::TextOfSize;
using bench::TextSizes;

void Run(benchmark::State& state, NormalForm form, bool offset_map = true) {
  const std::string& text = TextOfSize(state.range(0));
  NormalizeOptions options;
  options.form = form;
  options.offset_map = offset_map;
  const Normalizer normalizer(options);
  NormalizedText out;
  for (auto _ : state) {
    if (!normalizer.Normalize(text, &out).ok()) state.SkipWithError("normalize failed");
    benchmark::DoNotOptimize(out.text.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_Normalize_Canonical(benchmark::State& state) { Run(state, NormalForm::kCanonical); }
BENCHMARK(BM_Normalize_Canonical)->Apply(TextSizes);

void BM_Normalize_MatchKey(benchmark::State& state) { Run(state, NormalForm::kMatchKey); }
BENCHMARK(BM_Normalize_MatchKey)->Apply(TextSizes);

// As the sketchers run it: the text without the offset map.
void BM_Normalize_MatchKeyNoMap(benchmark::State& state) {
  Run(state, NormalForm::kMatchKey, /*offset_map=*/false);
}
BENCHMARK(BM_Normalize_MatchKeyNoMap)->Apply(TextSizes);

// Old-style Sorani (Arabic kaf and yeh, heh+ZWNJ on most words), where the
// context rules fire far more often: a BLARK file, when ../shared is present.
void BM_Normalize_OldStyle(benchmark::State& state) {
  static const std::string text = [] {
    std::ifstream in(std::filesystem::path(__FILE__).parent_path().parent_path() /
                     "../shared/corpus/blark/data/SoraniPA/st41.txt");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }();
  if (text.empty()) {
    state.SkipWithError("../shared/corpus/blark not found");
    return;
  }
  NormalizeOptions options;
  options.form = state.range(0) == 0 ? NormalForm::kCanonical : NormalForm::kMatchKey;
  const Normalizer normalizer(options);
  NormalizedText out;
  for (auto _ : state) {
    if (!normalizer.Normalize(text, &out).ok()) state.SkipWithError("normalize failed");
    benchmark::DoNotOptimize(out.text.data());
  }
  state.SetLabel(state.range(0) == 0 ? "canonical" : "match");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Normalize_OldStyle)->Arg(0)->Arg(1);

// The naive reference: NFKC_Casefold over the whole string with ICU, then a
// replace-all pass per Sorani rule, then white space collapsed. It computes
// no offset map and skips the context rules, so it does less work than the
// match key it stands in for.
std::string NaiveMatchKey(const std::string& text) {
  static const std::vector<std::pair<std::string, std::string>> kRules = {
      {"\u0647\u200C", "\u0647"}, {"\u200C", ""},       {"\u200D", ""},
      {"\u0640", ""},             {"\u064E", ""},       {"\u0650", ""},
      {"\u0643", "\u06A9"},       {"\u06AA", "\u06A9"}, {"\u064A", "\u06CC"},
      {"\u0649", "\u06CC"},       {"\u06D2", "\u06CC"}, {"\u0629", "\u0647"},
      {"\u06C0", "\u0647"},       {"\u06D5", "\u0647"}, {"\u06BE", "\u0647"},
      {"\u0695", "\u0631"},       {"\u0692", "\u0631"}, {"\u06B5", "\u0644"},
      {"\u06CE", "\u06CC"},       {"\u06C6", "\u0648"}, {"\u0624", "\u0648"},
      {"\u0622", "\u0627"},       {"\u0623", "\u0627"}, {"\u0625", "\u0627"},
      {"\u0660", "0"},            {"\u0661", "1"},      {"\u0662", "2"},
      {"\u0663", "3"},            {"\u0664", "4"},      {"\u0665", "5"},
      {"\u0666", "6"},            {"\u0667", "7"},      {"\u0668", "8"},
      {"\u0669", "9"},            {"\u060C", " "},      {"\u061F", " "},
      {".", " "},                 {",", " "},           {"\"", " "},
      {"\u00AB", " "},            {"\u00BB", " "},      {"\n", " "},
  };
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  std::string s;
  nfkc_cf->normalize(icu::UnicodeString::fromUTF8(text), status).toUTF8String(s);
  for (const auto& [from, to] : kRules) {
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
      s.replace(p, from.size(), to);
    }
  }
  std::string collapsed;
  collapsed.reserve(s.size());
  for (char c : s) {
    if (c == ' ' && (collapsed.empty() || collapsed.back() == ' ')) continue;
    collapsed.push_back(c);
  }
  return collapsed;
}

void BM_Normalize_NaiveIcuReplace(benchmark::State& state) {
  const std::string& text = TextOfSize(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(NaiveMatchKey(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Normalize_NaiveIcuReplace)->Apply(TextSizes);

// ICU's NFKC alone over the whole string, with no Kurdish rule and no map:
// the floor a naive design starts from.
void BM_Normalize_IcuNfkcOnly(benchmark::State& state) {
  const std::string& text = TextOfSize(state.range(0));
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  std::string s;
  for (auto _ : state) {
    s.clear();
    nfkc->normalize(icu::UnicodeString::fromUTF8(text), status).toUTF8String(s);
    benchmark::DoNotOptimize(s.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Normalize_IcuNfkcOnly)->Apply(TextSizes);

}  // namespace
}  // namespace dubare
