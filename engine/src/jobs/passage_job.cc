// Copyright 2026 The Dubare Authors.
//
// RunPassageJob (jobs.h): read the inputs, find the passages, write the report
// to standard output (colours decided by whether it is a terminal), to a
// file replaced atomically, or (HTML) to a directory of pages swapped in
// whole.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dubare/file.h"
#include "dubare/jobs.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "dubare/status.h"

namespace dubare {
namespace {

// In every HTML report directory: what OutputDir requires before it
// replaces a directory that is not empty.
constexpr char kReportMarker[] = ".dubare-passages";

bool ToStdout(const PassageJob& job) { return job.out.empty() || job.out == "-"; }

// Writes the HTML report's files into the partial directory of `dir`;
// returns the number of pairs listed.
absl::StatusOr<size_t> WriteHtmlReport(const PassageReport& report, const ReportOptions& options,
                             OutputDir* dir) {
  std::set<std::string> made;
  return RenderPassageReportFolder(
      report, options, [&](absl::string_view path, absl::string_view content) -> absl::Status {
        const std::string file = absl::StrCat(dir->path(), "/", path);
        const size_t slash = path.rfind('/');
        if (slash != absl::string_view::npos) {
          const std::string sub = absl::StrCat(dir->path(), "/", path.substr(0, slash));
          std::error_code error;
          if (made.insert(sub).second && !std::filesystem::create_directories(sub, error) &&
              error) {
            return absl::InternalError(absl::StrCat(sub, ": cannot create: ", error.message()));
          }
        }
        // No fsync per page: the directory appears whole at Commit() or not at all.
        DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> out, OutputFile::Create(file));
        DUBARE_RETURN_IF_ERROR(out->Append(content));
        return out->Commit();
      });
}

}  // namespace

absl::Status PassageJob::Validate() const {
  DUBARE_RETURN_IF_ERROR(passages.Validate());
  if (report.format != ReportFormat::kHtml) return absl::OkStatus();
  if (ToStdout(*this)) {
    return absl::InvalidArgumentError(
        "an HTML report is a directory of pages (index.html, pairs/...): give the directory to "
        "write it to (--out DIR)");
  }
  std::string trimmed = out;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  if (absl::EndsWithIgnoreCase(trimmed, ".html") || absl::EndsWithIgnoreCase(trimmed, ".htm")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "an HTML report is a directory of pages, not one page: '", out,
        "' looks like a file name; give a directory (e.g. --out ",
        trimmed.substr(0, trimmed.rfind('.')), "/) and open index.html in it"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PassageJobSummary> RunPassageJob(const PassageJob& job) {
  DUBARE_RETURN_IF_ERROR(job.Validate());
  // An HTML report's directory is checked before the work, not after it.
  std::unique_ptr<OutputDir> out_dir;
  if (job.report.format == ReportFormat::kHtml) {
    DUBARE_ASSIGN_OR_RETURN(out_dir, OutputDir::Create(job.out, kReportMarker));
  }
  ReaderOptions reader_options = job.reader;
  reader_options.on_skipping = SkippingReporter(job.progress);
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<Reader> reader, Reader::Open(job.inputs, reader_options));
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

  const bool to_stdout = ToStdout(job);
  ReportOptions options = job.report;
  options.color = job.color == ColorMode::kAlways ||
                  (job.color == ColorMode::kAuto && to_stdout && isatty(STDOUT_FILENO));
  if (options.relative_to.empty()) {
    std::error_code error;
    const std::filesystem::path cwd = std::filesystem::current_path(error);
    if (!error) options.relative_to = cwd.string();
  }
  report_progress("writing the report", 0, 0);
  std::optional<size_t> html_listed;
  if (out_dir) {
    DUBARE_ASSIGN_OR_RETURN(html_listed, WriteHtmlReport(report, options, out_dir.get()));
    DUBARE_RETURN_IF_ERROR(out_dir->Commit());
  } else {
    const std::string rendered = RenderPassageReport(report, options);
    if (to_stdout) {
      if (std::fwrite(rendered.data(), 1, rendered.size(), stdout) != rendered.size() ||
          std::fflush(stdout) != 0) {
        return absl::InternalError("cannot write standard output");
      }
    } else {
      DUBARE_RETURN_IF_ERROR(WriteFileAtomically(job.out, rendered));
    }
  }
  report_progress("done", 0, 0, /*finished=*/true);
  PassageJobSummary summary;
  summary.documents = report.documents.size();
  summary.rejected = report.rejected.size();
  summary.matches = report.result.matches.size();
  summary.boilerplate = report.result.boilerplate.size();
  for (size_t i = 0; i < report.result.matches.size(); ++i) {
    const PassageMatch& m = report.result.matches[i];
    summary.pairs += i == 0 || m.a.doc != report.result.matches[i - 1].a.doc ||
                     m.b.doc != report.result.matches[i - 1].b.doc;
  }
  summary.pairs_reported =
      html_listed.has_value() ? *html_listed
      : options.top_pairs == 0 ? summary.pairs
                               : std::min(summary.pairs, options.top_pairs);
  return summary;
}

}  // namespace dubare
