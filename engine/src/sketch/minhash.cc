// Copyright 2026 The Dubare Authors.

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dubare/sketch.h"
#include "sketch/hash_util.h"
#include "sketch/kernels.h"

namespace dubare {

using sketch_internal::ClassicTables;
using sketch_internal::Mix64;
using sketch_internal::SplitMix64;

namespace {

constexpr uint32_t kEmpty = 0xFFFFFFFFu;
constexpr uint32_t kMaxNumPerm = 1024;

// Optimal densification (Shrivastava 2017): an empty bin i takes the value of
// the first non-empty bin in its own pseudo-random probe sequence h(i, 1),
// h(i, 2), ... Two sets that share the same bins probe identically, so the
// collision probability of every bin stays exactly J; the probe sequence is
// independent per bin, which removes the variance of rotation densification.
void Densify(uint64_t probe_key, uint32_t* mins, uint32_t k) {
  // Emptiness must be judged on the original bins, not on filled ones.
  uint64_t full[kMaxNumPerm / 64] = {};
  uint32_t num_full = 0;
  for (uint32_t i = 0; i < k; ++i) {
    const bool f = mins[i] != kEmpty;
    full[i / 64] |= uint64_t{f} << (i % 64);
    num_full += f;
  }
  if (num_full == 0 || num_full == k) return;
  auto is_full = [&](uint32_t i) { return (full[i / 64] >> (i % 64)) & 1; };
  for (uint32_t i = 0; i < k; ++i) {
    if (is_full(i)) continue;
    for (uint64_t attempt = 1;; ++attempt) {
      const uint64_t y = Mix64(probe_key ^ (uint64_t{i} << 32 | attempt));
      const uint32_t j = static_cast<uint32_t>(((y >> 32) * k) >> 32);
      if (is_full(j)) {
        mins[i] = mins[j];
        break;
      }
    }
  }
}

}  // namespace

struct MinHasher::Impl {
  // Classic tables (structure of arrays).
  std::vector<uint32_t> alo, ahi, blo, bhi;
  sketch_internal::ClassicKernel kernel = nullptr;
  // One-permutation keys.
  uint64_t bin_key = 0, probe_key = 0;
};

MinHasher::MinHasher(const SketchParams& params) : params_(params), impl_(new Impl) {
  const uint32_t k = params_.num_perm;
  uint64_t state = params_.seed;
  if (params_.method == MinHashMethod::kClassic) {
    impl_->alo.resize(k);
    impl_->ahi.resize(k);
    impl_->blo.resize(k);
    impl_->bhi.resize(k);
    for (uint32_t i = 0; i < k; ++i) {
      const uint64_t a = SplitMix64(&state) | 1;
      const uint64_t b = SplitMix64(&state);
      impl_->alo[i] = static_cast<uint32_t>(a);
      impl_->ahi[i] = static_cast<uint32_t>(a >> 32);
      impl_->blo[i] = static_cast<uint32_t>(b);
      impl_->bhi[i] = static_cast<uint32_t>(b >> 32);
    }
    impl_->kernel = sketch_internal::GetClassicKernel(sketch_internal::BestIsa());
  } else {
    impl_->bin_key = SplitMix64(&state);
    impl_->probe_key = SplitMix64(&state);
  }
}

MinHasher::~MinHasher() = default;

void MinHasher::Sketch(absl::Span<const uint64_t> hashes, absl::Span<uint32_t> out) const {
  // Parameters are validated by callers; clamping keeps a misuse from overrunning.
  const uint32_t k = static_cast<uint32_t>(
      std::min<size_t>({out.size(), params_.num_perm, kMaxNumPerm}));
  std::fill(out.begin(), out.begin() + k, kEmpty);
  if (params_.method == MinHashMethod::kClassic) {
    const ClassicTables t{impl_->alo.data(), impl_->ahi.data(), impl_->blo.data(),
                          impl_->bhi.data(), k};
    impl_->kernel(t, hashes.data(), hashes.size(), out.data());
  } else {
    sketch_internal::OnePermBins(impl_->bin_key, hashes.data(), hashes.size(), k, out.data());
    Densify(impl_->probe_key, out.data(), k);
  }
}

MinHashSignature MinHasher::Sketch(absl::Span<const uint64_t> hashes) const {
  MinHashSignature sig;
  sig.params = params_;
  sig.values.resize(params_.num_perm);
  Sketch(hashes, absl::MakeSpan(sig.values));
  return sig;
}

// Compared pairwise in LSH verification, so dispatched like the kernels.
__attribute__((target_clones("avx2", "default"))) double EstimateJaccard(
    absl::Span<const uint32_t> a, absl::Span<const uint32_t> b) {
  const size_t k = std::min(a.size(), b.size());
  if (k == 0) return 0.0;
  // A 32-bit counter over raw pointers lets the compiler vectorize the count.
  const uint32_t* pa = a.data();
  const uint32_t* pb = b.data();
  uint32_t equal = 0;
  for (size_t i = 0; i < k; ++i) equal += pa[i] == pb[i] ? 1u : 0u;
  return static_cast<double>(equal) / static_cast<double>(k);
}

__attribute__((target_clones("avx2", "default"))) SignatureOverlap CompareSignatures(
    absl::Span<const uint32_t> a, absl::Span<const uint32_t> b) {
  const size_t k = std::min(a.size(), b.size());
  const uint32_t* pa = a.data();
  const uint32_t* pb = b.data();
  uint32_t equal = 0, a_lower = 0;
  for (size_t i = 0; i < k; ++i) {
    equal += pa[i] == pb[i] ? 1u : 0u;
    a_lower += pa[i] < pb[i] ? 1u : 0u;
  }
  SignatureOverlap o;
  o.equal = equal;
  o.a_lower = a_lower;
  o.b_lower = static_cast<uint32_t>(k) - equal - a_lower;
  return o;
}

double SignatureOverlap::jaccard() const {
  const uint32_t slots = equal + a_lower + b_lower;
  return slots == 0 ? 0.0 : static_cast<double>(equal) / slots;
}

double SignatureOverlap::containment_a() const {
  return equal + a_lower == 0 ? 0.0 : static_cast<double>(equal) / (equal + a_lower);
}

double SignatureOverlap::containment_b() const {
  return equal + b_lower == 0 ? 0.0 : static_cast<double>(equal) / (equal + b_lower);
}

absl::StatusOr<double> EstimateJaccard(const MinHashSignature& a, const MinHashSignature& b) {
  if (absl::Status s = a.params.CheckCompatible(b.params); !s.ok()) return s;
  if (a.values.size() != a.params.num_perm || b.values.size() != b.params.num_perm) {
    return absl::InvalidArgumentError(absl::StrCat(
        "MinHash signature has ", a.values.size(), " and ", b.values.size(),
        " values; its parameters say ", a.params.num_perm));
  }
  return EstimateJaccard(absl::MakeConstSpan(a.values), absl::MakeConstSpan(b.values));
}

}  // namespace dubare
