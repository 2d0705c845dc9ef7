// Copyright 2026 The Dubare Authors.

#include "eval/republish.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "dubare/normalize.h"

namespace dubare::eval {
namespace {

namespace fs = std::filesystem;
using Sentences = std::vector<std::string>;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t Words(absl::string_view s) {
  return std::vector<absl::string_view>(absl::StrSplit(s, absl::ByAnyChar(" \t\r\n"),
                                                       absl::SkipEmpty()))
      .size();
}

// Sentences end at . ! ? ؟ followed by white space, or at a blank line.
Sentences SplitSentences(const std::string& text) {
  Sentences out;
  std::string current;
  auto flush = [&] {
    std::string s(absl::StripAsciiWhitespace(current));
    absl::StrReplaceAll({{"\r", " "}, {"\n", " "}, {"\t", " "}}, &s);
    if (Words(s) >= 3) out.push_back(std::move(s));
    current.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    current += text[i];
    const bool end_mark = text[i] == '.' || text[i] == '!' || text[i] == '?' ||
                          absl::EndsWith(current, "؟");
    const bool blank = text[i] == '\n' && i + 1 < text.size() && text[i + 1] == '\n';
    if ((end_mark && i + 1 < text.size() && absl::ascii_isspace(text[i + 1])) || blank) flush();
  }
  flush();
  return out;
}

// Paragraphs of three sentences, as a site would lay them out.
std::string Layout(const Sentences& s, int per_paragraph = 3) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0) out += (i % per_paragraph == 0) ? "\n\n" : " ";
    out += s[i];
  }
  return out;
}

struct Base {
  Sentences sentences;
  int topic = 0;
};

class Editor {
 public:
  Editor(const std::vector<Base>& bases, uint64_t seed) : bases_(bases), rng_(seed) {
    for (size_t b = 0; b < bases.size(); b += 3) {
      for (const std::string& s : bases[b].sentences) {
        for (absl::string_view w : absl::StrSplit(s, ' ', absl::SkipEmpty())) {
          if (rng_() % 5 == 0) vocab_.emplace_back(w);
        }
      }
    }
  }

  // A copy of base `b` under edit `kind` at `level`.
  std::string Make(size_t b, int kind, int level) {
    Sentences s = bases_[b].sentences;
    switch (kind) {
      case 0:  // cut sentences
        Cut(&s, level + 1);
        return Layout(s);
      case 1:  // sentences from another story added
        Add(&s, level + 1, b);
        return Layout(s);
      case 2: {  // a new dateline and lead
        const char* datelines[] = {"هەولێر - ڕووداو", "سلێمانی (کوردستان24)", "دهۆک - NRT"};
        s.erase(s.begin());
        const Sentences& d = Donor(b);
        for (int i = 0; i <= level && i < static_cast<int>(d.size()); ++i) {
          s.insert(s.begin() + i, d[i]);
        }
        return absl::StrCat(datelines[rng_() % 3], "\n\n", Layout(s));
      }
      case 3:  // paragraphs cut differently
        return level == 0 ? Layout(s, 1) : level == 1 ? Layout(s, 5) : Layout(s, 1000);
      case 4:  // words changed
        ChangeWords(&s, 0.03 * (level + 1));
        return Layout(s);
      case 5:  // clitics and compounds joined or split
        JoinAndSplit(&s, 0.1 * (level + 1));
        return Layout(s);
      case 6:  // re-typed in an old encoding
        return OldEncoding(Layout(s), level);
      case 7: {  // headline above, boilerplate below
        const std::vector<absl::string_view> words = absl::StrSplit(s[0], ' ');
        std::string headline = absl::StrJoin(words.begin(),
                                             words.begin() + std::min<size_t>(words.size(), 7),
                                             " ");
        std::string text = absl::StrCat(headline, "\n\n", Layout(s));
        if (level >= 1) absl::StrAppend(&text, "\n\nوێنە: ئەرشیف. هەواڵی زیاتر لە ماڵپەڕەکەمان بخوێنەوە.");
        if (level >= 2) {
          absl::StrAppend(&text, "\n\nئەم بابەتە لەگەڵ هاوڕێکانت هاوبەش بکە. بەدواداچوون بۆ "
                                 "هەواڵەکانمان بکە لە فەیسبووک و تویتەر و تێلێگرام.");
        }
        return text;
      }
      case 8: {  // quotes and punctuation re-done
        std::string text = Layout(s);
        absl::StrReplaceAll({{"«", "\""}, {"»", "\""}, {"،", ","}}, &text);
        if (level >= 1) absl::StrReplaceAll({{"\"", ""}, {":", " -"}}, &text);
        if (level >= 2) absl::StrReplaceAll({{". ", " . "}, {"،", ""}, {",", ""}}, &text);
        return text;
      }
      case 9:  // several at once, as a busy desk does
        ChangeWords(&s, 0.02 * (level + 1));
        Cut(&s, 1);
        Add(&s, level, b);
        JoinAndSplit(&s, 0.05 * (level + 1));
        return OldEncoding(absl::StrCat("هەواڵ\n\n", Layout(s, 2 + level)), level == 2 ? 0 : -1);
      default: {  // 10: a wire story inside a round-up
        // Briefs of other stories before and after it, two sentences of
        // each: the round-up holds no other story whole.
        auto briefs = [&](size_t sentences) {
          Sentences out;
          while (out.size() < sentences) {
            const Sentences& d = Donor(b);
            out.insert(out.end(), d.begin(), d.begin() + std::min<size_t>(2, d.size()));
          }
          return out;
        };
        const size_t pad = s.size() * (level + 1) / 2 + 1;
        Sentences round = briefs(pad);
        round.insert(round.end(), s.begin(), s.end());
        const Sentences after = briefs(pad);
        round.insert(round.end(), after.begin(), after.end());
        return Layout(round);
      }
    }
  }

 private:
  const Sentences& Donor(size_t b) {
    for (;;) {
      const size_t d = rng_() % bases_.size();
      if (d != b && bases_[d].topic != bases_[b].topic) return bases_[d].sentences;
    }
  }
  void Cut(Sentences* s, int n) {
    for (int i = 0; i < n && s->size() > 3; ++i) s->erase(s->begin() + rng_() % s->size());
  }
  void Add(Sentences* s, int n, size_t b) {
    const Sentences& d = Donor(b);
    for (int i = 0; i < n; ++i) {
      s->insert(s->begin() + rng_() % (s->size() + 1), d[rng_() % d.size()]);
    }
  }
  void ChangeWords(Sentences* s, double rate) {
    std::uniform_real_distribution<double> u(0, 1);
    for (std::string& sentence : *s) {
      std::vector<std::string> words = absl::StrSplit(sentence, ' ', absl::SkipEmpty());
      for (std::string& w : words) {
        if (u(rng_) < rate) w = vocab_[rng_() % vocab_.size()];
      }
      sentence = absl::StrJoin(words, " ");
    }
  }
  // Short words (و، لە، بە، بۆ...) written onto the next word, and verbs'
  // prefixes (دە، نە، بە) written apart.
  void JoinAndSplit(Sentences* s, double rate) {
    std::uniform_real_distribution<double> u(0, 1);
    for (std::string& sentence : *s) {
      std::vector<std::string> words = absl::StrSplit(sentence, ' ', absl::SkipEmpty());
      std::vector<std::string> out;
      for (size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w.size() <= 6 && i + 1 < words.size() && u(rng_) < rate) {  // <= 3 letters
          out.push_back(w + words[++i]);
          continue;
        }
        bool split = false;
        for (const char* prefix : {"دە", "نە", "بە"}) {
          if (absl::StartsWith(w, prefix) && w.size() > 10 && u(rng_) < rate) {
            out.push_back(prefix);
            out.push_back(w.substr(std::string(prefix).size()));
            split = true;
            break;
          }
        }
        if (!split) out.push_back(w);
      }
      sentence = absl::StrJoin(out, " ");
    }
  }
  // Level 0: Arabic kaf and yeh; 1: also heh + ZWNJ for ە; 2: also tatweel
  // and Arabic-Indic digits.
  std::string OldEncoding(std::string text, int level) {
    if (level < 0) return text;
    absl::StrReplaceAll({{"ک", "ك"}, {"ی", "ي"}}, &text);
    if (level >= 1) absl::StrReplaceAll({{"ە", "ه\u200c"}}, &text);
    if (level >= 2) {
      absl::StrReplaceAll({{"ل", "لـ"}, {"0", "٠"}, {"1", "١"}, {"2", "٢"}, {"3", "٣"},
                           {"4", "٤"}, {"5", "٥"}, {"6", "٦"}, {"7", "٧"}, {"8", "٨"},
                           {"9", "٩"}},
                          &text);
    }
    return text;
  }

  const std::vector<Base>& bases_;
  std::mt19937_64 rng_;
  std::vector<std::string> vocab_;
};

}  // namespace

const std::vector<EditKind>& EditKinds() {
  static const std::vector<EditKind> kinds = {
      {"sentences cut", {"1", "2", "3"}},
      {"sentences added from another story", {"1", "2", "3"}},
      {"new dateline and lead", {"lead of 1 sentence", "2", "3"}},
      {"paragraphs re-split", {"1 sentence each", "5 each", "one paragraph"}},
      {"words changed", {"3%", "6%", "9%"}},
      {"clitics joined, prefixes split", {"10%", "20%", "30%"}},
      {"old encoding", {"kaf, yeh", "+ heh+ZWNJ", "+ tatweel, digits"}},
      {"headline, caption, share text", {"headline", "+ caption", "+ share text"}},
      {"quotes and punctuation", {"quote marks", "+ colons", "+ commas, stops"}},
      {"mixed", {"light", "medium", "heavy"}},
      {"inside a round-up (containment)", {"1/2 of it", "1/3", "1/4"}},
  };
  return kinds;
}

Corpus BuildCorpus(const std::string& blark_dir, size_t max_bases, int copies_per_cell,
                   uint64_t seed) {
  Corpus corpus;
  const fs::path root(blark_dir);
  if (!fs::exists(root / "data" / "SoraniPA")) return corpus;
  // Sources: each SoraniPA file is a topic of its own; each KTC directory is
  // one topic (several chapters on one subject).
  std::vector<std::pair<fs::path, int>> files;
  int topic = 0;
  {
    std::vector<fs::path> pa;
    for (const auto& e : fs::directory_iterator(root / "data" / "SoraniPA")) {
      // st4.txt is st3.txt laid out again: a real duplicate, not a base.
      if (e.path().extension() == ".txt" && e.path().filename() != "st4.txt") pa.push_back(e.path());
    }
    std::sort(pa.begin(), pa.end());
    for (const fs::path& p : pa) files.push_back({p, topic++});
  }
  if (fs::exists(root / "KTC")) {
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(root / "KTC")) {
      if (e.is_directory()) dirs.push_back(e.path());
    }
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& d : dirs) {
      std::vector<fs::path> chapters;
      for (const auto& e : fs::recursive_directory_iterator(d)) {
        if (e.is_regular_file() && e.path().extension() == ".txt") chapters.push_back(e.path());
      }
      std::sort(chapters.begin(), chapters.end());
      for (const fs::path& p : chapters) files.push_back({p, topic});
      ++topic;
    }
  }
  std::mt19937_64 rng(seed);
  std::vector<Base> bases;
  for (const auto& [path, t] : files) {
    const Sentences sentences = SplitSentences(Slurp(path));
    Base current;
    size_t words = 0, target = 120 + rng() % 230;
    for (const std::string& s : sentences) {
      current.sentences.push_back(s);
      words += Words(s);
      if (words >= target) {
        if (current.sentences.size() >= 4) {
          current.topic = t;
          bases.push_back(std::move(current));
        }
        current = Base();
        words = 0;
        target = 120 + rng() % 230;
      }
    }
  }
  // BLARK repeats some passages (one chapter in two KTC topics, in two
  // encodings): a base sharing a tenth of its match-key word 5-grams with an
  // earlier one is dropped, so that the bases are truly unrelated.
  {
    NormalizeOptions o;
    o.form = NormalForm::kMatchKey;
    o.on_invalid = InvalidUtf8Policy::kReplace;
    Normalizer normalizer(o);
    absl::flat_hash_map<uint64_t, uint32_t> first_base;
    std::vector<Base> distinct;
    for (Base& base : bases) {
      NormalizedText key;
      if (!normalizer.Normalize(Layout(base.sentences), &key).ok()) continue;
      const std::vector<absl::string_view> words = absl::StrSplit(key.text, ' ', absl::SkipEmpty());
      std::vector<uint64_t> grams;
      for (size_t i = 0; i + 5 <= words.size(); ++i) {
        grams.push_back(std::hash<std::string>()(absl::StrJoin(words.begin() + i, words.begin() + i + 5, " ")));
      }
      absl::flat_hash_map<uint32_t, size_t> shared;
      size_t most = 0;
      for (uint64_t g : grams) {
        auto it = first_base.find(g);
        if (it != first_base.end()) most = std::max(most, ++shared[it->second]);
      }
      if (grams.empty() || most * 10 >= grams.size()) continue;
      const uint32_t index = static_cast<uint32_t>(distinct.size());
      for (uint64_t g : grams) first_base.emplace(g, index);
      distinct.push_back(std::move(base));
    }
    bases = std::move(distinct);
  }
  // At most max_bases, spread over the sources.
  if (bases.size() > max_bases) {
    std::vector<Base> kept;
    for (size_t i = 0; i < max_bases; ++i) kept.push_back(std::move(bases[i * bases.size() / max_bases]));
    bases = std::move(kept);
  }
  for (size_t b = 0; b < bases.size(); ++b) {
    corpus.articles.push_back({absl::StrCat("base", b), Layout(bases[b].sentences),
                               static_cast<int>(b), -1, 0, bases[b].topic});
  }
  corpus.bases = bases.size();
  Editor editor(bases, seed + 1);
  for (int kind = 0; kind < static_cast<int>(EditKinds().size()); ++kind) {
    for (int level = 0; level < 3; ++level) {
      for (int c = 0; c < copies_per_cell; ++c) {
        const size_t b = rng() % bases.size();
        corpus.articles.push_back({absl::StrCat("copy", kind, "_", level, "_", c, "_of", b),
                                   editor.Make(b, kind, level), static_cast<int>(b), kind, level,
                                   bases[b].topic});
      }
    }
  }
  // Copies among the bases, as a crawl would have them.
  std::shuffle(corpus.articles.begin() + corpus.bases, corpus.articles.end(), rng);
  return corpus;
}

}  // namespace dubare::eval
