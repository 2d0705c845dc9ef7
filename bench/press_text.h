// Copyright 2026 The Dubare Authors.
//
// press_text.h: benchmark inputs of the sizes that matter (a 50-word
// paragraph, a 400-word article, a 20,000-word chapter), cut from or repeated
// over the Sorani press reports in corpus/press/.

#ifndef DUBARE_BENCH_PRESS_TEXT_H_
#define DUBARE_BENCH_PRESS_TEXT_H_

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace dubare::bench {

// The press reports, concatenated and cut or repeated to `words` words.
inline std::string PressText(int words) {
  static const std::string all = [] {
    const auto dir = std::filesystem::path(__FILE__).parent_path().parent_path() / "corpus/press";
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::string s;
    for (const auto& f : files) {
      std::ifstream in(f);
      std::stringstream ss;
      ss << in.rdbuf();
      s += ss.str();
      s += "\n\n";
    }
    return s;
  }();
  std::string out;
  int n = 0;
  while (n < words) {
    for (size_t i = 0; i < all.size() && n < words;) {
      const size_t sp = all.find_first_of(" \n", i);
      const size_t end = sp == std::string::npos ? all.size() : sp + 1;
      out.append(all, i, end - i);
      if (end - i > 1) ++n;
      i = end;
    }
  }
  return out;
}

inline const std::string& TextOfSize(int64_t words) {
  static const std::string paragraph = PressText(50), article = PressText(400),
                           chapter = PressText(20000);
  return words <= 50 ? paragraph : words <= 400 ? article : chapter;
}

inline void TextSizes(benchmark::internal::Benchmark* b) { b->Arg(50)->Arg(400)->Arg(20000); }

}  // namespace dubare::bench

#endif  // DUBARE_BENCH_PRESS_TEXT_H_
