// Copyright 2026 The Dubare Authors.
//
// progress.h: how long-running calls report how far they are.
//
// The library never writes to a terminal. A call that may run for long takes
// a ProgressCallback and calls it, from the caller's thread, as work is done
// (often: the receiver decides how often to show anything). The `dubare`
// command draws a bar when stderr is a terminal and prints a line every few
// seconds when it is not; a Python caller may feed tqdm; a distributed run
// sums over its ranks.
//
// Thread safety: a callback is only ever called from the thread that called
// the function that took it, never concurrently.

#ifndef DUBARE_PROGRESS_H_
#define DUBARE_PROGRESS_H_

#include <cstdint>
#include <functional>
#include <utility>

#include "absl/strings/string_view.h"

namespace dubare {

struct ProgressEvent {
  absl::string_view stage;  // "reading and sketching", "grouping", "verifying", ...
  uint64_t documents = 0;   // documents seen so far in this run (0 = not counted)
  // Units of work done and expected in this stage (bytes, documents); total
  // 0 when not known in advance (a stream).
  uint64_t done = 0;
  uint64_t total = 0;
  bool finished = false;    // the last event of the run
};

using ProgressCallback = std::function<void(const ProgressEvent&)>;

// The stage of the jobs' events while the reader reads bytes it will not
// keep (ReaderOptions::on_skipping): done = bytes read so far.
inline constexpr absl::string_view kSkippingStage =
    "skipping input over --max-line-bytes / --max-document-bytes";

// A ReaderOptions::on_skipping hook that reports kSkippingStage events
// (done = bytes read) to `progress`; null when `progress` is.
inline std::function<void(uint64_t)> SkippingReporter(ProgressCallback progress) {
  if (!progress) return nullptr;
  return [progress = std::move(progress)](uint64_t bytes) {
    ProgressEvent e;
    e.stage = kSkippingStage;
    e.done = bytes;
    progress(e);
  };
}

}  // namespace dubare

#endif  // DUBARE_PROGRESS_H_
