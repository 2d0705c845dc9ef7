// Copyright 2026 The Dubare Authors.
//
// dubare_gen: writes a synthetic Sorani news corpus with its near-duplicate
// and passage truth (see bench/gen/corpus_gen.h and docs/input.md).
//
//   dubare_gen --docs 20000 --out /tmp/news --dup-fraction 0.3 --seed 7

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gen/corpus_gen.h"

namespace {

using dubare::gen::CorpusOptions;

struct Flag {
  const char* name;
  const char* value_name;  // nullptr for a boolean
  std::string shown_default;
  const char* help;
  std::function<bool(const char*)> set;
};

void PrintHelp(const std::vector<Flag>& flags, FILE* out) {
  std::fputs(
      "usage: dubare_gen --docs N --out DIR [options]\n\n"
      "Writes a synthetic Sorani news corpus with known near-duplicates into DIR:\n"
      "corpus.jsonl (id, text, date, source), pairs.tsv, clusters.tsv, passages.tsv.\n"
      "The output is a function of the options: the same seed gives the same bytes.\n\noptions:\n",
      out);
  for (const Flag& f : flags) {
    std::string left = absl::StrCat("--", f.name, f.value_name ? absl::StrCat(" ", f.value_name) : "");
    std::fprintf(out, "  %-24s %s (default: %s)\n", left.c_str(), f.help, f.shown_default.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  CorpusOptions options;
  std::string out;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto size_flag = [](size_t* t) { return [t](const char* v) { return absl::SimpleAtoi(v, t); }; };
  auto int_flag = [](int* t) { return [t](const char* v) { return absl::SimpleAtoi(v, t); }; };
  auto double_flag = [](double* t) { return [t](const char* v) { return absl::SimpleAtod(v, t); }; };
  std::vector<Flag> flags = {
      {"docs", "N", absl::StrCat(options.num_docs), "number of documents", size_flag(&options.num_docs)},
      {"out", "DIR", "(required)", "output directory (created if missing)",
       [&](const char* v) { return (out = v, !out.empty()); }},
      {"dup-fraction", "F", absl::StrCat(options.dup_fraction), "fraction of documents that are copies",
       double_flag(&options.dup_fraction)},
      {"min-cluster", "N", absl::StrCat(options.min_cluster_size), "smallest cluster, base included",
       int_flag(&options.min_cluster_size)},
      {"max-cluster", "N", absl::StrCat(options.max_cluster_size), "largest cluster, base included",
       int_flag(&options.max_cluster_size)},
      {"edit-intensity", "F", absl::StrCat(options.edit_intensity), "0 = orthography only .. 1 = heavy edits",
       double_flag(&options.edit_intensity)},
      {"words", "N", absl::StrCat(options.words_per_article), "mean words per article",
       int_flag(&options.words_per_article)},
      {"seed", "S", absl::StrCat(options.seed), "random seed",
       [&](const char* v) { return absl::SimpleAtoi(v, &options.seed); }},
      {"passages", nullptr, "off", "plant passages of one document into others",
       [&](const char*) { return options.passages = true; }},
      {"passage-fraction", "F", absl::StrCat(options.passage_fraction),
       "fraction of non-duplicate documents that receive a passage", double_flag(&options.passage_fraction)},
      {"train", "PATH", "corpus/press", "training text file or directory (repeatable)",
       [&](const char* v) { return (options.training_paths.emplace_back(v), true); }},
      {"threads", "N", "all cores", "generator threads (the output does not depend on it)", int_flag(&threads)},
  };

  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    if (!std::strcmp(arg, "--help") || !std::strcmp(arg, "-h")) {
      PrintHelp(flags, stdout);
      return 0;
    }
    if (std::strncmp(arg, "--", 2) != 0) {
      std::fprintf(stderr, "dubare_gen: unexpected argument '%s'\n", arg);
      return 2;
    }
    std::string name = arg + 2;
    const char* value = nullptr;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = arg + 2 + eq + 1;
      name.resize(eq);
    }
    const Flag* flag = nullptr;
    for (const Flag& f : flags) {
      if (name == f.name) flag = &f;
    }
    if (flag == nullptr) {
      std::fprintf(stderr, "dubare_gen: unknown flag --%s\n\n", name.c_str());
      PrintHelp(flags, stderr);
      return 2;
    }
    if (flag->value_name != nullptr && value == nullptr) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "dubare_gen: --%s needs a value\n", name.c_str());
        return 2;
      }
      value = argv[++i];
    }
    if (!flag->set(value ? value : "")) {
      std::fprintf(stderr, "dubare_gen: bad value for --%s: '%s'\n", name.c_str(), value ? value : "");
      return 2;
    }
  }
  if (out.empty()) {
    std::fprintf(stderr, "dubare_gen: --out DIR is required\n\n");
    PrintHelp(flags, stderr);
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  absl::Status status = dubare::gen::WriteCorpus(options, out, threads);
  if (!status.ok()) {
    std::fprintf(stderr, "dubare_gen: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "dubare_gen: %zu documents in %s/corpus.jsonl (%.1f s)\n", options.num_docs,
               out.c_str(), seconds);
  return 0;
}
