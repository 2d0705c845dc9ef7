// Copyright 2026 The Dubare Authors.

#include "passages/evaluate.h"

#include <algorithm>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace dubare::passages_internal {
namespace {

uint32_t Overlap(ByteSpan x, ByteSpan y) {
  const uint32_t lo = std::max(x.begin, y.begin), hi = std::min(x.end, y.end);
  return hi > lo ? hi - lo : 0;
}

// Part of one side of a match, in the coordinates of a source text.
struct SourcePiece {
  uint32_t source_doc;
  double begin, end;
};

// The pieces of `side` that lie in planted spans, mapped to source
// coordinates (a copy maps linearly onto its source), and how many of the
// side's bytes lie in planted spans.
std::vector<SourcePiece> ToSource(absl::Span<const TruthPassage> truth, const PassageSpan& side,
                                  uint32_t* covered) {
  std::vector<SourcePiece> pieces;
  std::vector<ByteSpan> hits;
  for (const TruthPassage& t : truth) {
    if (t.source_doc == side.doc && Overlap(t.source, side.bytes) > 0) {
      const ByteSpan s{std::max(t.source.begin, side.bytes.begin),
                       std::min(t.source.end, side.bytes.end)};
      pieces.push_back({t.source_doc, double(s.begin), double(s.end)});
      hits.push_back(s);
    }
    if (t.copy_doc == side.doc && Overlap(t.copy, side.bytes) > 0) {
      const ByteSpan s{std::max(t.copy.begin, side.bytes.begin),
                       std::min(t.copy.end, side.bytes.end)};
      const double scale = double(t.source.size()) / std::max<uint32_t>(1, t.copy.size());
      pieces.push_back({t.source_doc, t.source.begin + (s.begin - t.copy.begin) * scale,
                        t.source.begin + (s.end - t.copy.begin) * scale});
      hits.push_back(s);
    }
  }
  // Bytes of the side in the union of the planted spans.
  std::sort(hits.begin(), hits.end(),
            [](const ByteSpan& x, const ByteSpan& y) { return x.begin < y.begin; });
  *covered = 0;
  uint32_t reach = 0;
  for (const ByteSpan& h : hits) {
    const uint32_t from = std::max(h.begin, reach);
    if (h.end > from) *covered += h.end - from;
    reach = std::max(reach, h.end);
  }
  return pieces;
}

}  // namespace

PassageScore ScorePassages(absl::Span<const TruthPassage> truth,
                           absl::Span<const PassageMatch> matches, double min_overlap) {
  PassageScore score;
  score.truth = truth.size();
  score.reported = matches.size();
  for (const TruthPassage& t : truth) {
    auto covers = [&](const PassageSpan& side, uint32_t doc, ByteSpan span) {
      return side.doc == doc && Overlap(side.bytes, span) >= min_overlap * span.size();
    };
    for (const PassageMatch& m : matches) {
      if ((covers(m.a, t.source_doc, t.source) && covers(m.b, t.copy_doc, t.copy)) ||
          (covers(m.b, t.source_doc, t.source) && covers(m.a, t.copy_doc, t.copy))) {
        ++score.found;
        break;
      }
    }
  }
  for (const PassageMatch& m : matches) {
    uint32_t covered_a, covered_b;
    const auto pa = ToSource(truth, m.a, &covered_a);
    const auto pb = ToSource(truth, m.b, &covered_b);
    if (covered_a < min_overlap * m.a.bytes.size() || covered_b < min_overlap * m.b.bytes.size()) {
      continue;
    }
    bool same = false;
    for (const SourcePiece& x : pa) {
      for (const SourcePiece& y : pb) {
        same = same || (x.source_doc == y.source_doc && x.begin < y.end && y.begin < x.end);
      }
    }
    score.correct += same;
  }
  return score;
}

void EditPassage(std::string* text, ByteSpan* span, uint64_t seed, const EditRates& rates) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> chance(0, 1);
  const std::string passage = text->substr(span->begin, span->size());
  std::vector<std::string> words = absl::StrSplit(passage, ' ', absl::SkipEmpty());
  // Replacement words come from the rest of the text.
  std::vector<std::string> others =
      absl::StrSplit(text->substr(0, span->begin) + " " + text->substr(span->end), ' ',
                     absl::SkipEmpty());
  std::erase_if(others, [](const std::string& w) { return absl::StrContains(w, "\n"); });
  if (others.empty()) others = words;
  auto other = [&] { return others[rng() % others.size()]; };
  static const char* const kPrefixes[] = {"لە", "بە", "و"};
  std::vector<std::string> out;
  for (size_t i = 0; i < words.size(); ++i) {
    std::string w = words[i];
    const bool edge = i == 0 || i + 1 == words.size();  // keep the span's ends recognizable
    const double r = chance(rng);
    if (!edge && r < rates.remove) continue;
    if (!edge && r < rates.remove + rates.substitute) w = other();
    // A prefix written apart joins its word, and a joined one splits off.
    for (const char* prefix : kPrefixes) {
      if (w == prefix && i + 1 < words.size() && chance(rng) < rates.compound) {
        w += words[++i];
        break;
      }
      if (w.size() > 2 * std::string(prefix).size() && absl::StartsWith(w, prefix) &&
          chance(rng) < rates.compound / 8) {
        w = absl::StrCat(w.substr(0, std::string(prefix).size()), " ",
                         w.substr(std::string(prefix).size()));
        break;
      }
    }
    if ((absl::EndsWith(w, ".") || absl::EndsWith(w, "،")) && !edge &&
        chance(rng) < rates.paragraph) {
      w += "\n\n";
    }
    out.push_back(w);
    if (!edge && chance(rng) < rates.insert) out.push_back(other());
  }
  std::string edited = absl::StrJoin(out, " ");
  absl::StrReplaceAll({{"\n\n ", "\n\n"}}, &edited);
  text->replace(span->begin, span->size(), edited);
  span->end = span->begin + static_cast<uint32_t>(edited.size());
}

}  // namespace dubare::passages_internal
