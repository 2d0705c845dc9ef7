// Copyright 2026 The Dubare Authors.
//
// Measurements on real Kurdish text (Kurdish-BLARK), the basis of the
// defaults in docs/sketching.md: how word k-gram Jaccard separates edited
// republications from unrelated same-topic documents, and how SimHash and
// MinHash do on the same pairs. The tests assert what the defaults promise;
// the tables are printed so a run can be pasted into the docs.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "dubare/sketch.h"
#include "gtest/gtest.h"

namespace dubare {
namespace {

namespace fs = std::filesystem;

const fs::path kBlark = fs::path(DUBARE_SOURCE_DIR) / ".." / "shared" / "corpus" / "blark";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Window {
  int file;                        // index of the source file
  std::vector<std::string> words;  // whitespace-separated, punctuation attached
};

// Non-overlapping windows of `size` words (the last may be shorter but has at
// least size/2) from every .txt file of `dir` except `skip`.
std::vector<Window> LoadWindows(const fs::path& dir, size_t size, const std::string& skip) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".txt" && e.path().filename() != skip) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Window> out;
  for (size_t f = 0; f < files.size(); ++f) {
    std::vector<std::string> words =
        absl::StrSplit(Slurp(files[f]), absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
    for (size_t i = 0; i < words.size(); i += size) {
      const size_t end = std::min(words.size(), i + size);
      if (end - i < size / 2) break;
      out.push_back({static_cast<int>(f), {words.begin() + i, words.begin() + end}});
    }
  }
  return out;
}

// An edited republication: each word is, with probability `rate`, replaced,
// deleted, or followed by an inserted word (equally often; new words come
// from `vocab`); then `drop_sentences` random sentences are deleted.
std::string Edit(const std::vector<std::string>& words, double rate, int drop_sentences,
                 const std::vector<std::string>& vocab, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<size_t> pick(0, vocab.size() - 1);
  std::vector<std::string> out;
  for (const std::string& w : words) {
    if (u(rng) >= rate) {
      out.push_back(w);
      continue;
    }
    switch (rng() % 3) {
      case 0: out.push_back(vocab[pick(rng)]); break;
      case 1: break;
      case 2: out.push_back(w); out.push_back(vocab[pick(rng)]); break;
    }
  }
  for (int d = 0; d < drop_sentences; ++d) {
    // A sentence ends at a word ending in . ? ! or the Arabic question mark.
    std::vector<size_t> ends = {0};
    for (size_t i = 0; i < out.size(); ++i) {
      const std::string& w = out[i];
      if (!w.empty() && (w.back() == '.' || w.back() == '?' || w.back() == '!' ||
                         absl::EndsWith(w, "؟"))) {
        ends.push_back(i + 1);
      }
    }
    if (ends.size() < 3) break;  // keep at least one sentence
    const size_t s = rng() % (ends.size() - 1);
    out.erase(out.begin() + ends[s], out.begin() + ends[s + 1]);
  }
  return absl::StrJoin(out, " ");
}

struct Pair {
  DocumentSketch a, b;
};

struct EditLevel {
  const char* name;
  double rate;
  int drop_sentences;
};
constexpr EditLevel kLevels[] = {{"5% words", 0.05, 0},
                                 {"10% words", 0.10, 0},
                                 {"15% words", 0.15, 0},
                                 {"20% words", 0.20, 0},
                                 {"2 sentences", 0.0, 2},
                                 {"10% + 1 sentence", 0.10, 1}};

struct Corpus {
  std::vector<Window> windows;
  std::vector<std::string> vocab;
};

const Corpus* SoraniCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    if (!fs::exists(kBlark / "data" / "SoraniPA")) return c;
    // st4.txt is st3.txt with other blank lines: a real duplicate, not a negative.
    c->windows = LoadWindows(kBlark / "data" / "SoraniPA", 250, "st4.txt");
    for (const Window& w : c->windows) {
      for (size_t i = 0; i < w.words.size(); i += 7) c->vocab.push_back(w.words[i]);
    }
    return c;
  }();
  return corpus;
}

struct Labeled {
  std::vector<std::vector<Pair>> edited;  // per kLevels entry
  std::vector<Pair> same_file;            // two windows of one file: same topic and author
  std::vector<Pair> other_file;           // windows of two different files
};

Labeled Build(const Corpus& c, const SketchParams& params) {
  DocumentSketcher sketcher(params, InvalidUtf8Policy::kReplace);
  auto sketch = [&](const std::string& text) {
    DocumentSketch s;
    EXPECT_TRUE(sketcher.Sketch(text, &s).ok());
    return s;
  };
  std::mt19937_64 rng(2026);
  Labeled l;
  l.edited.resize(std::size(kLevels));
  std::vector<DocumentSketch> base;
  for (const Window& w : c.windows) base.push_back(sketch(absl::StrJoin(w.words, " ")));
  // At most 150 base windows, spread over the corpus.
  const size_t step = std::max<size_t>(1, c.windows.size() / 150);
  for (size_t i = 0; i < c.windows.size(); i += step) {
    for (size_t e = 0; e < std::size(kLevels); ++e) {
      l.edited[e].push_back(
          {base[i], sketch(Edit(c.windows[i].words, kLevels[e].rate, kLevels[e].drop_sentences,
                                c.vocab, rng))});
    }
  }
  for (size_t i = 0; i + 1 < c.windows.size(); ++i) {
    if (c.windows[i].file == c.windows[i + 1].file && l.same_file.size() < 600) {
      l.same_file.push_back({base[i], base[i + 1]});
    }
  }
  std::uniform_int_distribution<size_t> any(0, c.windows.size() - 1);
  while (l.other_file.size() < 1000) {
    const size_t i = any(rng), j = any(rng);
    if (c.windows[i].file != c.windows[j].file) l.other_file.push_back({base[i], base[j]});
  }
  return l;
}

double Jaccard(const Pair& p) { return ExactOverlap(p.a.shingles, p.b.shingles).jaccard(); }

double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
}

template <typename F>
std::vector<double> Map(const std::vector<Pair>& pairs, F f) {
  std::vector<double> v;
  for (const Pair& p : pairs) v.push_back(f(p));
  return v;
}

template <typename F>
double Fraction(const std::vector<Pair>& pairs, F pred) {
  size_t n = 0;
  for (const Pair& p : pairs) n += pred(p);
  return pairs.empty() ? 0 : static_cast<double>(n) / pairs.size();
}

class KurdishEvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (SoraniCorpus()->windows.size() < 50) {
      GTEST_SKIP() << "Kurdish-BLARK corpus not found at " << kBlark
                   << " (shared evaluation data; see docs/sketching.md)";
    }
  }
};

// Word k = 1..7: median Jaccard of edited copies per edit level, and the 99th
// percentile / maximum of unrelated pairs. The default k must separate.
TEST_F(KurdishEvalTest, WordShingleSizeSeparatesEditsFromUnrelated) {
  const Corpus& c = *SoraniCorpus();
  std::printf("Sorani windows: %zu (250 words), vocabulary sample %zu\n", c.windows.size(),
              c.vocab.size());
  std::printf("%-3s", "k");
  for (const EditLevel& e : kLevels) std::printf(" | %-16s", e.name);
  std::printf(" | same-file p99/max | other-file p99/max | margin\n");
  std::printf("(edited columns: median, 5th percentile, minimum; margin: 5th percentile of\n"
              " 20%%-edited copies minus 99th percentile of same-file windows)\n");
  for (int k = 1; k <= 7; ++k) {
    SketchParams p;
    p.shingle.size = k;
    const Labeled l = Build(c, p);
    std::printf("%-3d", k);
    for (size_t e = 0; e < std::size(kLevels); ++e) {
      const std::vector<double> j = Map(l.edited[e], Jaccard);
      std::printf(" | %.2f %.2f %.2f", Quantile(j, 0.5), Quantile(j, 0.05), Quantile(j, 0));
    }
    const std::vector<double> sf = Map(l.same_file, Jaccard), of = Map(l.other_file, Jaccard);
    std::printf(" | %.3f / %.3f | %.3f / %.3f | %.2f\n", Quantile(sf, 0.99), Quantile(sf, 1),
                Quantile(of, 0.99), Quantile(of, 1),
                Quantile(Map(l.edited[3], Jaccard), 0.05) - Quantile(sf, 0.99));
    if (k == ShingleOptions().size) {
      // The default: copies with up to 20% of their words edited clear the
      // default threshold, and unrelated same-topic text stays far below it.
      EXPECT_GE(Quantile(Map(l.edited[3], Jaccard), 0.05), kDefaultJaccardThreshold);
      EXPECT_LT(Quantile(sf, 0.99), kDefaultJaccardThreshold / 2);
      EXPECT_LT(Quantile(of, 1), kDefaultJaccardThreshold / 4);
    }
  }
}

// Precision and recall of MinHash (estimate >= threshold) and SimHash
// (distance <= d) over the same labeled pairs at the default parameters.
TEST_F(KurdishEvalTest, SimHashVersusMinHashOnEditedRepublications) {
  const Corpus& c = *SoraniCorpus();
  for (MinHashMethod method : {MinHashMethod::kClassic, MinHashMethod::kOnePerm}) {
    SketchParams p;
    p.method = method;
    const Labeled l = Build(c, p);
    std::vector<Pair> negatives = l.same_file;
    negatives.insert(negatives.end(), l.other_file.begin(), l.other_file.end());
    auto minhash_dup = [&](const Pair& x) {
      return EstimateJaccard(absl::MakeConstSpan(x.a.minhash), absl::MakeConstSpan(x.b.minhash)) >=
             kDefaultJaccardThreshold;
    };
    std::printf("MinHash %s k=128 >= %.2f | ", std::string(MinHashMethodName(method)).c_str(),
                kDefaultJaccardThreshold);
    double fp = Fraction(negatives, minhash_dup);
    for (size_t e = 0; e < std::size(kLevels); ++e) {
      std::printf("%s %.3f | ", kLevels[e].name, Fraction(l.edited[e], minhash_dup));
    }
    std::printf("false-positive rate %.4f\n", fp);
    EXPECT_GE(Fraction(l.edited[1], minhash_dup), 0.97);
    EXPECT_GE(Fraction(l.edited[3], minhash_dup), 0.85);
    EXPECT_LE(fp, 0.01);
    if (method != MinHashMethod::kClassic) continue;

    std::vector<double> d5 = Map(l.edited[0], [](const Pair& x) {
      return double(HammingDistance(x.a.simhash, x.b.simhash));
    });
    std::vector<double> d20 = Map(l.edited[3], [](const Pair& x) {
      return double(HammingDistance(x.a.simhash, x.b.simhash));
    });
    std::vector<double> dneg = Map(negatives, [](const Pair& x) {
      return double(HammingDistance(x.a.simhash, x.b.simhash));
    });
    std::printf("SimHash distance medians: 5%% edits %.0f, 20%% edits %.0f, unrelated %.0f "
                "(min %.0f)\n",
                Quantile(d5, 0.5), Quantile(d20, 0.5), Quantile(dneg, 0.5), Quantile(dneg, 0));
    for (int d : {3, 6, 10, 16, 20}) {
      auto sim_dup = [&](const Pair& x) { return HammingDistance(x.a.simhash, x.b.simhash) <= d; };
      std::printf("SimHash d<=%-2d | ", d);
      for (size_t e = 0; e < std::size(kLevels); ++e) {
        std::printf("%s %.3f | ", kLevels[e].name, Fraction(l.edited[e], sim_dup));
      }
      std::printf("false-positive rate %.4f\n", Fraction(negatives, sim_dup));
    }
    // The measurement behind "MinHash is the default": at SimHash's usual
    // k=3, recall on 10% edits is far below MinHash's.
    auto sim3 = [&](const Pair& x) {
      return HammingDistance(x.a.simhash, x.b.simhash) <= kDefaultSimHashMaxDistance;
    };
    EXPECT_LT(Fraction(l.edited[1], sim3), Fraction(l.edited[1], minhash_dup));
  }
}

// Kurmanji typed without î ê û ş ç (keyboards, SMS habits): the match key
// folds them, so a text and its diacritic-less copy are one document. The
// key before the fold (normalizer version 1) is reproduced by writing each of
// those letters as one the normalizer keeps (ĩ ẽ ũ ș ć): unrelated texts must
// not rise above that level.
TEST(KurmanjiEvalTest, TextsTypedWithoutDiacriticsAreTheSameDocument) {
  if (!fs::exists(kBlark / "data" / "KurmanjiLatin")) {
    GTEST_SKIP() << "Kurdish-BLARK corpus not found at " << kBlark;
  }
  const std::vector<Window> windows = LoadWindows(kBlark / "data" / "KurmanjiLatin", 250, "");
  ASSERT_GE(windows.size(), 20u);
  auto replace = [](std::string text, const std::vector<std::pair<std::string, std::string>>& map) {
    std::string out;
    for (size_t i = 0; i < text.size();) {
      bool hit = false;
      for (const auto& [from, to] : map) {
        if (text.compare(i, from.size(), from) == 0) {
          out += to;
          i += from.size();
          hit = true;
          break;
        }
      }
      if (!hit) out += text[i++];
    }
    return out;
  };
  const std::vector<std::pair<std::string, std::string>> strip = {
      {"î", "i"}, {"ê", "e"}, {"û", "u"}, {"ş", "s"}, {"ç", "c"},
      {"Î", "I"}, {"Ê", "E"}, {"Û", "U"}, {"Ş", "S"}, {"Ç", "C"}};
  const std::vector<std::pair<std::string, std::string>> unfolded = {
      {"î", "ĩ"}, {"ê", "ẽ"}, {"û", "ũ"}, {"ş", "ș"}, {"ç", "ć"},
      {"Î", "Ĩ"}, {"Ê", "Ẽ"}, {"Û", "Ũ"}, {"Ş", "Ș"}, {"Ç", "Ć"}};
  DocumentSketcher sketcher{SketchParams()};
  auto shingles = [&](const std::string& text) {
    DocumentSketch s;
    EXPECT_TRUE(sketcher.Sketch(text, &s).ok());
    return s.shingles;
  };
  auto jaccard = [](const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
    return ExactOverlap(a, b).jaccard();
  };
  std::vector<double> copy_now, copy_before;
  for (const Window& w : windows) {
    const std::string text = absl::StrJoin(w.words, " ");
    const std::vector<uint64_t> bare = shingles(replace(text, strip));
    copy_now.push_back(jaccard(shingles(text), bare));
    copy_before.push_back(jaccard(shingles(replace(text, unfolded)), bare));
  }
  std::vector<double> negative_now, negative_before;
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<size_t> any(0, windows.size() - 1);
  while (negative_now.size() < 400) {
    const size_t i = any(rng), j = any(rng);
    if (windows[i].file == windows[j].file) continue;
    const std::string a = absl::StrJoin(windows[i].words, " ");
    const std::string b = absl::StrJoin(windows[j].words, " ");
    negative_now.push_back(jaccard(shingles(a), shingles(b)));
    negative_before.push_back(
        jaccard(shingles(replace(a, unfolded)), shingles(replace(b, unfolded))));
  }
  std::printf("Kurmanji, %zu windows of 250 words: copy without diacritics, median Jaccard "
              "%.3f (before the fold %.3f), min %.3f; unrelated, p99 %.3f max %.3f (before "
              "%.3f / %.3f)\n",
              windows.size(), Quantile(copy_now, 0.5), Quantile(copy_before, 0.5),
              Quantile(copy_now, 0), Quantile(negative_now, 0.99), Quantile(negative_now, 1),
              Quantile(negative_before, 0.99), Quantile(negative_before, 1));
  EXPECT_GE(Quantile(copy_now, 0), 0.95);
  EXPECT_LT(Quantile(copy_before, 0.5), 0.5);  // what the fold fixes
  EXPECT_LE(Quantile(negative_now, 0.99), Quantile(negative_before, 0.99) + 0.02);
  EXPECT_LE(Quantile(negative_now, 1), Quantile(negative_before, 1) + 0.02);
  EXPECT_LT(Quantile(negative_now, 1), kDefaultJaccardThreshold / 2);
}

}  // namespace
}  // namespace dubare
