// Copyright 2026 The Dubare Authors.

#include "absl/strings/str_cat.h"
#include "dubare/normalize.h"

namespace dubare {
namespace {

template <typename T, size_t N>
absl::StatusOr<T> ParseName(absl::string_view what, absl::string_view name,
                            const std::pair<T, absl::string_view> (&names)[N]) {
  std::string accepted;
  for (const auto& [value, spelling] : names) {
    if (name == spelling) return value;
    absl::StrAppend(&accepted, accepted.empty() ? "" : ", ", spelling);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown ", what, " '", name, "' (accepted: ", accepted, ")"));
}

template <typename T, size_t N>
absl::string_view NameOf(T value, const std::pair<T, absl::string_view> (&names)[N]) {
  for (const auto& [v, spelling] : names) {
    if (v == value) return spelling;
  }
  return "?";
}

constexpr std::pair<NormalForm, absl::string_view> kForms[] = {
    {NormalForm::kCanonical, "canonical"}, {NormalForm::kMatchKey, "match"}};
constexpr std::pair<Script, absl::string_view> kScripts[] = {
    {Script::kAuto, "auto"}, {Script::kSorani, "sorani"}, {Script::kKurmanji, "kurmanji"}};
constexpr std::pair<InvalidUtf8Policy, absl::string_view> kPolicies[] = {
    {InvalidUtf8Policy::kError, "error"}, {InvalidUtf8Policy::kReplace, "replace"}};

}  // namespace

absl::string_view NormalFormName(NormalForm form) { return NameOf(form, kForms); }
absl::StatusOr<NormalForm> ParseNormalForm(absl::string_view name) {
  return ParseName("form", name, kForms);
}
absl::string_view ScriptName(Script script) { return NameOf(script, kScripts); }
absl::StatusOr<Script> ParseScript(absl::string_view name) {
  return ParseName("script", name, kScripts);
}
absl::string_view InvalidUtf8PolicyName(InvalidUtf8Policy policy) {
  return NameOf(policy, kPolicies);
}
absl::StatusOr<InvalidUtf8Policy> ParseInvalidUtf8Policy(absl::string_view name) {
  return ParseName("policy", name, kPolicies);
}

}  // namespace dubare
