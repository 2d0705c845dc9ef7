// Copyright 2026 The Dubare Authors.

#include "dubare/lsh.h"

#define XXH_INLINE_ALL  // BandKeys: XXH3 compiled for a known length
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <iterator>
#include <limits>
#include <type_traits>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/parallel.h"
#include "dubare/status.h"
#include "lsh/key_groups.h"

namespace dubare {
namespace {

static_assert(std::endian::native == std::endian::little,
              "BandKey hashes the in-memory bytes of uint32 values as little-endian");

// Adaptive Simpson on [a, b]; deterministic (fixed recursion order).
template <typename F>
double AdaptiveSimpson(const F& f, double a, double b, double fa, double fm, double fb,
                       double whole, double tolerance, int depth) {
  const double m = 0.5 * (a + b);
  const double lm = 0.5 * (a + m), rm = 0.5 * (m + b);
  const double flm = f(lm), frm = f(rm);
  const double left = (m - a) / 6 * (fa + 4 * flm + fm);
  const double right = (b - m) / 6 * (fm + 4 * frm + fb);
  const double delta = left + right - whole;
  if (depth <= 0 || std::fabs(delta) <= 15 * tolerance) return left + right + delta / 15;
  return AdaptiveSimpson(f, a, m, fa, flm, fm, left, tolerance / 2, depth - 1) +
         AdaptiveSimpson(f, m, b, fm, frm, fb, right, tolerance / 2, depth - 1);
}

// ∫_a^b f, starting from 16 panels so that a steep sigmoid is not missed.
template <typename F>
double Integrate(const F& f, double a, double b) {
  constexpr int kPanels = 16;
  constexpr double kTolerance = 1e-10;
  double sum = 0;
  const double h = (b - a) / kPanels;
  for (int i = 0; i < kPanels; ++i) {
    const double lo = a + i * h, hi = (i + 1 == kPanels) ? b : lo + h;
    const double flo = f(lo), fhi = f(hi), fmid = f(0.5 * (lo + hi));
    const double whole = (hi - lo) / 6 * (flo + 4 * fmid + fhi);
    sum += AdaptiveSimpson(f, lo, hi, flo, fmid, fhi, whole, kTolerance / kPanels, 40);
  }
  return sum;
}

void Append(std::vector<uint64_t>* out, uint32_t a, uint32_t b) {
  out->push_back(uint64_t{a} << 32 | b);
}

// Emits the pairs of one bucket of ascending document indices: all pairs, or
// a star around the first member when the bucket is over the cap. `accept`
// filters pairs (SimHash distance check).
template <typename Accept>
void EmitBucket(absl::Span<const uint32_t> docs, uint32_t cap, const Accept& accept,
                std::vector<uint64_t>* out, CandidateStats* stats) {
  ++stats->buckets;
  if (docs.size() > cap) {
    ++stats->capped_buckets;
    for (size_t j = 1; j < docs.size(); ++j) {
      if (accept(docs[0], docs[j])) Append(out, docs[0], docs[j]);
    }
    stats->raw_pairs += docs.size() - 1;
    return;
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    for (size_t j = i + 1; j < docs.size(); ++j) {
      if (accept(docs[i], docs[j])) Append(out, docs[i], docs[j]);
    }
  }
  stats->raw_pairs += docs.size() * (docs.size() - 1) / 2;
}

using lsh_internal::KeyDoc;

// A worker's buffers, sized once and reused for every table it groups.
struct TableBuffers {
  std::vector<KeyDoc> tuples;  // one table's (key, document), filled by the caller
  std::vector<KeyDoc> spare;
  std::vector<uint32_t> counts;
  std::vector<uint32_t> multi;
  lsh_internal::KeyGroups groups;
  std::vector<uint32_t> by_size;
  std::vector<uint64_t> pair_scratch;
};

// Groups the tuples of one table by key and calls emit(docs) for every
// bucket of two or more documents, in ascending document order.
template <typename Emit>
void ForEachBucket(TableBuffers* b, const Emit& emit) {
  lsh_internal::GroupByKey(b->tuples, &b->spare, &b->counts, &b->multi, &b->groups);
  const std::vector<uint32_t>& docs = b->groups.docs;
  uint32_t begin = 0;
  for (const uint32_t end : b->groups.ends) {
    emit(absl::Span<const uint32_t>(docs.data() + begin, end - begin));
    begin = end;
  }
}

// Runs table(t, buffers, out, stats) for t in [0, num_tables) on `threads`
// workers and returns the union of their pairs (of documents under
// num_docs), sorted and unique.
template <typename Table>
std::vector<CandidatePair> RunTables(size_t num_tables, uint32_t num_docs, int threads,
                                     const Table& table, CandidateStats* stats) {
  const int workers = std::min<int>(base::ResolveThreads(threads), std::max<size_t>(num_tables, 1));
  std::vector<std::vector<uint64_t>> pairs(workers);
  std::vector<CandidateStats> worker_stats(workers);
  std::vector<TableBuffers> buffers(workers);
  std::vector<size_t> unique_size(workers, 0);
  base::ParallelFor(
      num_tables, workers,
      [&](size_t t, int w) {
        table(t, &buffers[w], &pairs[w], &worker_stats[w]);
        // Repeats across tables are common (a near-duplicate pair shares many
        // bands); dropping them bounds the memory. Doing it when the buffer
        // has doubled, not after every table, keeps the sorting linear in
        // the pairs emitted instead of tables × pairs.
        std::vector<uint64_t>& p = pairs[w];
        if (p.size() > 2 * unique_size[w] + (size_t{1} << 16)) {
          lsh_internal::SortUniquePairs(&p, num_docs, &buffers[w].pair_scratch, &buffers[w].counts);
          unique_size[w] = p.size();
        }
      },
      /*grain=*/1);
  base::ParallelFor(
      workers, workers,
      [&](size_t w, int) {
        lsh_internal::SortUniquePairs(&pairs[w], num_docs, &buffers[w].pair_scratch,
                                      &buffers[w].counts);
      },
      /*grain=*/1);
  std::vector<uint64_t> all = std::move(pairs[0]);
  for (int w = 1; w < workers; ++w) {
    std::vector<uint64_t> both;
    both.reserve(all.size() + pairs[w].size());
    std::set_union(all.begin(), all.end(), pairs[w].begin(), pairs[w].end(),
                   std::back_inserter(both));
    all.swap(both);
    std::vector<uint64_t>().swap(pairs[w]);
  }

  CandidateStats total;
  for (const CandidateStats& s : worker_stats) {
    total.buckets += s.buckets;
    total.capped_buckets += s.capped_buckets;
    total.raw_pairs += s.raw_pairs;
  }
  if (stats != nullptr) *stats = total;

  std::vector<CandidatePair> result(all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    result[i] = {static_cast<uint32_t>(all[i] >> 32), static_cast<uint32_t>(all[i])};
  }
  return result;
}

}  // namespace

// ---- Parameters ------------------------------------------------------------

absl::Status LshParams::Validate(uint32_t num_perm) const {
  if (band_key_version != kBandKeyVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("LSH band key version ", band_key_version, " is not supported (this build: ",
                     kBandKeyVersion, ")"));
  }
  if (bands < 1 || rows < 1 || uint64_t{bands} * rows > num_perm) {
    return absl::InvalidArgumentError(absl::StrCat("LSH bands=", bands, " rows=", rows,
                                                   ": need bands, rows >= 1 and bands * rows <= ",
                                                   num_perm, " (the number of permutations)"));
  }
  return absl::OkStatus();
}

std::string LshParams::ToString() const {
  return absl::StrCat("lsh", band_key_version, " bands=", bands, " rows=", rows, " seed=", seed);
}

absl::StatusOr<LshParams> LshParams::Parse(absl::string_view text) {
  std::vector<absl::string_view> fields = absl::StrSplit(text, ' ', absl::SkipEmpty());
  auto bad = [&] { return absl::InvalidArgumentError(absl::StrCat("bad LSH parameters '", text, "'")); };
  if (fields.size() != 4) return bad();
  LshParams p;
  absl::string_view version = fields[0];
  if (!absl::ConsumePrefix(&version, "lsh") || !absl::SimpleAtoi(version, &p.band_key_version)) {
    return bad();
  }
  absl::string_view v;
  if (v = fields[1]; !absl::ConsumePrefix(&v, "bands=") || !absl::SimpleAtoi(v, &p.bands)) {
    return bad();
  }
  if (v = fields[2]; !absl::ConsumePrefix(&v, "rows=") || !absl::SimpleAtoi(v, &p.rows)) {
    return bad();
  }
  if (v = fields[3]; !absl::ConsumePrefix(&v, "seed=") || !absl::SimpleAtoi(v, &p.seed)) {
    return bad();
  }
  return p;
}

namespace {

// x^n by squaring: the chooser evaluates the S-curve some 10^5 times, and
// std::pow's general path made it 15 ms, paid before every run.
double IntPow(double x, uint32_t n) {
  double result = 1.0;
  while (n != 0) {
    if (n & 1) result *= x;
    x *= x;
    n >>= 1;
  }
  return result;
}

}  // namespace

double CandidateProbability(double s, uint32_t bands, uint32_t rows) {
  return 1.0 - IntPow(1.0 - IntPow(s, rows), bands);
}

double FalsePositiveArea(double threshold, uint32_t bands, uint32_t rows) {
  return Integrate([=](double s) { return CandidateProbability(s, bands, rows); }, 0.0,
                   threshold);
}

double FalseNegativeArea(double threshold, uint32_t bands, uint32_t rows) {
  return Integrate([=](double s) { return 1.0 - CandidateProbability(s, bands, rows); },
                   threshold, 1.0);
}

absl::StatusOr<LshParams> OptimalLshParams(double threshold, uint32_t num_perm,
                                           const LshWeights& weights) {
  if (!(threshold > 0 && threshold < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("LSH threshold ", threshold, " is not in (0, 1)"));
  }
  if (num_perm < 1) return absl::InvalidArgumentError("LSH needs at least one permutation");
  if (!(weights.false_positive >= 0 && weights.false_negative >= 0) ||
      weights.false_positive + weights.false_negative <= 0) {
    return absl::InvalidArgumentError("LSH error weights must be >= 0 and not both 0");
  }
  // Screen every layout on a fixed midpoint grid (for one row count the
  // powers (1 - s^r)^b follow from b - 1 by one product per point), then
  // integrate adaptively only the layouts within a wide margin of the best
  // screened error. The adaptive search over all layouts (~700 for K = 128)
  // took 3 ms of every run's start; the test compares both on a grid of
  // thresholds and sizes.
  constexpr int kGrid = 256;
  const double fp_step = threshold / kGrid, fn_step = (1 - threshold) / kGrid;
  std::vector<double> left(kGrid), right(kGrid), miss_left(kGrid), miss_right(kGrid);
  std::vector<std::vector<double>> by_rows(num_perm + 1);
  for (uint32_t r = 1; r <= num_perm; ++r) {
    for (int i = 0; i < kGrid; ++i) {
      left[i] = 1 - IntPow((i + 0.5) * fp_step, r);
      right[i] = 1 - IntPow(threshold + (i + 0.5) * fn_step, r);
      miss_left[i] = 1;
      miss_right[i] = 1;
    }
    std::vector<double>& errors = by_rows[r];
    errors.resize(num_perm / r + 1);
    for (uint32_t b = 1; b <= num_perm / r; ++b) {
      double fp = 0, fn = 0;
      for (int i = 0; i < kGrid; ++i) {
        miss_left[i] *= left[i];
        miss_right[i] *= right[i];
        fp += 1 - miss_left[i];
        fn += miss_right[i];
      }
      errors[b] = weights.false_positive * fp * fp_step + weights.false_negative * fn * fn_step;
    }
  }
  double best_screened = std::numeric_limits<double>::infinity();
  for (uint32_t r = 1; r <= num_perm; ++r) {
    for (uint32_t b = 1; b <= num_perm / r; ++b) {
      best_screened = std::min(best_screened, by_rows[r][b]);
    }
  }
  // The midpoint rule's error on these sigmoids is far under this margin
  // for any layout near the optimum.
  const double margin = 0.25 * best_screened + 1e-4;
  LshParams best;
  double best_error = std::numeric_limits<double>::infinity();
  for (uint32_t b = 1; b <= num_perm; ++b) {
    for (uint32_t r = 1; r <= num_perm / b; ++r) {
      if (by_rows[r][b] > best_screened + margin) continue;
      const double error = weights.false_positive * FalsePositiveArea(threshold, b, r) +
                           weights.false_negative * FalseNegativeArea(threshold, b, r);
      if (error < best_error) {
        best_error = error;
        best.bands = b;
        best.rows = r;
      }
    }
  }
  return best;
}

absl::StatusOr<LshParams> ChooseLshParams(double threshold, uint32_t num_perm, LshParams given) {
  if ((given.bands == 0) != (given.rows == 0)) {
    return absl::InvalidArgumentError("give both LSH bands and rows, or neither");
  }
  if (given.bands == 0) {
    DUBARE_ASSIGN_OR_RETURN(const LshParams chosen, OptimalLshParams(threshold, num_perm));
    given.bands = chosen.bands;
    given.rows = chosen.rows;
  }
  DUBARE_RETURN_IF_ERROR(given.Validate(num_perm));
  return given;
}

// ---- Band keys -------------------------------------------------------------

namespace {

// BandKey of a signature's `band`, with the row count known to the compiler
// when kRows > 0: XXH3 inlined for one length runs one branch of its code,
// ~3x the library call. kRows = 0 takes params.rows at run time.
template <uint32_t kRows>
uint64_t BandKeyOfRows(const uint32_t* signature, uint32_t band, const LshParams& params) {
  const size_t rows = kRows > 0 ? kRows : params.rows;
  return XXH3_64bits_withSeed(signature + band * rows, rows * sizeof(uint32_t),
                              params.seed + band);
}

// fn(std::integral_constant<uint32_t, R>()) with R = rows for the common
// row counts 1-4, else R = 0 (BandKeyOfRows' run-time length).
template <typename Fn>
decltype(auto) WithRows(uint32_t rows, Fn&& fn) {
  switch (rows) {
    case 1: return fn(std::integral_constant<uint32_t, 1>());
    case 2: return fn(std::integral_constant<uint32_t, 2>());
    case 3: return fn(std::integral_constant<uint32_t, 3>());
    case 4: return fn(std::integral_constant<uint32_t, 4>());
    default: return fn(std::integral_constant<uint32_t, 0>());
  }
}

}  // namespace

uint64_t BandKey(absl::Span<const uint32_t> signature, uint32_t band, const LshParams& params) {
  return BandKeyOfRows<0>(signature.data(), band, params);
}

void BandKeys(absl::Span<const uint32_t> signature, const LshParams& params,
              absl::Span<uint64_t> out) {
  WithRows(params.rows, [&](auto rows) {
    for (uint32_t band = 0; band < params.bands; ++band) {
      out[band] = BandKeyOfRows<decltype(rows)::value>(signature.data(), band, params);
    }
  });
}

std::vector<uint64_t> ComputeBandKeys(absl::Span<const uint32_t> signatures, uint32_t num_perm,
                                      const LshParams& params, int threads) {
  const size_t n = num_perm == 0 ? 0 : signatures.size() / num_perm;
  std::vector<uint64_t> keys(n * params.bands);
  base::ParallelRanges(n, base::ResolveThreads(threads), 1024, [&](size_t begin, size_t end, int) {
    for (size_t d = begin; d < end; ++d) {
      BandKeys(signatures.subspan(d * num_perm, num_perm), params,
               absl::MakeSpan(keys).subspan(d * params.bands, params.bands));
    }
  });
  return keys;
}

std::vector<uint64_t> ComputeBandKeys(absl::Span<const uint32_t> signatures, uint32_t num_perm,
                                      absl::Span<const uint32_t> docs, const LshParams& params,
                                      int threads) {
  std::vector<uint64_t> keys(docs.size() * params.bands);
  ComputeBandKeys(signatures, num_perm, docs, params, threads, absl::MakeSpan(keys));
  return keys;
}

void ComputeBandKeys(absl::Span<const uint32_t> signatures, uint32_t num_perm,
                     absl::Span<const uint32_t> docs, const LshParams& params, int threads,
                     absl::Span<uint64_t> out) {
  base::ParallelRanges(docs.size(), base::ResolveThreads(threads), 1024,
                       [&](size_t begin, size_t end, int) {
                         for (size_t i = begin; i < end; ++i) {
                           BandKeys(signatures.subspan(size_t{docs[i]} * num_perm, num_perm),
                                    params, out.subspan(i * params.bands, params.bands));
                         }
                       });
}

// ---- Candidate generation --------------------------------------------------

namespace {

// FindCandidates for keys given by key_of(document, band), computed as each
// band's table is filled.
template <typename KeyOf>
std::vector<CandidatePair> FindCandidatesImpl(size_t num_docs, uint32_t bands, const KeyOf& key_of,
                                              const CandidateOptions& options,
                                              CandidateStats* stats) {
  const absl::Span<const uint32_t> sizes = options.sizes;
  const double ratio = options.max_size_ratio;
  auto accept_all = [](uint32_t, uint32_t) { return true; };
  auto size_differs = [&](uint32_t a, uint32_t b) {
    const uint32_t small = std::min(sizes[a], sizes[b]), large = std::max(sizes[a], sizes[b]);
    return small <= ratio * large;
  };
  // With sizes, documents enter the tables renumbered by size (ties by
  // index), so a bucket's members come out of GroupByKey smallest first, and
  // each is paired only with the members large enough for it (found by
  // binary search with size_differs' own test): the work is the pairs kept,
  // not the bucket's square, which matters for 2-row bands where texts on
  // one subject meet.
  std::vector<uint32_t> by_size, rank;  // by_size[r]: the document of size rank r
  if (!sizes.empty()) {
    by_size.resize(num_docs);
    for (uint32_t d = 0; d < num_docs; ++d) by_size[d] = d;
    std::sort(by_size.begin(), by_size.end(), [&](uint32_t x, uint32_t y) {
      return sizes[x] != sizes[y] ? sizes[x] < sizes[y] : x < y;
    });
    rank.resize(num_docs);
    for (uint32_t r = 0; r < num_docs; ++r) rank[by_size[r]] = r;
  }
  auto emit_by_size = [&](absl::Span<const uint32_t> ranks, std::vector<uint64_t>* out,
                          CandidateStats* s, std::vector<uint32_t>* docs) {
    if (ranks.size() > options.max_bucket_size) {
      // Capped: the star around the first document by index, as without sizes.
      docs->clear();
      for (const uint32_t r : ranks) docs->push_back(by_size[r]);
      std::sort(docs->begin(), docs->end());
      EmitBucket(*docs, options.max_bucket_size, size_differs, out, s);
      return;
    }
    ++s->buckets;
    for (size_t i = 0; i < ranks.size(); ++i) {
      const uint32_t x = by_size[ranks[i]];
      const auto first = std::partition_point(
          ranks.begin() + i + 1, ranks.end(),
          [&](uint32_t r) { return !(sizes[x] <= ratio * sizes[by_size[r]]); });
      for (auto it = first; it != ranks.end(); ++it) {
        const uint32_t y = by_size[*it];
        Append(out, std::min(x, y), std::max(x, y));
        ++s->raw_pairs;
      }
    }
  };
  auto table = [&](size_t band, TableBuffers* b, std::vector<uint64_t>* out, CandidateStats* s) {
    b->tuples.resize(num_docs);
    if (sizes.empty()) {
      for (size_t d = 0; d < num_docs; ++d) {
        b->tuples[d] = {key_of(d, band), static_cast<uint32_t>(d)};
      }
      ForEachBucket(b, [&](absl::Span<const uint32_t> docs) {
        EmitBucket(docs, options.max_bucket_size, accept_all, out, s);
      });
    } else {
      for (size_t d = 0; d < num_docs; ++d) b->tuples[d] = {key_of(d, band), rank[d]};
      ForEachBucket(b, [&](absl::Span<const uint32_t> ranks) {
        emit_by_size(ranks, out, s, &b->by_size);
      });
    }
  };
  return RunTables(bands, static_cast<uint32_t>(num_docs), options.threads, table, stats);
}

}  // namespace

std::vector<CandidatePair> FindCandidates(absl::Span<const uint64_t> band_keys, uint32_t bands,
                                          const CandidateOptions& options,
                                          CandidateStats* stats) {
  if (bands == 0) return {};
  auto key_of = [&](size_t d, size_t band) { return band_keys[d * bands + band]; };
  return FindCandidatesImpl(band_keys.size() / bands, bands, key_of, options, stats);
}

std::vector<CandidatePair> FindCandidates(absl::Span<const uint32_t* const> signatures,
                                          const LshParams& params, const CandidateOptions& options,
                                          CandidateStats* stats) {
  if (params.bands == 0) return {};
  return WithRows(params.rows, [&](auto rows) {
    auto key_of = [&](size_t d, size_t band) {
      return BandKeyOfRows<decltype(rows)::value>(signatures[d], static_cast<uint32_t>(band),
                                                  params);
    };
    return FindCandidatesImpl(signatures.size(), params.bands, key_of, options, stats);
  });
}

std::vector<CandidatePair> FindCandidatesInTuples(std::vector<BandTuple> tuples,
                                                  const CandidateOptions& options,
                                                  CandidateStats* stats) {
  base::ParallelSort(&tuples, base::ResolveThreads(options.threads),
                     [](const BandTuple& x, const BandTuple& y) {
                       if (x.band != y.band) return x.band < y.band;
                       return x.key != y.key ? x.key < y.key : x.doc < y.doc;
                     });
  auto accept_all = [](uint32_t, uint32_t) { return true; };
  CandidateStats total;
  std::vector<uint64_t> out;
  std::vector<uint32_t> scratch;
  for (size_t i = 0; i < tuples.size();) {
    size_t j = i + 1;
    while (j < tuples.size() && tuples[j].band == tuples[i].band && tuples[j].key == tuples[i].key) {
      ++j;
    }
    if (j - i > 1) {
      scratch.clear();
      for (size_t x = i; x < j; ++x) scratch.push_back(tuples[x].doc);
      EmitBucket(scratch, options.max_bucket_size, accept_all, &out, &total);
    }
    i = j;
  }
  uint64_t num_docs = 0;  // past the last document met (0: sort instead, as for 2^32)
  for (const BandTuple& t : tuples) num_docs = std::max<uint64_t>(num_docs, uint64_t{t.doc} + 1);
  if (num_docs > UINT32_MAX) num_docs = 0;
  std::vector<BandTuple>().swap(tuples);
  std::vector<uint64_t> pair_scratch;
  std::vector<uint32_t> counts;
  lsh_internal::SortUniquePairs(&out, static_cast<uint32_t>(num_docs), &pair_scratch, &counts);
  if (stats != nullptr) *stats = total;
  std::vector<CandidatePair> result(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    result[i] = {static_cast<uint32_t>(out[i] >> 32), static_cast<uint32_t>(out[i])};
  }
  return result;
}

absl::StatusOr<std::vector<CandidatePair>> FindSimHashCandidates(
    absl::Span<const uint64_t> fingerprints, const SimHashSearchOptions& options,
    CandidateStats* stats) {
  const int k = options.max_distance;
  const int m = options.blocks == 0 ? k + 1 : options.blocks;
  if (k < 0 || k > 31) {
    return absl::InvalidArgumentError(absl::StrCat("Hamming distance ", k, " is not in [0, 31]"));
  }
  if (m < k + 1 || m > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("SimHash search with distance ", k, " needs ", k + 1, "..64 blocks, not ", m));
  }
  // Block i covers bits [start[i], start[i+1]); the first 64 % m blocks are one bit wider.
  std::vector<int> start(m + 1, 0);
  for (int i = 0; i < m; ++i) start[i + 1] = start[i] + 64 / m + (i < 64 % m ? 1 : 0);
  auto block_mask = [&](int i) {
    const int width = start[i + 1] - start[i];
    return (width == 64 ? ~uint64_t{0} : ((uint64_t{1} << width) - 1)) << start[i];
  };
  // One table per choice of m-k blocks, in lexicographic order.
  const int t = m - k;
  std::vector<uint64_t> masks;
  std::vector<int> pick(t);
  for (int i = 0; i < t; ++i) pick[i] = i;
  constexpr size_t kMaxTables = 4096;
  for (;;) {
    uint64_t mask = 0;
    for (int i : pick) mask |= block_mask(i);
    masks.push_back(mask);
    if (masks.size() > kMaxTables) {
      return absl::InvalidArgumentError(absl::StrCat("SimHash search with ", m, " blocks and distance ",
                                                     k, " needs more than ", kMaxTables, " tables"));
    }
    int i = t - 1;
    while (i >= 0 && pick[i] == m - t + i) --i;
    if (i < 0) break;
    ++pick[i];
    for (int j = i + 1; j < t; ++j) pick[j] = pick[j - 1] + 1;
  }

  auto within = [&](uint32_t a, uint32_t b) {
    return std::popcount(fingerprints[a] ^ fingerprints[b]) <= k;
  };
  auto table = [&](size_t index, TableBuffers* b, std::vector<uint64_t>* out, CandidateStats* s) {
    b->tuples.resize(fingerprints.size());
    for (size_t d = 0; d < fingerprints.size(); ++d) {
      b->tuples[d] = {fingerprints[d] & masks[index], static_cast<uint32_t>(d)};
    }
    ForEachBucket(b, [&](absl::Span<const uint32_t> docs) {
      EmitBucket(docs, options.max_bucket_size, within, out, s);
    });
  };
  return RunTables(masks.size(), static_cast<uint32_t>(fingerprints.size()), options.threads,
                   table, stats);
}

double SimHashSimilarity(uint64_t a, uint64_t b) {
  return 1.0 - std::popcount(a ^ b) / 64.0;
}

double ContainmentToJaccard(double containment, double ratio) {
  return containment * ratio / (1 + ratio - containment * ratio);
}

}  // namespace dubare
