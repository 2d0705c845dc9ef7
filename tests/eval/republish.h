// Copyright 2026 The Dubare Authors.
//
// An evaluation corpus that looks like a real crawl: real Sorani text
// (Kurdish-BLARK: news of SoraniPA, textbook chapters of KTC by topic) cut
// into articles at sentence ends, and re-published copies made by the edits
// outlets make, at several intensities. Articles of one file or topic are
// the negatives that share a subject. Used by republish_eval_test.cc and,
// through it, by bench/recall_eval.sh.

#ifndef DUBARE_TESTS_EVAL_REPUBLISH_H_
#define DUBARE_TESTS_EVAL_REPUBLISH_H_

#include <cstdint>
#include <string>
#include <vector>

namespace dubare::eval {

struct Article {
  std::string id;
  std::string text;
  int family = 0;   // the base article it was made from (its own index for a base)
  int kind = -1;    // index into EditKinds(), -1 for a base
  int level = 0;    // intensity 0..2
  int topic = 0;    // source file or KTC topic
};

struct EditKind {
  const char* name;
  const char* levels[3];  // what each intensity does
};
const std::vector<EditKind>& EditKinds();

struct Corpus {
  std::vector<Article> articles;  // bases first, then copies
  size_t bases = 0;
};

// Reads BLARK from `blark_dir` (empty corpus when absent): up to
// `max_bases` base articles and `copies_per_cell` copies for every edit kind
// and level, each from a random base. Deterministic for a seed.
Corpus BuildCorpus(const std::string& blark_dir, size_t max_bases, int copies_per_cell,
                   uint64_t seed);

}  // namespace dubare::eval

#endif  // DUBARE_TESTS_EVAL_REPUBLISH_H_
