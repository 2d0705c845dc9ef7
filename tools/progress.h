// Copyright 2026 The Dubare Authors.
//
// progress.h: how the `dubare` command shows a ProgressCallback's events.
//
// On a terminal, a bar redrawn at most ten times a second and erased at the
// end: "[=====>    ]  52% reading and sketching: 10400 documents". Elsewhere
// (a log, a pipe), a line every `interval` seconds with counts, rate and
// ETA, so that a long batch job shows in its log that it is alive:
// "dubare dedup: reading and sketching: 10400 documents, 52%, 4100 documents/s, ETA 6 s".

#ifndef DUBARE_TOOLS_PROGRESS_H_
#define DUBARE_TOOLS_PROGRESS_H_

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "dubare/progress.h"
#include "flags.h"

namespace dubare::tools {

// --progress and --progress-interval, the same for every command that shows
// progress.
struct ProgressFlags {
  bool enabled = true;
  double interval_seconds = 5;
  void AddTo(FlagSet& flags);
};

class ProgressPrinter {
 public:
  // `command` prefixes log lines ("dubare dedup"). enabled = false prints nothing.
  ProgressPrinter(std::string command, bool enabled, FILE* out = stderr,
                  double interval_seconds = 5.0);
  ~ProgressPrinter();
  ProgressPrinter(const ProgressPrinter&) = delete;
  ProgressPrinter& operator=(const ProgressPrinter&) = delete;

  // Thread-safe: the index job's reading thread reports skipped bytes while
  // its writing thread reports batches.
  void Show(const ProgressEvent& event);
  // A callback that forwards to Show; valid while this printer lives.
  ProgressCallback Callback();
  // Erases the bar (terminal), if shown.
  void Done();

 private:
  using Clock = std::chrono::steady_clock;
  std::string command_;
  bool enabled_;
  FILE* out_;
  bool terminal_;
  std::chrono::duration<double> interval_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_{};
  bool shown_ = false;
  std::mutex mu_;
};

}  // namespace dubare::tools

#endif  // DUBARE_TOOLS_PROGRESS_H_
