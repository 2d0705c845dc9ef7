// Copyright 2026 The Dubare Authors.
//
// The passage finder: fingerprints → posting lists → anchor pairs per
// document pair → chains → banded word alignment → matches (passages.h).

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dubare/passages.h"
#include "dubare/status.h"
#include "passages/align.h"
#include "passages/chain.h"
#include "base/parallel.h"
#include "passages/scan.h"

namespace dubare {

absl::Status PassageOptions::Validate() const {
  auto bad = [](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("passage options: ", what));
  };
  if (min_words < 1) return bad("min_words must be at least 1");
  if (!(min_similarity >= 0 && min_similarity <= 1)) {
    return bad("min_similarity must be in [0, 1]");
  }
  if (boilerplate_min_docs < 2) return bad("boilerplate_min_docs must be at least 2");
  if (anchor_chars < 4 || anchor_chars > 64) return bad("anchor_chars must be in [4, 64]");
  if (winnow_window < 1 || winnow_window > 1024) {
    return bad("winnow_window must be in [1, 1024]");
  }
  if (max_gap_words < 1) return bad("max_gap_words must be at least 1");
  if (band_words < 1 || band_words > 1024) return bad("band_words must be in [1, 1024]");
  if (min_chain_anchors < 1) return bad("min_chain_anchors must be at least 1");
  if (threads < 0) return bad("threads must be 0 (all) or more");
  return absl::OkStatus();
}

namespace passages_internal {
namespace {

// A fingerprint in the corpus-wide posting table. The word index and the
// k-gram's extent share 32 bits (24 + 8).
struct Posting {
  uint64_t hash;
  uint32_t doc;
  uint32_t word_extent;
  uint32_t word() const { return word_extent >> 8; }
  uint32_t extent() const { return word_extent & 0xFF; }
};
constexpr uint32_t kMaxWordIndex = (1u << 24) - 1;

bool PostingLess(const Posting& x, const Posting& y) {
  if (x.hash != y.hash) return x.hash < y.hash;
  if (x.doc != y.doc) return x.doc < y.doc;
  return x.word_extent < y.word_extent;
}

// Sorts by (hash, doc, word): one scatter pass on the top hash bits, then the
// buckets are sorted in parallel.
void SortPostings(std::vector<Posting>* postings, int workers) {
  constexpr int kBits = 10;
  constexpr size_t kBuckets = size_t{1} << kBits;
  std::vector<size_t> start(kBuckets + 1, 0);
  for (const Posting& p : *postings) ++start[(p.hash >> (64 - kBits)) + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<Posting> sorted(postings->size());
  std::vector<size_t> fill(start.begin(), start.end() - 1);
  for (const Posting& p : *postings) sorted[fill[p.hash >> (64 - kBits)]++] = p;
  base::ParallelFor(kBuckets, workers, [&](size_t b, int) {
    std::sort(sorted.begin() + start[b], sorted.begin() + start[b + 1], PostingLess);
  });
  postings->swap(sorted);
}

struct AnchorPair {
  uint32_t a_doc, b_doc;
  Anchor at;
};

bool AnchorPairLess(const AnchorPair& x, const AnchorPair& y) {
  if (x.a_doc != y.a_doc) return x.a_doc < y.a_doc;
  if (x.b_doc != y.b_doc) return x.b_doc < y.b_doc;
  if (x.at.a != y.at.a) return x.at.a < y.at.a;
  return x.at.b < y.at.b;
}

// A run of words [begin, end) of one document.
struct WordRange {
  uint32_t doc, begin, end;
};

// Everything learnt from the posting lists.
struct Anchors {
  std::vector<AnchorPair> pairs;
  std::vector<Boilerplate> boilerplate;     // spans filled in later
  std::vector<WordRange> boilerplate_spans;  // example of boilerplate[i]
  std::vector<WordRange> masked;             // every boilerplate occurrence
};

// Turns the fingerprints found in boilerplate_min_docs documents or more
// into boilerplate passages. Per document, the words they cover form runs
// (at least min_words long). Across documents, a run joins a group when its
// fingerprints chain with those of the group's first run, in order and along
// one diagonal, over min_words words: the same footer or byline gathers one
// group, while texts that merely share common phrases do not. Groups found
// in boilerplate_min_docs documents or more are boilerplate. Candidate groups
// come from a min-hash key of each run, so the work stays linear.
void FindBoilerplate(std::vector<Posting> hits, const PassageOptions& options, Anchors* out) {
  std::sort(hits.begin(), hits.end(), [](const Posting& x, const Posting& y) {
    return x.doc != y.doc ? x.doc < y.doc : x.word_extent < y.word_extent;
  });
  struct Run {
    WordRange words;
    std::vector<Posting> prints;  // in text order
  };
  std::vector<Run> runs;
  for (const Posting& h : hits) {
    const uint32_t end = h.word() + h.extent();
    if (!runs.empty() && runs.back().words.doc == h.doc && h.word() <= runs.back().words.end + 1) {
      runs.back().words.end = std::max(runs.back().words.end, end);
    } else {
      runs.push_back({{h.doc, h.word(), end}, {}});
    }
    runs.back().prints.push_back(h);
  }
  const auto min_words = static_cast<uint32_t>(options.min_words);
  std::erase_if(runs, [&](const Run& r) { return r.words.end - r.words.begin < min_words; });

  struct Group {
    uint32_t representative = 0;
    absl::flat_hash_map<uint64_t, uint32_t> word_of = {};  // its fingerprints → word (lazily)
    uint32_t documents = 0, occurrences = 0, last_doc = UINT32_MAX;
  };
  // Whether run `r` repeats the representative of `g` over min_words words.
  std::vector<Anchor> anchors;
  auto same_passage = [&](const Run& r, Group& g) {
    if (g.word_of.empty()) {
      for (const Posting& p : runs[g.representative].prints) g.word_of.try_emplace(p.hash, p.word());
    }
    anchors.clear();
    for (const Posting& p : r.prints) {
      auto it = g.word_of.find(p.hash);
      if (it != g.word_of.end()) anchors.push_back({p.word(), it->second});
    }
    std::sort(anchors.begin(), anchors.end(), [](const Anchor& x, const Anchor& y) {
      return x.a != y.a ? x.a < y.a : x.b < y.b;
    });
    for (const auto& chain : ChainAnchors(anchors, /*max_gap=*/4, /*max_drift=*/2)) {
      // A k-gram reaches a word or two past the word it starts in.
      if (chain.back().a + 2 - chain.front().a >= min_words) return true;
    }
    return false;
  };
  // Candidate groups come from the two smallest fingerprints of a run (a
  // min-hash sketch: copies of one text share them with high probability),
  // so each run is checked against a handful of groups.
  constexpr size_t kMaxCandidates = 4;
  std::vector<Group> groups;
  std::vector<uint32_t> group_of(runs.size());
  absl::flat_hash_map<uint64_t, std::vector<uint32_t>> groups_by_key;
  for (uint32_t r = 0; r < runs.size(); ++r) {
    uint64_t keys[2] = {UINT64_MAX, UINT64_MAX};
    for (const Posting& p : runs[r].prints) {
      if (p.hash < keys[0]) {
        keys[1] = keys[0];
        keys[0] = p.hash;
      } else if (p.hash < keys[1] && p.hash != keys[0]) {
        keys[1] = p.hash;
      }
    }
    uint32_t found = UINT32_MAX;
    for (uint64_t key : keys) {
      auto it = groups_by_key.find(key);
      if (it == groups_by_key.end()) continue;
      for (size_t k = 0; k < it->second.size() && k < kMaxCandidates && found == UINT32_MAX; ++k) {
        if (same_passage(runs[r], groups[it->second[k]])) found = it->second[k];
      }
      if (found != UINT32_MAX) break;
    }
    if (found == UINT32_MAX) {
      found = static_cast<uint32_t>(groups.size());
      groups.push_back(Group{.representative = r});
      for (uint64_t key : keys) {
        if (key != UINT64_MAX) groups_by_key[key].push_back(found);
      }
    }
    group_of[r] = found;
    Group& g = groups[found];
    ++g.occurrences;
    if (g.last_doc != runs[r].words.doc) {
      ++g.documents;
      g.last_doc = runs[r].words.doc;
    }
  }
  const auto min_docs = static_cast<uint32_t>(options.boilerplate_min_docs);
  for (const Group& g : groups) {
    if (g.documents < min_docs) continue;
    Boilerplate b;
    b.documents = g.documents;
    b.occurrences = g.occurrences;
    out->boilerplate.push_back(b);
    out->boilerplate_spans.push_back(runs[g.representative].words);
  }
  for (uint32_t r = 0; r < runs.size(); ++r) {
    if (groups[group_of[r]].documents >= min_docs) out->masked.push_back(runs[r].words);
  }
}

// Reads the sorted posting table: fingerprints shared by fewer than
// boilerplate_min_docs documents become anchor pairs, the others boilerplate.
Anchors ReadPostings(const std::vector<Posting>& postings, const PassageOptions& options) {
  Anchors out;
  std::vector<Posting> boiler_hits;
  const size_t max_group = 4 * static_cast<size_t>(options.boilerplate_min_docs);
  for (size_t g0 = 0, g1; g0 < postings.size(); g0 = g1) {
    g1 = g0 + 1;
    while (g1 < postings.size() && postings[g1].hash == postings[g0].hash) ++g1;
    if (g1 - g0 < 2) continue;
    uint32_t docs = 1;
    for (size_t i = g0 + 1; i < g1; ++i) docs += postings[i].doc != postings[i - 1].doc;
    if (docs >= static_cast<uint32_t>(options.boilerplate_min_docs)) {
      boiler_hits.insert(boiler_hits.end(), postings.begin() + g0, postings.begin() + g1);
      continue;
    }
    if (g1 - g0 > max_group) continue;  // repeated within documents: no signal
    for (size_t i = g0; i < g1; ++i) {
      for (size_t j = i + 1; j < g1; ++j) {
        const Posting& x = postings[i];
        const Posting& y = postings[j];
        if (x.doc == y.doc && x.word() == y.word()) continue;
        out.pairs.push_back({x.doc, y.doc, {x.word(), y.word()}});
      }
    }
  }
  FindBoilerplate(std::move(boiler_hits), options, &out);
  return out;
}

// Original span of words [begin, end) (end > begin).
ByteSpan SpanOf(const DocWords& w, uint32_t begin, uint32_t end) {
  return ByteSpan{w.original[begin].begin, w.original[end - 1].end};
}

// The diff segments of an alignment between documents a and b, whose
// aligned ranges start at the alignment's a_begin and b_begin.
std::vector<DiffSegment> BuildDiff(const Alignment& aln, const DocWords& a, const DocWords& b,
                                   absl::string_view a_text, absl::string_view b_text) {
  std::vector<DiffSegment> out;
  uint32_t ia = aln.a_begin, ib = aln.b_begin;
  bool a_open = false, b_open = false;  // the last segment has words on that side
  for (const Step& step : aln.steps) {
    DiffKind kind = step.kind == StepKind::kChanged   ? DiffKind::kChanged
                    : step.kind == StepKind::kVariant ? DiffKind::kVariant
                                                      : DiffKind::kSame;
    const ByteSpan sa = step.a ? SpanOf(a, ia, ia + step.a) : ByteSpan{};
    const ByteSpan sb = step.b ? SpanOf(b, ib, ib + step.b) : ByteSpan{};
    if (kind == DiffKind::kSame &&
        a_text.substr(sa.begin, sa.size()) != b_text.substr(sb.begin, sb.size())) {
      kind = DiffKind::kVariant;
    }
    if (out.empty() || out.back().kind != kind) {
      DiffSegment seg;
      seg.kind = kind;
      // An empty side sits right after the previous word of that side.
      seg.a = step.a ? sa : ByteSpan{a.original[ia - 1].end, a.original[ia - 1].end};
      seg.b = step.b ? sb : ByteSpan{b.original[ib - 1].end, b.original[ib - 1].end};
      a_open = step.a > 0;
      b_open = step.b > 0;
      out.push_back(seg);
    } else {
      DiffSegment& seg = out.back();
      if (step.a) {
        seg.a = a_open ? ByteSpan{seg.a.begin, sa.end} : sa;
        a_open = true;
      }
      if (step.b) {
        seg.b = b_open ? ByteSpan{seg.b.begin, sb.end} : sb;
        b_open = true;
      }
    }
    ia += step.a;
    ib += step.b;
  }
  return out;
}

struct PairContext {
  uint32_t a_doc, b_doc;
  const DocWords* a;
  const DocWords* b;
  absl::string_view a_text, b_text;
};

// Aligns the chains of one document pair into matches.
void MatchPair(const PairContext& pair, std::vector<std::vector<Anchor>> work,
               const PassageOptions& options, Aligner* aligner, PassageStats* stats,
               std::vector<PassageMatch>* out) {
  const bool same_doc = pair.a_doc == pair.b_doc;
  const int margin = options.band_words + 4;
  const auto min_words = static_cast<uint32_t>(options.min_words);
  const auto min_anchors = static_cast<size_t>(options.min_chain_anchors);
  std::vector<Alignment> found;
  std::vector<std::vector<Anchor>> rest;
  while (!work.empty()) {
    const std::vector<Anchor> chain = std::move(work.back());
    work.pop_back();
    const Region r = RegionAround(chain, pair.a->size(), pair.b->size(), margin,
                                  options.band_words, same_doc);
    if (r.b_end <= r.b_begin || r.a_end <= r.a_begin) continue;
    Alignment aln = aligner->Align(
        absl::MakeConstSpan(pair.a->keys).subspan(r.a_begin, r.a_end - r.a_begin),
        absl::MakeConstSpan(pair.b->keys).subspan(r.b_begin, r.b_end - r.b_begin), r.band);
    ++stats->chains;
    stats->cells += aligner->cells();
    if (aln.empty()) continue;
    aln.a_begin += r.a_begin;
    aln.a_end += r.a_begin;
    aln.b_begin += r.b_begin;
    aln.b_end += r.b_begin;
    // Anchors outside the alignment may hold other passages: align those
    // runs again (only if this alignment used some anchors, so it ends).
    rest.clear();
    bool used = false;
    std::vector<Anchor> run;
    for (const Anchor& x : chain) {
      if (x.a >= aln.a_begin && x.a < aln.a_end && x.b >= aln.b_begin && x.b < aln.b_end) {
        used = true;
        if (!run.empty()) rest.push_back(std::move(run));
        run.clear();
      } else {
        run.push_back(x);
      }
    }
    if (!run.empty()) rest.push_back(std::move(run));
    if (used) {
      for (auto& piece : rest) {
        if (piece.size() >= min_anchors) work.push_back(std::move(piece));
      }
    }
    // Length counts the words the two passages have in common.
    uint32_t common_a = 0, common_b = 0;
    for (const Step& step : aln.steps) {
      if (step.kind == StepKind::kChanged) continue;
      common_a += step.a;
      common_b += step.b;
    }
    if (common_a < min_words || common_b < min_words) continue;
    if (same_doc && aln.b_begin < aln.a_end) continue;
    if (Similarity(aln.steps) < options.min_similarity) continue;
    found.push_back(std::move(aln));
  }
  // Neighbouring chains can find one passage twice: keep the best of those
  // that overlap on both sides by more than half.
  std::sort(found.begin(), found.end(), [](const Alignment& x, const Alignment& y) {
    if (x.score != y.score) return x.score > y.score;
    return x.a_begin < y.a_begin;
  });
  auto overlaps = [](uint32_t b1, uint32_t e1, uint32_t b2, uint32_t e2) {
    const uint32_t lo = std::max(b1, b2), hi = std::min(e1, e2);
    return hi > lo && 2 * (hi - lo) > std::min(e1 - b1, e2 - b2);
  };
  std::vector<const Alignment*> kept;
  for (const Alignment& x : found) {
    bool dup = false;
    for (const Alignment* k : kept) {
      dup = dup || (overlaps(x.a_begin, x.a_end, k->a_begin, k->a_end) &&
                    overlaps(x.b_begin, x.b_end, k->b_begin, k->b_end));
    }
    if (!dup) kept.push_back(&x);
  }
  for (const Alignment* x : kept) {
    PassageMatch m;
    m.a = {pair.a_doc, SpanOf(*pair.a, x->a_begin, x->a_end), x->a_end - x->a_begin};
    m.b = {pair.b_doc, SpanOf(*pair.b, x->b_begin, x->b_end), x->b_end - x->b_begin};
    m.similarity = Similarity(x->steps);
    m.diff = BuildDiff(*x, *pair.a, *pair.b, pair.a_text, pair.b_text);
    out->push_back(std::move(m));
  }
  std::sort(out->begin(), out->end(), [](const PassageMatch& x, const PassageMatch& y) {
    const uint32_t wx = x.a.words + x.b.words, wy = y.a.words + y.b.words;
    if (wx != wy) return wx > wy;
    return x.a.bytes.begin < y.a.bytes.begin;
  });
}

// Words of boilerplate occurrences get keys of their own, so that no
// alignment runs into them.
void MaskWords(uint32_t doc, const WordRange& range, DocWords* words) {
  for (uint32_t w = range.begin; w < range.end && w < words->size(); ++w) {
    const uint32_t salt = (doc * 0x9E3779B1u) ^ (w * 0x85EBCA77u) ^ 0xC2B2AE3Du;
    words->keys[w] = WordKey{salt, salt ^ 1, salt ^ 2, salt ^ 3};
  }
}

}  // namespace
}  // namespace passages_internal

absl::StatusOr<PassageResult> FindPassages(absl::Span<const absl::string_view> texts,
                                           const PassageOptions& options,
                                           const ProgressCallback& progress) {
  using namespace passages_internal;  // NOLINT: the implementation's own namespace
  DUBARE_RETURN_IF_ERROR(options.Validate());
  const size_t n = texts.size();
  const int workers = base::ResolveThreads(options.threads);
  PassageResult result;
  result.stats.documents = n;

  // Progress of the two long loops, reported by worker 0 (the calling
  // thread, as ProgressCallback asks) every 64 of its items.
  std::atomic<uint64_t> items_done{0};
  auto report = [&](absl::string_view stage, uint64_t total) {
    if (!progress) return;
    ProgressEvent e;
    e.stage = stage;
    e.documents = n;
    e.done = items_done.load(std::memory_order_relaxed);
    e.total = total;
    progress(e);
  };
  auto tick = [&](absl::string_view stage, uint64_t total, int worker) {
    const uint64_t done = items_done.fetch_add(1, std::memory_order_relaxed) + 1;
    if (worker == 0 && done % 64 == 0) report(stage, total);
  };

  absl::Time stage = absl::Now();
  auto lap = [&stage](double* seconds) {
    const absl::Time now = absl::Now();
    *seconds = absl::ToDoubleSeconds(now - stage);
    stage = now;
  };

  // 1. Fingerprints of every document, then one sorted posting table.
  std::vector<std::vector<Fingerprint>> prints(n);
  std::vector<uint32_t> word_counts(n);
  std::vector<absl::Status> errors(n);
  {
    std::vector<DocumentScanner> scanners;
    scanners.reserve(workers);
    for (int w = 0; w < workers; ++w) scanners.emplace_back(options);
    report("fingerprinting", n);
    base::ParallelFor(n, workers, [&](size_t i, int w) {
      errors[i] = scanners[w].Fingerprints(texts[i], &prints[i], &word_counts[i]);
      tick("fingerprinting", n, w);
    });
  }
  for (size_t i = 0; i < n; ++i) {
    if (!errors[i].ok()) return Annotate(errors[i], absl::StrCat("document ", i));
  }
  size_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    total += prints[i].size();
    result.stats.words += word_counts[i];
  }
  std::vector<Posting> postings;
  postings.reserve(total);
  for (size_t i = 0; i < n; ++i) {
    for (const Fingerprint& f : prints[i]) {
      if (f.word > kMaxWordIndex) break;
      postings.push_back({f.hash, static_cast<uint32_t>(i), (f.word << 8) | f.extent});
    }
    std::vector<Fingerprint>().swap(prints[i]);
  }
  result.stats.fingerprints = postings.size();
  lap(&result.stats.fingerprint_seconds);
  SortPostings(&postings, workers);

  // 2. Anchor pairs and boilerplate.
  report("matching fingerprints", 0);
  Anchors anchors = ReadPostings(postings, options);
  std::vector<Posting>().swap(postings);
  base::ParallelSort(&anchors.pairs, workers, AnchorPairLess);
  result.stats.anchor_pairs = anchors.pairs.size();
  lap(&result.stats.posting_seconds);

  // 3. Chains, and the words of the documents that take part. Most pairs
  // share a k-gram or two by chance; only a chain of min_chain_anchors
  // anchors over half of min_words words is worth an alignment.
  struct PairTask {
    size_t begin, end;  // anchors.pairs[begin, end)
    std::vector<std::vector<Anchor>> chains;
  };
  std::vector<PairTask> tasks;
  for (size_t t0 = 0, t1; t0 < anchors.pairs.size(); t0 = t1) {
    t1 = t0 + 1;
    while (t1 < anchors.pairs.size() && anchors.pairs[t1].a_doc == anchors.pairs[t0].a_doc &&
           anchors.pairs[t1].b_doc == anchors.pairs[t0].b_doc) {
      ++t1;
    }
    if (t1 - t0 >= static_cast<size_t>(options.min_chain_anchors)) tasks.push_back({t0, t1, {}});
  }
  const auto min_anchors = static_cast<size_t>(options.min_chain_anchors);
  const auto min_extent = static_cast<uint32_t>((options.min_words + 1) / 2);
  base::ParallelFor(tasks.size(), workers, [&](size_t t, int) {
    PairTask& task = tasks[t];
    std::vector<Anchor> at;
    at.reserve(task.end - task.begin);
    for (size_t i = task.begin; i < task.end; ++i) at.push_back(anchors.pairs[i].at);
    for (auto& chain : ChainAnchors(at, options.max_gap_words, options.band_words)) {
      // A k-gram reaches a word or two past the word it starts in.
      if (chain.size() >= min_anchors && chain.back().a + 2 - chain.front().a >= min_extent) {
        task.chains.push_back(std::move(chain));
      }
    }
  });
  std::erase_if(tasks, [](const PairTask& t) { return t.chains.empty(); });
  result.stats.doc_pairs = tasks.size();
  std::vector<char> involved(n, 0);
  for (const PairTask& t : tasks) {
    involved[anchors.pairs[t.begin].a_doc] = involved[anchors.pairs[t.begin].b_doc] = 1;
  }
  for (const WordRange& r : anchors.boilerplate_spans) involved[r.doc] = 1;
  std::vector<uint32_t> docs;
  for (uint32_t i = 0; i < n; ++i) {
    if (involved[i]) docs.push_back(i);
  }
  std::vector<DocWords> words(n);
  {
    std::vector<DocumentScanner> scanners;
    scanners.reserve(workers);
    for (int w = 0; w < workers; ++w) scanners.emplace_back(options);
    base::ParallelFor(docs.size(), workers, [&](size_t k, int w) {
      errors[docs[k]] = scanners[w].Words(texts[docs[k]], &words[docs[k]]);
    });
  }
  for (uint32_t d : docs) {
    if (!errors[d].ok()) return Annotate(errors[d], absl::StrCat("document ", d));
  }
  for (size_t i = 0; i < anchors.boilerplate.size(); ++i) {
    const WordRange& r = anchors.boilerplate_spans[i];
    Boilerplate& b = anchors.boilerplate[i];
    b.example = {r.doc, SpanOf(words[r.doc], r.begin, r.end), r.end - r.begin};
  }
  for (const WordRange& r : anchors.masked) {
    if (involved[r.doc]) MaskWords(r.doc, r, &words[r.doc]);
  }

  lap(&result.stats.words_seconds);

  // 4. Chains and alignments, one document pair at a time.
  std::vector<std::vector<PassageMatch>> per_task(tasks.size());
  std::vector<Aligner> aligners(workers);
  std::vector<PassageStats> stats(workers);
  items_done = 0;
  report("aligning document pairs", tasks.size());
  base::ParallelFor(tasks.size(), workers, [&](size_t t, int w) {
    const AnchorPair& first = anchors.pairs[tasks[t].begin];
    PairContext pair{first.a_doc, first.b_doc, &words[first.a_doc], &words[first.b_doc],
                     texts[first.a_doc], texts[first.b_doc]};
    MatchPair(pair, std::move(tasks[t].chains), options, &aligners[w], &stats[w], &per_task[t]);
    tick("aligning document pairs", tasks.size(), w);
  });
  for (const PassageStats& s : stats) {
    result.stats.chains += s.chains;
    result.stats.cells += s.cells;
  }
  for (auto& matches : per_task) {
    for (PassageMatch& m : matches) result.matches.push_back(std::move(m));
  }
  result.boilerplate = std::move(anchors.boilerplate);
  lap(&result.stats.align_seconds);
  std::stable_sort(result.boilerplate.begin(), result.boilerplate.end(),
                   [](const Boilerplate& x, const Boilerplate& y) {
                     return x.documents > y.documents;
                   });
  return result;
}

}  // namespace dubare
