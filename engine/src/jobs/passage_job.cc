// Copyright 2026 The Dubare Authors.
//
// RunPassageJob (jobs.h): read the inputs, find the passages, write the report
// to standard output (colours decided by whether it is a terminal) or to a
// file replaced atomically.

#include <unistd.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "dubare/file.h"
#include "dubare/jobs.h"
#include "dubare/status.h"

namespace dubare {

absl::StatusOr<PassageJobSummary> RunPassageJob(const PassageJob& job) {
  DUBARE_RETURN_IF_ERROR(job.passages.Validate());
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<Reader> reader, Reader::Open(job.inputs, job.reader));
  // Texts are kept in their own strings: report spans view them.
  std::vector<std::string> ids, texts;
  PassageReport report;
  Document doc;
  const uint64_t input_bytes = reader->SourceBytes();
  auto report_progress = [&](absl::string_view stage, uint64_t done, uint64_t total,
                             bool finished = false) {
    if (!job.progress) return;
    ProgressEvent e;
    e.stage = stage;
    e.documents = texts.size();
    e.done = done;
    e.total = total;
    e.finished = finished;
    job.progress(e);
  };
  for (;;) {
    DUBARE_ASSIGN_OR_RETURN(bool more, reader->Next(&doc));
    if (!more) break;
    report_progress("reading", reader->stats().bytes, input_bytes);
    if (!doc.ok()) {
      report.rejected.push_back({reader->Location(doc), doc.reject, doc.detail});
      continue;
    }
    ids.push_back(std::move(doc.id));
    texts.push_back(std::move(doc.text));
  }
  std::vector<absl::string_view> views(texts.begin(), texts.end());
  absl::StatusOr<PassageResult> result = FindPassages(views, job.passages, job.progress);
  if (!result.ok()) {
    return result.status();
  }
  report.result = *std::move(result);
  for (size_t i = 0; i < texts.size(); ++i) report.documents.push_back({ids[i], texts[i]});

  const bool to_stdout = job.out.empty() || job.out == "-";
  ReportOptions options = job.report;
  options.color = job.color == ColorMode::kAlways ||
                  (job.color == ColorMode::kAuto && to_stdout && isatty(STDOUT_FILENO));
  report_progress("writing the report", 0, 0);
  const std::string rendered = RenderPassageReport(report, options);
  if (to_stdout) {
    if (std::fwrite(rendered.data(), 1, rendered.size(), stdout) != rendered.size() ||
        std::fflush(stdout) != 0) {
      return absl::InternalError("cannot write standard output");
    }
  } else {
    DUBARE_RETURN_IF_ERROR(WriteFileAtomically(job.out, rendered));
  }
  report_progress("done", 0, 0, /*finished=*/true);
  PassageJobSummary summary;
  summary.documents = report.documents.size();
  summary.rejected = report.rejected.size();
  summary.matches = report.result.matches.size();
  summary.boilerplate = report.result.boilerplate.size();
  return summary;
}

}  // namespace dubare
