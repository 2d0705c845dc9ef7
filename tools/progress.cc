// Copyright 2026 The Dubare Authors.

#include "progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace dubare::tools {

void ProgressFlags::AddTo(FlagSet& flags) {
  flags.Bool("progress", &enabled,
             "progress on stderr: a bar on a terminal, else a line every --progress-interval");
  flags.Double("progress-interval", &interval_seconds, 0, 86400,
               "seconds between progress lines when stderr is not a terminal");
}

ProgressPrinter::ProgressPrinter(std::string command, bool enabled, FILE* out,
                                 double interval_seconds)
    : command_(std::move(command)),
      enabled_(enabled),
      out_(out),
      terminal_(::isatty(::fileno(out)) != 0),
      interval_(terminal_ ? 0.1 : interval_seconds) {
  // A log line is due after the first interval, not at once.
  if (!terminal_) last_ = start_;
}

ProgressPrinter::~ProgressPrinter() { Done(); }

ProgressCallback ProgressPrinter::Callback() {
  if (!enabled_) return nullptr;
  return [this](const ProgressEvent& e) { Show(e); };
}

void ProgressPrinter::Show(const ProgressEvent& e) {
  if (!enabled_) return;
  if (e.finished) {
    Done();
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  const Clock::time_point now = Clock::now();
  if (now - last_ < interval_) return;
  last_ = now;
  // Compressed input decodes to more bytes than its files hold: stop at 99%.
  const double fraction =
      e.total == 0 ? 0 : std::min(0.99, static_cast<double>(e.done) / static_cast<double>(e.total));
  if (terminal_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string line = absl::StrCat("\r\x1b[K[", std::string(filled, '='), filled < kWidth ? ">" : "",
                                    std::string(kWidth - std::min(kWidth, filled + 1), ' '), "] ",
                                    absl::StrFormat("%3.0f%% ", 100 * fraction), e.stage);
    if (e.documents > 0) absl::StrAppend(&line, ": ", e.documents, " documents");
    if (e.stage == kSkippingStage) absl::StrAppendFormat(&line, ": %.0f MB read", e.done / 1e6);
    std::fputs(line.c_str(), out_);
    shown_ = true;
    return;
  }
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string line = absl::StrCat(command_, ": ", e.stage);
  if (e.documents > 0) {
    absl::StrAppend(&line, ": ", e.documents, " documents");
    if (elapsed > 0) absl::StrAppendFormat(&line, ", %.0f documents/s", e.documents / elapsed);
  }
  if (e.stage == kSkippingStage) absl::StrAppendFormat(&line, ": %.0f MB read", e.done / 1e6);
  if (e.total > 0) {
    absl::StrAppendFormat(&line, ", %.0f%%", 100 * fraction);
    if (fraction > 0.01) {
      absl::StrAppendFormat(&line, ", ETA %.0f s", elapsed * (1 - fraction) / fraction);
    }
  }
  absl::StrAppendFormat(&line, " (%.0f s)\n", elapsed);
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

void ProgressPrinter::Done() {
  std::lock_guard<std::mutex> lock(mu_);
  if (shown_) std::fputs("\r\x1b[K", out_);
  shown_ = false;
}

}  // namespace dubare::tools
