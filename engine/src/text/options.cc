// Copyright 2026 The Dubare Authors.

#include "base/enum_names.h"
#include "dubare/normalize.h"

namespace dubare {
namespace {

using base::NameOf;
using base::ParseName;

constexpr base::EnumName<NormalForm> kForms[] = {
    {NormalForm::kCanonical, "canonical"}, {NormalForm::kMatchKey, "match"}};
constexpr base::EnumName<Script> kScripts[] = {
    {Script::kAuto, "auto"}, {Script::kSorani, "sorani"}, {Script::kKurmanji, "kurmanji"}};
constexpr base::EnumName<InvalidUtf8Policy> kPolicies[] = {
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
