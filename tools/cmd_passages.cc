// Copyright 2026 The Dubare Authors.
//
// dubare passages: repeated passages inside and across documents, as a text,
// JSON Lines or HTML report.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "commands.h"
#include "dubare/passages.h"
#include "dubare/jobs.h"
#include "dubare/report.h"
#include "flags.h"
#include "progress.h"

namespace dubare::tools {

int RunPassages(int argc, char** argv) {
  PassageJob job;
  FlagSet flags(
      "passages [options] INPUT...",
      "Finds passages repeated inside and across documents (files, directories, JSON Lines, "
      "'-' for standard input) and reports them with their spans in the original text.");
  flags.Custom(
      "format", "text|json|html", std::string(ReportFormatName(job.report.format)),
      [&](absl::string_view v) -> absl::Status {
        absl::StatusOr<ReportFormat> f = ParseReportFormat(v);
        if (!f.ok()) return f.status();
        job.report.format = *f;
        return absl::OkStatus();
      },
      "text for a terminal, json for programs (JSON Lines), html for a browser (a directory "
      "of pages: needs --out DIR)");
  flags.String("out", &job.out,
               "text, json: write the report to this file instead of standard output; html "
               "(required): the directory of pages to write (index.html, pairs/, ...)");
  bool top_given = false;
  flags.Custom(
      "top", "N", absl::StrCat(kHtmlDefaultTopPairs, " for html, 0 otherwise"),
      [&](absl::string_view v) -> absl::Status {
        if (!absl::SimpleAtoi(v, &job.report.top_pairs)) {
          return absl::InvalidArgumentError(
              absl::StrCat("--top: '", v, "' is not a number of pairs (0 = all)"));
        }
        top_given = true;
        return absl::OkStatus();
      },
      "report only the N document pairs with the highest similarity (0 = all); the summary "
      "counts the pairs left out");
  flags.Custom(
      "html-max-mb", "MB", absl::StrCat(job.report.html_max_bytes >> 20),
      [&](absl::string_view v) -> absl::Status {
        int64_t mb;
        if (!absl::SimpleAtoi(v, &mb) || mb < 0 || mb > (int64_t{1} << 20)) {
          return absl::InvalidArgumentError(
              absl::StrCat("--html-max-mb: '", v, "' is not a size in MB (0 = no budget)"));
        }
        job.report.html_max_bytes = static_cast<size_t>(mb) << 20;
        return absl::OkStatus();
      },
      "html: the folder's size budget; pairs past it are left out as with --top, the most "
      "similar kept (0 = no budget)");
  flags.Custom(
      "color", "auto|always|never", "auto",
      [&](absl::string_view v) -> absl::Status {
        if (v == "auto") job.color = ColorMode::kAuto;
        else if (v == "always") job.color = ColorMode::kAlways;
        else if (v == "never") job.color = ColorMode::kNever;
        else return absl::InvalidArgumentError(absl::StrCat("unknown colour mode '", v, "'"));
        return absl::OkStatus();
      },
      "text report: ANSI colours (auto: when standard output is a terminal)");
  flags.String("title", &job.report.title, "title of the report");
  flags.Int("min-words", &job.passages.min_words, 1, 1 << 20,
            "shortest passage: words the two copies have in common");
  flags.Double("min-similarity", &job.passages.min_similarity, 0, 1,
               "lowest word similarity of the two passages of a match");
  flags.Int("boilerplate-docs", &job.passages.boilerplate_min_docs, 2, 1 << 30,
            "a passage in this many documents or more is reported once as boilerplate");
  flags.Int("anchor-chars", &job.passages.anchor_chars, 4, 64,
            "anchors: character k-grams of the match key, k code points");
  flags.Int("winnow-window", &job.passages.winnow_window, 1, 1024,
            "anchors: winnowing window (a shared run of k+w-1 characters always anchors)");
  flags.Int("band-words", &job.passages.band_words, 1, 1024,
            "alignment band half-width in words (tolerated drift between copies)");
  flags.Int("threads", &job.passages.threads, 0, 1024, "worker threads (0 = all cores)");
  AddReaderFlags(flags, &job.reader);
  ProgressFlags progress;
  progress.AddTo(flags);

  int exit_code = kExitOk;
  if (!ParseOrExit(flags, argc, argv, &job.inputs, &exit_code)) return exit_code;
  if (job.inputs.empty()) {
    std::fprintf(stderr, "dubare passages: no INPUT given\n\n%s", flags.Help().c_str());
    return kExitUsage;
  }
  if (!top_given && job.report.format == ReportFormat::kHtml) {
    job.report.top_pairs = kHtmlDefaultTopPairs;
  }
  if (absl::Status s = job.Validate(); !s.ok()) return UsageFail("passages", s);
  if (absl::Status s = job.reader.Validate(); !s.ok()) return UsageFail("passages", s);
  ProgressPrinter printer("dubare passages", progress.enabled, stderr, progress.interval_seconds);
  job.progress = printer.Callback();
  absl::StatusOr<PassageJobSummary> summary = RunPassageJob(job);
  printer.Done();
  if (!summary.ok()) return Fail("passages", summary.status());
  if (!job.out.empty() && job.out != "-") {
    const std::string left_out =
        summary->pairs_reported < summary->pairs
            ? absl::StrCat(" (", summary->pairs - summary->pairs_reported,
                           " less similar left out: --top, --html-max-mb)")
            : "";
    const std::string where = job.report.format == ReportFormat::kHtml
                                  ? absl::StrCat(job.out, " (open ", job.out,
                                                 job.out.back() == '/' ? "" : "/", "index.html)")
                                  : job.out;
    auto plural = [](size_t n, const char* one, const char* many) {
      return absl::StrCat(n, " ", n == 1 ? one : many);
    };
    std::fprintf(stderr, "dubare passages: %s, %s in %s%s, %zu boilerplate, %zu refused; report "
                 "written to %s\n",
                 plural(summary->documents, "document", "documents").c_str(),
                 plural(summary->matches, "repeated passage", "repeated passages").c_str(),
                 plural(summary->pairs, "document pair", "document pairs").c_str(),
                 left_out.c_str(), summary->boilerplate, summary->rejected, where.c_str());
  }
  return kExitOk;
}

}  // namespace dubare::tools
