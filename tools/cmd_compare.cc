// Copyright 2026 The Dubare Authors.
//
// dubare compare: a short human report on how alike two documents are.

#include <cstdio>

#include "absl/strings/str_cat.h"
#include <string>
#include <vector>

#include "commands.h"
#include "dubare/file.h"
#include "dubare/jobs.h"
#include "dubare/sketch.h"
#include "dubare/reader.h"
#include "dubare/status.h"
#include "flags.h"

namespace dubare::tools {

int RunCompare(int argc, char** argv) {
  SketchParams params;
  double threshold = kDefaultJaccardThreshold;
  FlagSet flags("compare [options] A B",
                "Compares two documents: exact Jaccard of their shingle sets, containment both "
                "ways, the MinHash estimate, the SimHash distance, and whether they are "
                "near-duplicates at the threshold.");
  AddSketchFlags(flags, &params);
  flags.Double("threshold", &threshold, 0.0, 1.0,
               "exact Jaccard at or above which the two are called near-duplicates");
  std::string format = "text";
  flags.String("format", &format, "text or json (one object)");
  ReaderOptions reader;
  AddReaderFlags(flags, &reader);
  std::vector<std::string> files;
  int exit_code = kExitOk;
  if (!ParseOrExit(flags, argc, argv, &files, &exit_code)) return exit_code;
  if (format != "text" && format != "json") {
    return UsageFail("compare", absl::InvalidArgumentError(
                                    absl::StrCat("--format '", format, "' is not text or json")));
  }
  if (files.size() != 2) {
    std::fprintf(stderr, "dubare compare: expected two files, got %zu\n\n%s", files.size(),
                 flags.Help().c_str());
    return kExitUsage;
  }
  // Exit status as cmp(1): 0 near-duplicates, 1 not, 2 trouble.
  // Each argument must be one document (a JSON Lines file of one record).
  std::string texts[2], ids[2];
  for (int i = 0; i < 2; ++i) {
    int count = 0;
    absl::Status s = ForEachInputDocument(
        {files[i]}, reader, [&](const std::string& id, absl::string_view text, bool) {
          if (++count == 1) {
            ids[i] = id == files[i] ? id : absl::StrCat(files[i], ": ", id);
            texts[i].assign(text.data(), text.size());
          }
          return absl::OkStatus();
        });
    if (s.ok() && count != 1) {
      s = absl::InvalidArgumentError(absl::StrCat(
          files[i], ": holds ", count, " documents; compare takes one on each side (dedup or "
          "passages compare many)"));
    }
    if (!s.ok()) return Fail(argv[0], s), kExitTrouble;
  }
  absl::StatusOr<DocumentComparison> c =
      CompareDocuments(texts[0], texts[1], params, threshold, ids[0], ids[1]);
  if (!c.ok()) return Fail(argv[0], c.status()), kExitTrouble;
  const std::string report = format == "json" ? FormatComparisonJson(*c, ids[0], ids[1])
                                              : FormatComparison(*c, ids[0], ids[1]);
  std::fputs(report.c_str(), stdout);
  if (std::fflush(stdout) != 0) return kExitTrouble;
  return c->duplicate() ? kExitFound : kExitNotFound;
}

}  // namespace dubare::tools
