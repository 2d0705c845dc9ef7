// Copyright 2026 The Dubare Authors.
//
// enum_names.h (private): the one way an enum gets its stable names.
//
// Each enum that appears in flags, outputs or persisted parameters lists its
// names once, in a constexpr table of (value, name) pairs; NameOf and
// ParseName read that table, so a name and its parser cannot drift apart and
// every "unknown X" message lists what is accepted.
//
//   constexpr base::EnumName<VerifyMode> kVerifyModes[] = {
//       {VerifyMode::kEstimate, "estimate"}, ...};
//   absl::string_view VerifyModeName(VerifyMode m) { return base::NameOf(m, kVerifyModes); }
//
// Thread safety: pure functions.

#ifndef DUBARE_BASE_ENUM_NAMES_H_
#define DUBARE_BASE_ENUM_NAMES_H_

#include <cstddef>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace dubare::base {

template <typename T>
using EnumName = std::pair<T, absl::string_view>;

// The name of `value`, or "?" for a value not in the table.
template <typename T, size_t N>
absl::string_view NameOf(T value, const EnumName<T> (&names)[N]) {
  for (const auto& [v, spelling] : names) {
    if (v == value) return spelling;
  }
  return "?";
}

// The value named `name`; kInvalidArgument "unknown WHAT 'NAME' (accepted:
// a, b, c)" otherwise.
template <typename T, size_t N>
absl::StatusOr<T> ParseName(absl::string_view what, absl::string_view name,
                            const EnumName<T> (&names)[N]) {
  std::string accepted;
  for (const auto& [value, spelling] : names) {
    if (name == spelling) return value;
    absl::StrAppend(&accepted, accepted.empty() ? "" : ", ", spelling);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown ", what, " '", name, "' (accepted: ", accepted, ")"));
}

}  // namespace dubare::base

#endif  // DUBARE_BASE_ENUM_NAMES_H_
