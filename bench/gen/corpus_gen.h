// Copyright 2026 The Dubare Authors.
//
// corpus_gen.h: a synthetic Sorani news corpus with known near-duplicates and
// known planted passages, for the dedup, passage and index tests and
// benchmarks.
//
// Articles (a headline, a dateline, paragraphs, about words_per_article
// words) are sampled from a word-bigram model trained on the repository's
// corpus/press/*.txt (or on CorpusOptions::training_paths), with content
// words drawn from a larger embedded Sorani vocabulary so that unrelated
// articles share few word n-grams. A fraction of the corpus is republished:
// clusters of copies of one base article, each copy edited the way real
// republication edits text (EditKind). In passage mode, a few consecutive
// sentences of one document are planted, lightly edited, into another, and
// the byte spans of both are recorded.
//
// Every document is a pure function of (options, index): generation is
// deterministic for a seed, needs no other document in memory, and can be
// spread over threads.
//
// Ownership: a CorpusGenerator owns its model and plan (a few bytes per
// document); generated text belongs to the caller.
// Thread safety: a const CorpusGenerator may be used from many threads.

#ifndef DUBARE_BENCH_GEN_CORPUS_GEN_H_
#define DUBARE_BENCH_GEN_CORPUS_GEN_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dubare::gen {

struct CorpusOptions {
  size_t num_docs = 1000;
  // Fraction of all documents that are copies of another document (the
  // cluster bases are not counted). 0 gives no duplicates.
  double dup_fraction = 0.3;
  // Cluster size counts the base: 2 = one original and one copy.
  int min_cluster_size = 2;
  int max_cluster_size = 6;
  // 0: copies differ only by orthography the normalizer folds; 1: heavy
  // editing (several sentences, compounds, words). Measured on word 3-grams
  // of match-key text (tests/io/corpus_gen_test.cc): at 0.3, base-copy pairs
  // have median Jaccard ~0.87 and copy-copy pairs ~0.74, with under 1% of
  // all truth pairs below 0.4; at 0.5 the medians are ~0.74 and ~0.57 and
  // ~11% of copy-copy pairs fall below 0.4.
  double edit_intensity = 0.3;
  int words_per_article = 300;  // mean; articles vary by about ±30%
  uint64_t seed = 1;

  // Passage mode: plant passages into other documents.
  bool passages = false;
  // Fraction of documents (outside duplicate clusters) that receive one.
  double passage_fraction = 0.1;
  int min_passage_sentences = 2;
  int max_passage_sentences = 5;

  // UTF-8 text files or directories of them to learn sentences from; empty
  // means the repository's corpus/press.
  std::vector<std::string> training_paths;

  absl::Status Validate() const;
};

struct GeneratedDoc {
  std::string id;      // "d0000042"
  std::string text;    // headline, "\n\n", paragraphs separated by "\n\n"
  std::string date;    // "2024-03-15"; copies are dated on or after their base
  std::string source;  // outlet name, e.g. "rudaw"
};

// What a copy changed, as a bit set.
enum EditKind : uint32_t {
  kEditOrthography = 1u << 0,  // ك/ي/ى, heh+ZWNJ, tatweel, ر for ڕ, digits, ZWNJ
  kEditCompounds = 1u << 1,    // لەسەر ↔ لە سەر and similar
  kEditSentenceDeleted = 1u << 2,
  kEditSentenceInserted = 1u << 3,
  kEditParagraphs = 1u << 4,  // paragraphs re-split or merged
  kEditHeadline = 1u << 5,
  kEditDateline = 1u << 6,
  kEditWords = 1u << 7,  // a few words substituted
};
// "orthography+compounds+..." in bit order; "exact" for 0.
std::string EditKindString(uint32_t edits);

// A near-duplicate pair of the truth: indices into the corpus, a < b.
struct TruthPair {
  uint32_t a = 0;
  uint32_t b = 0;
  uint32_t edits = 0;  // union of the edits of both sides against the base
};

// Sentences of document `src` planted into document `dst`: the bytes
// [src_begin, src_end) of src's text reappear, edited, as [dst_begin,
// dst_end) of dst's text.
struct PlantedPassage {
  uint32_t src = 0;
  uint32_t src_begin = 0, src_end = 0;
  uint32_t dst = 0;
  uint32_t dst_begin = 0, dst_end = 0;
  uint32_t edits = 0;
};

class CorpusGenerator {
 public:
  // Trains the model and plans the corpus (which documents are copies of
  // which, and where passages go). Fails on bad options or no training text.
  static absl::StatusOr<std::unique_ptr<CorpusGenerator>> Create(const CorpusOptions& options);
  ~CorpusGenerator();

  const CorpusOptions& options() const;
  size_t num_docs() const;

  // Document `index` (< num_docs()). Appends the passages planted into it
  // (as destination) to *planted when that is not null.
  void Generate(size_t index, GeneratedDoc* out,
                std::vector<PlantedPassage>* planted = nullptr) const;

  // The truth, known from the plan: every pair inside a cluster, and the
  // clusters themselves (base first, then copies in index order).
  const std::vector<TruthPair>& pairs() const;
  const std::vector<std::vector<uint32_t>>& clusters() const;

 private:
  struct Impl;
  explicit CorpusGenerator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A whole corpus in memory (tests and in-process benchmarks).
struct Corpus {
  std::vector<GeneratedDoc> docs;
  std::vector<TruthPair> pairs;
  std::vector<std::vector<uint32_t>> clusters;
  std::vector<PlantedPassage> passages;  // sorted by dst, then dst_begin
};
absl::StatusOr<Corpus> GenerateCorpus(const CorpusOptions& options, int threads = 1);

// Writes into directory `dir` (created if missing):
//   corpus.jsonl   {"id","text","date","source"} per line, in index order
//   pairs.tsv      id_a \t id_b \t edits          (header line first)
//   clusters.tsv   base_id \t copy_id ...         (one cluster a line)
//   passages.tsv   src_id \t src_begin \t src_end \t dst_id \t dst_begin \t dst_end \t edits
//                  (byte offsets into the decoded "text" strings)
// Documents are generated on `threads` threads and written in order.
absl::Status WriteCorpus(const CorpusOptions& options, const std::string& dir, int threads = 1);

}  // namespace dubare::gen

#endif  // DUBARE_BENCH_GEN_CORPUS_GEN_H_
