// Copyright 2026 The Dubare Authors.

#include "flags.h"

#include <algorithm>

#include <cstdio>
#include <limits>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace dubare::tools {
namespace {

absl::Status BadValue(absl::string_view name, absl::string_view value, absl::string_view want) {
  return absl::InvalidArgumentError(
      absl::StrCat("--", name, ": '", value, "' is not ", want));
}

}  // namespace

FlagSet::FlagSet(std::string usage, std::string description)
    : usage_(std::move(usage)), description_(std::move(description)) {}

void FlagSet::Add(Flag flag) { flags_.push_back(std::move(flag)); }

void FlagSet::String(std::string name, std::string* target, std::string help) {
  Add({name, "TEXT", target->empty() ? "\"\"" : *target, std::move(help),
       [target](absl::string_view v) {
         *target = std::string(v);
         return absl::OkStatus();
       }});
}

void FlagSet::Choice(std::string name, std::string* target, std::vector<std::string> choices,
                     std::string help) {
  std::string value_name = absl::StrJoin(choices, "|");
  Add({name, value_name, *target, std::move(help),
       [name, target, choices](absl::string_view v) -> absl::Status {
         for (const std::string& c : choices) {
           if (v == c) {
             *target = c;
             return absl::OkStatus();
           }
         }
         return BadValue(name, v, absl::StrCat("one of ", absl::StrJoin(choices, ", ")));
       }});
}

void FlagSet::Int(std::string name, int64_t* target, int64_t min, int64_t max,
                  std::string help) {
  Add({name, "N", absl::StrCat(*target), std::move(help),
       [name, target, min, max](absl::string_view v) -> absl::Status {
         int64_t x;
         if (!absl::SimpleAtoi(v, &x) || x < min || x > max) {
           return BadValue(name, v, absl::StrCat("an integer in [", min, ", ", max, "]"));
         }
         *target = x;
         return absl::OkStatus();
       }});
}

void FlagSet::Int(std::string name, int* target, int min, int max, std::string help) {
  Add({name, "N", absl::StrCat(*target), std::move(help),
       [name, target, min, max](absl::string_view v) -> absl::Status {
         int x;
         if (!absl::SimpleAtoi(v, &x) || x < min || x > max) {
           return BadValue(name, v, absl::StrCat("an integer in [", min, ", ", max, "]"));
         }
         *target = x;
         return absl::OkStatus();
       }});
}

void FlagSet::Uint(std::string name, uint32_t* target, uint32_t min, uint32_t max,
                   std::string help) {
  Add({name, "N", absl::StrCat(*target), std::move(help),
       [name, target, min, max](absl::string_view v) -> absl::Status {
         uint32_t x;
         if (!absl::SimpleAtoi(v, &x) || x < min || x > max) {
           return BadValue(name, v, absl::StrCat("an integer in [", min, ", ", max, "]"));
         }
         *target = x;
         return absl::OkStatus();
       }});
}

void FlagSet::Double(std::string name, double* target, double min, double max,
                     std::string help) {
  Add({name, "X", absl::StrFormat("%g", *target), std::move(help),
       [name, target, min, max](absl::string_view v) -> absl::Status {
         double x;
         if (!absl::SimpleAtod(v, &x) || !(x >= min && x <= max)) {
           return BadValue(name, v, absl::StrFormat("a number in [%g, %g]", min, max));
         }
         *target = x;
         return absl::OkStatus();
       }});
}

void FlagSet::Bool(std::string name, bool* target, std::string help) {
  Flag f{name, "", *target ? "true" : "false", std::move(help),
         [name, target](absl::string_view v) -> absl::Status {
           bool x;
           if (!absl::SimpleAtob(v, &x)) return BadValue(name, v, "true or false");
           *target = x;
           return absl::OkStatus();
         }};
  f.is_bool = true;
  f.bool_target = target;
  Add(std::move(f));
}

void FlagSet::List(std::string name, std::vector<std::string>* target, std::string help) {
  Add({name, "TEXT", "none", std::move(help), [target](absl::string_view v) {
         target->emplace_back(v);
         return absl::OkStatus();
       }});
}

void FlagSet::Custom(std::string name, std::string value_name, std::string shown_default,
                     std::function<absl::Status(absl::string_view)> set, std::string help) {
  Add({std::move(name), std::move(value_name), std::move(shown_default), std::move(help),
       std::move(set)});
}

const FlagSet::Flag* FlagSet::Find(absl::string_view name) const {
  for (const Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

absl::StatusOr<std::vector<std::string>> FlagSet::Parse(int argc, char** argv, int first) {
  std::vector<std::string> positional;
  bool flags_done = false;
  for (int i = first; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (flags_done || arg.size() < 2 || arg[0] != '-') {
      positional.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      help_requested_ = true;
      continue;
    }
    if (arg.substr(0, 2) != "--") {
      return absl::InvalidArgumentError(absl::StrCat("unknown option '", arg, "'"));
    }
    arg.remove_prefix(2);
    absl::string_view name = arg, value;
    bool has_value = false;
    if (size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    const Flag* flag = Find(name);
    if (flag == nullptr && !has_value && name.substr(0, 3) == "no-") {
      const Flag* negated = Find(name.substr(3));
      if (negated != nullptr && negated->is_bool) {
        *negated->bool_target = false;
        continue;
      }
    }
    if (flag == nullptr) {
      std::vector<std::string> names;
      for (const Flag& f : flags_) names.push_back(f.name);
      names.push_back("help");
      const std::string near = Nearest(name, names);
      return absl::InvalidArgumentError(absl::StrCat("unknown option '--", name, "'",
                                                     near.empty() ? "" : "; did you mean --",
                                                     near, near.empty() ? "" : "?"));
    }
    if (flag->is_bool && !has_value) {
      *flag->bool_target = true;
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argc) {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      }
      value = argv[++i];
    }
    if (absl::Status s = flag->set(value); !s.ok()) return s;
  }
  return positional;
}

std::string FlagSet::Help() const {
  std::string out = absl::StrCat("usage: dubare ", usage_, "\n\n", description_, "\n");
  if (!flags_.empty()) absl::StrAppend(&out, "\noptions:\n");
  for (const Flag& f : flags_) {
    std::string left = absl::StrCat("  --", f.name);
    if (!f.value_name.empty()) absl::StrAppend(&left, " ", f.value_name);
    if (left.size() < 30) {
      left.resize(30, ' ');
    } else {
      absl::StrAppend(&left, "\n", std::string(30, ' '));
    }
    absl::StrAppend(&out, left, f.help, " (default: ", f.shown_default, ")\n");
  }
  absl::StrAppend(&out, "  --help                      show this help\n");
  return out;
}

bool ParseOrExit(FlagSet& flags, int argc, char** argv, std::vector<std::string>* positional,
                 int* exit_code) {
  absl::StatusOr<std::vector<std::string>> parsed = flags.Parse(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "dubare %s: %s\n\n%s", argv[0],
                 std::string(parsed.status().message()).c_str(), flags.Help().c_str());
    *exit_code = kExitUsage;
    return false;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Help().c_str(), stdout);
    *exit_code = kExitOk;
    return false;
  }
  *positional = *std::move(parsed);
  return true;
}

int Fail(absl::string_view command, const absl::Status& status) {
  std::fprintf(stderr, "dubare %s: %s\n", std::string(command).c_str(),
               std::string(status.message()).c_str());
  return kExitError;
}

int UsageFail(absl::string_view command, const absl::Status& status) {
  std::fprintf(stderr, "dubare %s: %s (see dubare %s --help)\n", std::string(command).c_str(),
               std::string(status.message()).c_str(), std::string(command).c_str());
  return kExitUsage;
}

std::string Nearest(absl::string_view typo, const std::vector<std::string>& names) {
  // Levenshtein distance, one row at a time.
  auto distance = [](absl::string_view a, absl::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        const size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    return row[b.size()];
  };
  std::string best;
  size_t best_distance = std::max<size_t>(2, typo.size() / 3) + 1;
  for (const std::string& name : names) {
    const size_t d = distance(typo, name);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  return best;
}

}  // namespace dubare::tools
