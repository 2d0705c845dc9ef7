// Copyright 2026 The Dubare Authors.
//
// status.h: error propagation for Dubare.
//
// Every fallible boundary of the library returns absl::Status or
// absl::StatusOr<T>; nothing throws across the API. Debian's Abseil ships no
// status macros, so these two are ours. They are used only inside functions
// that themselves return absl::Status or absl::StatusOr<U>.
//
//   DUBARE_RETURN_IF_ERROR(WriteHeader(out));
//   DUBARE_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
//
// Error messages name the input and the position ("news.jsonl:17: ..."), so a
// person can find the bad byte; callers add context with Annotate().
//
// Thread safety: stateless macros and free functions.

#ifndef DUBARE_STATUS_H_
#define DUBARE_STATUS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#define DUBARE_STATUS_CONCAT_INNER_(a, b) a##b
#define DUBARE_STATUS_CONCAT_(a, b) DUBARE_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define DUBARE_RETURN_IF_ERROR(expr)                      \
  do {                                                    \
    ::absl::Status dubare_status_ = (expr);               \
    if (!dubare_status_.ok()) return dubare_status_;      \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status,
// otherwise moves the value into `lhs`, which may be a declaration.
#define DUBARE_ASSIGN_OR_RETURN(lhs, rexpr) \
  DUBARE_ASSIGN_OR_RETURN_IMPL_(DUBARE_STATUS_CONCAT_(dubare_statusor_, __LINE__), lhs, rexpr)

#define DUBARE_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()

namespace dubare {

// The one mapping of an errno value to a Status: "CONTEXT: WHAT: strerror",
// kNotFound (ENOENT), kPermissionDenied (EACCES, EPERM, EROFS),
// kResourceExhausted (ENOSPC, EDQUOT), kInternal otherwise. `context` names
// the file; `what` the operation ("cannot open"), and may be empty.
absl::Status ErrnoError(absl::string_view context, absl::string_view what, int err);

// Returns `status` with `context` prepended to its message ("file.txt: ...").
// OK stays OK.
inline absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(context, ": ", status.message()));
}

}  // namespace dubare

#endif  // DUBARE_STATUS_H_
