// Copyright 2026 The Dubare Authors.
//
// flags.h: a small flag parser for the subcommands of `dubare`.
//
// Each subcommand builds a FlagSet whose flags point into its Options
// structs, parses argv, and makes one library call. Defaults shown by --help
// are the values the targets hold when the flag is registered, so they are
// the library's own in-class defaults and cannot drift from them.
//
// Accepted forms: --name=value, --name value, --flag / --no-flag for
// booleans, "--" ends flags, and a lone "-" is a positional (stdin).

#ifndef DUBARE_TOOLS_FLAGS_H_
#define DUBARE_TOOLS_FLAGS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dubare::tools {

class FlagSet {
 public:
  // `usage` is the synopsis after "dubare", e.g. "normalize [options] [FILE...]".
  FlagSet(std::string usage, std::string description);

  void String(std::string name, std::string* target, std::string help);
  // A string restricted to `choices`.
  void Choice(std::string name, std::string* target, std::vector<std::string> choices,
              std::string help);
  void Int(std::string name, int64_t* target, int64_t min, int64_t max, std::string help);
  void Int(std::string name, int* target, int min, int max, std::string help);
  void Uint(std::string name, uint32_t* target, uint32_t min, uint32_t max, std::string help);
  void Double(std::string name, double* target, double min, double max, std::string help);
  void Bool(std::string name, bool* target, std::string help);
  // A repeatable string flag; each use appends.
  void List(std::string name, std::vector<std::string>* target, std::string help);
  // Any other type: `set` parses the value; `shown_default` is printed by --help.
  void Custom(std::string name, std::string value_name, std::string shown_default,
              std::function<absl::Status(absl::string_view)> set, std::string help);

  // Parses argv[first..argc) and returns the positional arguments.
  // An unknown flag or a bad value is kInvalidArgument naming the flag.
  absl::StatusOr<std::vector<std::string>> Parse(int argc, char** argv, int first = 1);

  bool help_requested() const { return help_requested_; }
  std::string Help() const;

 private:
  struct Flag {
    std::string name;
    std::string value_name;  // empty for booleans
    std::string shown_default;
    std::string help;
    std::function<absl::Status(absl::string_view)> set;
    bool is_bool = false;
    bool* bool_target = nullptr;
  };
  const Flag* Find(absl::string_view name) const;
  void Add(Flag flag);

  std::string usage_;
  std::string description_;
  std::vector<Flag> flags_;
  bool help_requested_ = false;
};

// The name among `names` nearest to `typo` (edit distance at most 2, or a
// third of its length for long names), or "" when none is near: for "did
// you mean" hints.
std::string Nearest(absl::string_view typo, const std::vector<std::string>& names);

// Exit codes shared by all subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;  // the work failed (bad input, I/O)
inline constexpr int kExitUsage = 2;  // bad flags or arguments
// Commands that print a verdict (compare, index query) exit as cmp(1) and
// grep(1) do: 0 found, 1 not found, 2 trouble (bad input, I/O, usage).
inline constexpr int kExitFound = 0;
inline constexpr int kExitNotFound = 1;
inline constexpr int kExitTrouble = 2;

// Parses flags; on --help prints help to stdout and returns kExitOk through
// *exit_code; on error prints "dubare CMD: message" and the usage to stderr.
// Returns true when the command should go on.
bool ParseOrExit(FlagSet& flags, int argc, char** argv, std::vector<std::string>* positional,
                 int* exit_code);

// Prints "dubare: <status message>" to stderr and returns kExitError.
int Fail(absl::string_view command, const absl::Status& status);
// Prints "dubare <command>: <status message>" and a pointer to --help, and
// returns kExitUsage: for flags that parse one by one but not together.
int UsageFail(absl::string_view command, const absl::Status& status);

}  // namespace dubare::tools

#endif  // DUBARE_TOOLS_FLAGS_H_
