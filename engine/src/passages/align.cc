// Copyright 2026 The Dubare Authors.

#include "passages/align.h"

#include <algorithm>
#include <limits>

namespace dubare::passages_internal {
namespace {

constexpr int32_t kNone = std::numeric_limits<int32_t>::min() / 4;

// How a cell was reached; kStart means "the alignment begins here".
enum Move : uint8_t {
  kStart = 0,
  kDiagEqual,
  kDiagVariant,
  kDiagChanged,
  kJoinAEqual,  // two words of A, one of B
  kJoinAVariant,
  kJoinBEqual,  // one word of A, two of B
  kJoinBVariant,
  kUp,    // a word of A alone
  kLeft,  // a word of B alone
};

Step StepOf(uint8_t move) {
  switch (move) {
    case kDiagEqual: return {1, 1, StepKind::kEqual};
    case kDiagVariant: return {1, 1, StepKind::kVariant};
    case kDiagChanged: return {1, 1, StepKind::kChanged};
    case kJoinAEqual: return {2, 1, StepKind::kEqual};
    case kJoinAVariant: return {2, 1, StepKind::kVariant};
    case kJoinBEqual: return {1, 2, StepKind::kEqual};
    case kJoinBVariant: return {1, 2, StepKind::kVariant};
    case kUp: return {1, 0, StepKind::kChanged};
    default: return {0, 1, StepKind::kChanged};
  }
}

// The score and move of cell (i, j) given a way to read earlier cells
// (kNone outside the band). Shared by the banded and the reference version so
// that both apply one recurrence.
template <typename Get>
inline void Relax(absl::Span<const WordKey> a, absl::Span<const WordKey> b, size_t i, size_t j,
                  const AlignScores& s, Get&& get, int32_t* best, uint8_t* move) {
  int32_t h = 0;
  uint8_t m = kStart;
  auto consider = [&](int32_t prev, int delta, uint8_t mv) {
    if (prev == kNone) return;
    if (prev + delta > h) {
      h = prev + delta;
      m = mv;
    }
  };
  if (i >= 1 && j >= 1) {
    const WordKey& x = a[i - 1];
    const WordKey& y = b[j - 1];
    const int32_t d = get(i - 1, j - 1);
    if (x.exact == y.exact) {
      consider(d, s.equal, kDiagEqual);
    } else if (x.fuzzy == y.fuzzy) {
      consider(d, s.variant, kDiagVariant);
    } else {
      consider(d, s.mismatch, kDiagChanged);
    }
    if (i >= 2) {
      const WordKey& x2 = a[i - 2];
      if (x2.join == y.exact) {
        consider(get(i - 2, j - 1), s.join_equal, kJoinAEqual);
      } else if (x2.join_fuzzy == y.fuzzy) {
        consider(get(i - 2, j - 1), s.join_variant, kJoinAVariant);
      }
    }
    if (j >= 2) {
      const WordKey& y2 = b[j - 2];
      if (y2.join == x.exact) {
        consider(get(i - 1, j - 2), s.join_equal, kJoinBEqual);
      } else if (y2.join_fuzzy == x.fuzzy) {
        consider(get(i - 1, j - 2), s.join_variant, kJoinBVariant);
      }
    }
  }
  if (i >= 1) consider(get(i - 1, j), s.gap, kUp);
  if (j >= 1) consider(get(i, j - 1), s.gap, kLeft);
  *best = h;
  *move = m;
}

// Follows moves back from (i, j) and fills the alignment.
template <typename MoveAt>
void Traceback(size_t i, size_t j, int32_t score, MoveAt&& move_at, Alignment* out) {
  out->score = score;
  out->a_end = i;
  out->b_end = j;
  out->steps.clear();
  for (uint8_t m; (m = move_at(i, j)) != kStart;) {
    const Step step = StepOf(m);
    out->steps.push_back(step);
    i -= step.a;
    j -= step.b;
  }
  std::reverse(out->steps.begin(), out->steps.end());
  out->a_begin = i;
  out->b_begin = j;
}

}  // namespace

uint32_t WordsA(absl::Span<const Step> steps) {
  uint32_t n = 0;
  for (const Step& s : steps) n += s.a;
  return n;
}

uint32_t WordsB(absl::Span<const Step> steps) {
  uint32_t n = 0;
  for (const Step& s : steps) n += s.b;
  return n;
}

double Similarity(absl::Span<const Step> steps) {
  double matched = 0;
  uint32_t total = 0;
  for (const Step& s : steps) {
    total += s.a + s.b;
    if (s.kind == StepKind::kEqual) matched += s.a + s.b;
    if (s.kind == StepKind::kVariant) matched += 0.75 * (s.a + s.b);
  }
  return total == 0 ? 0.0 : matched / total;
}

int ScoreOf(absl::Span<const Step> steps, const AlignScores& scores) {
  int total = 0;
  for (const Step& s : steps) {
    const bool join = s.a + s.b == 3;
    switch (s.kind) {
      case StepKind::kEqual: total += join ? scores.join_equal : scores.equal; break;
      case StepKind::kVariant: total += join ? scores.join_variant : scores.variant; break;
      case StepKind::kChanged: total += s.a + s.b == 2 ? scores.mismatch : scores.gap; break;
    }
  }
  return total;
}

Band Band::Full(size_t rows, size_t cols) {
  Band band;
  band.lo.assign(rows + 1, 0);
  band.hi.assign(rows + 1, cols);
  return band;
}

Alignment Aligner::Align(absl::Span<const WordKey> a, absl::Span<const WordKey> b,
                         const Band& band) {
  const size_t rows = a.size() + 1;
  row_start_.resize(rows + 1);
  uint64_t total = 0;
  for (size_t i = 0; i < rows; ++i) {
    row_start_[i] = total;
    if (band.lo[i] <= band.hi[i]) total += band.hi[i] - band.lo[i] + 1;
  }
  row_start_[rows] = total;
  cells_ = total;
  h_.resize(total);
  from_.resize(total);

  const uint32_t* lo = band.lo.data();
  const uint32_t* hi = band.hi.data();
  auto get = [&](size_t i, size_t j) -> int32_t {
    if (j < lo[i] || j > hi[i]) return kNone;
    return h_[row_start_[i] + (j - lo[i])];
  };
  int32_t best = 0;
  size_t best_i = 0, best_j = 0;
  for (size_t i = 0; i < rows; ++i) {
    if (lo[i] > hi[i]) continue;
    int32_t* hrow = &h_[row_start_[i]];
    uint8_t* frow = &from_[row_start_[i]];
    for (size_t j = lo[i]; j <= hi[i]; ++j) {
      int32_t h;
      Relax(a, b, i, j, scores_, get, &h, &frow[j - lo[i]]);
      hrow[j - lo[i]] = h;
      if (h > best) {
        best = h;
        best_i = i;
        best_j = j;
      }
    }
  }
  Alignment out;
  if (best > 0) {
    Traceback(best_i, best_j, best,
              [&](size_t i, size_t j) { return from_[row_start_[i] + (j - lo[i])]; }, &out);
  }
  return out;
}

Alignment AlignReference(absl::Span<const WordKey> a, absl::Span<const WordKey> b,
                         const Band& band, const AlignScores& scores) {
  const size_t rows = a.size() + 1, cols = b.size() + 1;
  std::vector<std::vector<int32_t>> h(rows, std::vector<int32_t>(cols, kNone));
  std::vector<std::vector<uint8_t>> from(rows, std::vector<uint8_t>(cols, kStart));
  auto in_band = [&](size_t i, size_t j) { return j >= band.lo[i] && j <= band.hi[i]; };
  int32_t best = 0;
  size_t best_i = 0, best_j = 0;
  for (size_t i = 0; i < rows; ++i) {
    for (size_t j = 0; j < cols; ++j) {
      if (!in_band(i, j)) continue;
      Relax(a, b, i, j, scores, [&](size_t p, size_t q) { return h[p][q]; }, &h[i][j],
            &from[i][j]);
      if (h[i][j] > best) {
        best = h[i][j];
        best_i = i;
        best_j = j;
      }
    }
  }
  Alignment out;
  if (best > 0) {
    Traceback(best_i, best_j, best, [&](size_t i, size_t j) { return from[i][j]; }, &out);
  }
  return out;
}

}  // namespace dubare::passages_internal
