// Copyright 2026 The Dubare Authors.

#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dubare/sketch.h"

namespace dubare {

double SetOverlap::jaccard() const {
  const size_t uni = a_size + b_size - intersection;
  return uni == 0 ? 1.0 : static_cast<double>(intersection) / static_cast<double>(uni);
}
double SetOverlap::containment_a() const {
  return a_size == 0 ? 0.0 : static_cast<double>(intersection) / static_cast<double>(a_size);
}
double SetOverlap::containment_b() const {
  return b_size == 0 ? 0.0 : static_cast<double>(intersection) / static_cast<double>(b_size);
}

SetOverlap ExactOverlap(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b) {
  SetOverlap r;
  r.a_size = a.size();
  r.b_size = b.size();
  size_t i = 0, j = 0, common = 0;
  // Branch-free merge: both indices advance by comparison results.
  while (i < a.size() && j < b.size()) {
    const uint64_t x = a[i], y = b[j];
    common += x == y;
    i += x <= y;
    j += y <= x;
  }
  r.intersection = common;
  return r;
}

std::string EncodeValues(absl::Span<const uint32_t> values) {
  std::string out(values.size() * 4, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    const uint32_t v = values[i];
    out[4 * i] = static_cast<char>(v);
    out[4 * i + 1] = static_cast<char>(v >> 8);
    out[4 * i + 2] = static_cast<char>(v >> 16);
    out[4 * i + 3] = static_cast<char>(v >> 24);
  }
  return out;
}

absl::StatusOr<std::vector<uint32_t>> DecodeValues(absl::string_view bytes,
                                                   size_t expected_count) {
  if (bytes.size() != expected_count * 4) {
    return absl::InvalidArgumentError(absl::StrCat("encoded signature has ", bytes.size(),
                                                   " bytes; expected ", expected_count * 4,
                                                   " (", expected_count, " values)"));
  }
  std::vector<uint32_t> values(expected_count);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  for (size_t i = 0; i < expected_count; ++i, p += 4) {
    values[i] = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
  }
  return values;
}

}  // namespace dubare
