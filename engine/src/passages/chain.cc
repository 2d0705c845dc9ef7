// Copyright 2026 The Dubare Authors.

#include "passages/chain.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace dubare::passages_internal {

std::vector<std::vector<Anchor>> ChainAnchors(absl::Span<const Anchor> anchors, int max_gap,
                                              int max_drift) {
  std::vector<std::vector<Anchor>> chains;
  std::vector<size_t> open;  // indices into chains
  for (const Anchor& x : anchors) {
    size_t best = chains.size();
    int64_t best_drift = std::numeric_limits<int64_t>::max();
    size_t kept = 0;
    for (size_t k = 0; k < open.size(); ++k) {
      const Anchor& last = chains[open[k]].back();
      const int64_t da = int64_t{x.a} - last.a;
      if (da > max_gap) continue;  // too far behind: closed for good
      open[kept++] = open[k];
      const int64_t db = int64_t{x.b} - last.b;
      if (db < 0 || db > max_gap) continue;
      const int64_t drift = std::abs(db - da);
      if (drift <= max_drift && drift < best_drift) {
        best_drift = drift;
        best = open[kept - 1];
      }
    }
    open.resize(kept);
    if (best == chains.size()) {
      chains.emplace_back();
      open.push_back(best);
    }
    chains[best].push_back(x);
  }
  return chains;
}

Region RegionAround(absl::Span<const Anchor> chain, uint32_t a_words, uint32_t b_words,
                    int margin, int half_width, bool same_doc) {
  // Knots: per distinct A position, the lowest and highest B position.
  struct Knot {
    int64_t a, lo, hi;
  };
  std::vector<Knot> knots;
  for (const Anchor& x : chain) {
    if (!knots.empty() && knots.back().a == x.a) {
      knots.back().lo = std::min<int64_t>(knots.back().lo, x.b);
      knots.back().hi = std::max<int64_t>(knots.back().hi, x.b);
    } else {
      knots.push_back({x.a, x.b, x.b});
    }
  }
  Region r;
  r.a_begin = static_cast<uint32_t>(std::max<int64_t>(0, knots.front().a - margin));
  r.a_end = static_cast<uint32_t>(std::min<int64_t>(a_words, knots.back().a + margin));
  const size_t rows = r.a_end - r.a_begin + 1;
  std::vector<int64_t> lo(rows), hi(rows);
  size_t k = 0;
  int64_t b_min = std::numeric_limits<int64_t>::max(), b_max = -1;
  for (size_t i = 0; i < rows; ++i) {
    const int64_t x = r.a_begin + i;
    while (k + 1 < knots.size() && knots[k + 1].a <= x) ++k;
    int64_t l, h;
    if (x <= knots.front().a) {
      l = knots.front().lo + (x - knots.front().a);
      h = knots.front().hi + (x - knots.front().a);
    } else if (k + 1 == knots.size()) {
      l = knots.back().lo + (x - knots.back().a);
      h = knots.back().hi + (x - knots.back().a);
    } else {
      const Knot& p = knots[k];
      const Knot& q = knots[k + 1];
      const int64_t span = q.a - p.a, t = x - p.a;
      l = p.lo + (q.lo - p.lo) * t / span;
      h = p.hi + ((q.hi - p.hi) * t + span - 1) / span;
    }
    l -= half_width;
    h += half_width;
    if (same_doc) l = std::max(l, x + 1);
    l = std::max<int64_t>(l, 0);
    h = std::min<int64_t>(h, b_words);
    lo[i] = l;
    hi[i] = h;
    if (l <= h) {
      b_min = std::min(b_min, l);
      b_max = std::max(b_max, h);
    }
  }
  if (b_max < 0) {  // nothing to align (same_doc at the end of the document)
    r.b_begin = r.b_end = 0;
    r.band.lo.assign(rows, 1);
    r.band.hi.assign(rows, 0);
    return r;
  }
  r.b_begin = static_cast<uint32_t>(b_min);
  r.b_end = static_cast<uint32_t>(b_max);
  r.band.lo.resize(rows);
  r.band.hi.resize(rows);
  for (size_t i = 0; i < rows; ++i) {
    if (lo[i] <= hi[i]) {
      r.band.lo[i] = static_cast<uint32_t>(lo[i] - b_min);
      r.band.hi[i] = static_cast<uint32_t>(hi[i] - b_min);
    } else {
      r.band.lo[i] = 1;
      r.band.hi[i] = 0;
    }
  }
  return r;
}

}  // namespace dubare::passages_internal
