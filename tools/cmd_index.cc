// Copyright 2026 The Dubare Authors.
//
// dubare index: a persistent near-duplicate index in one SQLite file
// (index.h): create, add, query, get, remove, stats, check, compact.

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "commands.h"
#include "dubare/index.h"
#include "dubare/jobs.h"
#include "dubare/json_writer.h"
#include "flags.h"
#include "progress.h"

namespace dubare::tools {
namespace {

constexpr char kUsage[] =
    "usage: dubare index SUBCOMMAND PATH [options] [ARGS...]\n\n"
    "A persistent near-duplicate index in one SQLite file (docs/index.md).\n\n"
    "subcommands:\n"
    "  create PATH      make a new index with the given sketch and LSH settings\n"
    "  add PATH INPUT.. add documents; one line per document: id, new|duplicate|exists,\n"
    "                   best match, score; 'committed batch N (M documents, K added),\n"
    "                   T documents so far' on stderr, and progress (--no-progress)\n"
    "  query PATH INPUT.. the same report without adding\n"
    "  remove PATH ID.. remove documents by id\n"
    "  get PATH ID..    what is stored about documents (metadata, length, batch), as JSON\n"
    "  stats PATH       sizes, counts and settings\n"
    "  check PATH       full integrity check (SQLite's and the index's own)\n"
    "  compact PATH     merge all band-key runs into one, dropping removed documents\n\n"
    "'dubare index SUBCOMMAND --help' shows its options.\n";

void AddOpenFlags(FlagSet& flags, IndexOptions* options) {
  flags.Int("cache-mb", &options->cache_mb, 1, 1 << 20, "SQLite page cache in MiB");
  flags.Int("resident-mb", &options->resident_mb, 0, 1 << 20,
            "band keys of the newest documents held in memory, in MiB");
  flags.Int("busy-timeout-ms", &options->busy_timeout_ms, 0, 1 << 30,
            "wait this long for another writer");
  // Commands that write start with it on: they refuse to write into a
  // damaged file (issue 21). It reads the whole file (~4 ms per MB).
  flags.Bool("quick-check", &options->quick_check,
             "run PRAGMA quick_check when opening and refuse a damaged file (reads the whole "
             "file; on by default for add, remove and compact)");
}

void AddMergeFlags(FlagSet& flags, IndexOptions* options) {
  flags.Uint("merge-step", &options->merge_step_chunks, 1, 1u << 24,
             "chunks (320 band-key entries each) per merge transaction");
  flags.Uint("merge-work", &options->merge_work, 0, 1u << 20,
             "merge budget of each batch, in multiples of its own entries (0 = merge at the end)");
  flags.Bool("background-checkpoint", &options->background_checkpoint,
             "copy the WAL into the file on a thread of its own (--no-background-checkpoint: "
             "inside the commits)");
}

void AddInputFlags(FlagSet& flags, IndexOptions* options, IndexInputOptions* input) {
  AddOpenFlags(flags, options);
  flags.Int("threads", &options->threads, 0, 256,
            "sketching threads, which also search the band keys held in memory (0 = all cores)");
  flags.Custom("batch", "N", absl::StrCat(input->batch_size),
               [input](absl::string_view v) -> absl::Status {
                 int64_t n;
                 if (!absl::SimpleAtoi(v, &n) || n < 1 || n > 10'000'000) {
                   return absl::InvalidArgumentError(
                       absl::StrCat("--batch: '", v, "' is not an integer in [1, 10000000]"));
                 }
                 input->batch_size = static_cast<size_t>(n);
                 return absl::OkStatus();
               },
               "documents per transaction");
  flags.Int("sketch-nice", &input->sketch_nice, 0, 19,
            "the threads that read and sketch ahead run this many nice steps below the one "
            "that writes, which they feed");
  flags.Uint("max-bucket", &options->max_bucket_size, 2, 1u << 30,
             "a band key shared by more documents makes only the earliest a candidate");
  AddReaderFlags(flags, &input->reader);
  // The printed results name documents by id; a copy of every record's line
  // (kept a batch long) would be memory nobody reads.
  input->reader.keep_raw = false;
  flags.List("meta", &input->metadata_fields,
             "JSON Lines field stored as metadata (repeatable), e.g. --meta date --meta source");
}

void PrintResult(const Document& doc, const IndexResult& result, bool json) {
  if (json) {
    std::printf("%s\n", FormatIndexResultJson(doc.id, result).c_str());
  } else if (result.matches.empty()) {
    std::printf("%s\t%s\t-\t-\n", EscapeTsvField(doc.id).c_str(),
                std::string(IndexStatusName(result.status)).c_str());
  } else {
    std::printf("%s\t%s\t%s\t%.4f\n", EscapeTsvField(doc.id).c_str(),
                std::string(IndexStatusName(result.status)).c_str(),
                EscapeTsvField(result.matches[0].id).c_str(), result.matches[0].score);
  }
}

// --format text|json of the index commands that print.
absl::StatusOr<bool> JsonFormat(const std::string& format) {
  if (format == "text" || format == "json") return format == "json";
  return absl::InvalidArgumentError(absl::StrCat("--format '", format, "' is not text or json"));
}

// `printer` (may be null) has its terminal bar erased before each stderr line.
IndexInputCallbacks PrintingCallbacks(bool json, bool* found, ProgressPrinter* printer) {
  IndexInputCallbacks callbacks;
  callbacks.on_document = [json, found](const Document& doc, const IndexResult& result) {
    if (result.status != IndexStatus::kNew) *found = true;
    PrintResult(doc, result, json);
  };
  callbacks.on_reject = [printer](const Document& doc, absl::string_view location) {
    if (printer != nullptr) printer->Done();
    std::fprintf(stderr, "dubare index: %s: rejected: %s%s%s\n", std::string(location).c_str(),
                 std::string(RejectReasonName(doc.reject)).c_str(), doc.detail.empty() ? "" : ": ",
                 doc.detail.c_str());
  };
  auto so_far = std::make_shared<uint64_t>(0);
  callbacks.on_commit = [printer, so_far](const AddResult& batch, size_t documents) {
    // The results of a batch are printed only once it has committed; the
    // line below is what a supervisor (or the crash test) trusts.
    std::fflush(stdout);
    if (printer != nullptr) printer->Done();
    *so_far += documents;
    std::fprintf(stderr, "committed batch %llu (%zu documents, %llu added), %llu documents so far\n",
                 static_cast<unsigned long long>(batch.batch), documents,
                 static_cast<unsigned long long>(batch.added),
                 static_cast<unsigned long long>(*so_far));
  };
  return callbacks;
}

// ParseOrExit, then the count of positional arguments: exactly one PATH when
// `more` is null, else PATH and at least one `more` ("INPUT", "ID").
bool ParseIndexArgs(FlagSet& flags, int argc, char** argv, const char* name, const char* more,
                    std::vector<std::string>* args, int* exit_code) {
  if (!ParseOrExit(flags, argc, argv, args, exit_code)) return false;
  if (more == nullptr ? args->size() == 1 : args->size() >= 2) return true;
  if (more == nullptr) {
    std::fprintf(stderr, "dubare %s: expected one PATH\n\n%s", name, flags.Help().c_str());
  } else {
    std::fprintf(stderr, "dubare %s: expected PATH and at least one %s\n\n%s", name, more,
                 flags.Help().c_str());
  }
  *exit_code = kExitUsage;
  return false;
}

int Create(int argc, char** argv) {
  IndexOptions options;
  IndexSettings& settings = options.settings;
  FlagSet flags("index create PATH [options]",
                "Creates a new index file with these sketch and LSH settings; they are stored in\n"
                "the file and used by every later add and query.");
  AddSketchFlags(flags, &settings.sketch);
  flags.Double("threshold", &settings.threshold, 0.01, 1.0,
               "estimated Jaccard a match needs (as dubare dedup)");
  flags.Uint("bands", &settings.lsh.bands, 0, 1024, "LSH bands (0 = chosen for --threshold)");
  flags.Uint("rows", &settings.lsh.rows, 0, 1024, "LSH rows per band (0 = chosen for --threshold)");
  std::vector<std::string> args;
  int exit_code = kExitOk;
  if (!ParseIndexArgs(flags, argc, argv, "index create", nullptr, &args, &exit_code)) {
    return exit_code;
  }
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Create(args[0], options);
  if (!index.ok()) return Fail("index create", index.status());
  absl::StatusOr<IndexStats> stats = (*index)->Stats();
  if (!stats.ok()) return Fail("index create", stats.status());
  std::fputs(stats->ToText().c_str(), stdout);
  return kExitOk;
}

int AddOrQuery(int argc, char** argv, bool add) {
  IndexOptions options;
  options.quick_check = add;
  IndexInputOptions input;
  FlagSet flags(add ? "index add PATH [options] INPUT..." : "index query PATH [options] INPUT...",
                add ? "Adds documents (files, directories, JSON Lines, text lines, - = stdin) in\n"
                      "batched transactions. Prints id, new|duplicate|exists, best match and score\n"
                      "per document after its batch committed."
                    : "Matches documents against the index without adding them. Prints id,\n"
                      "new|duplicate|exists, best match and score per document.");
  AddInputFlags(flags, &options, &input);
  if (add) {
    flags.Bool("skip-duplicates", &options.skip_duplicates,
               "report near-duplicates but do not add them");
    flags.Bool("sync-full", &options.sync_full,
               "fsync at every commit (durable against power loss, slower)");
    AddMergeFlags(flags, &options);
  }
  ProgressFlags progress;
  progress.AddTo(flags);
  std::string format = "text";
  flags.String("format", &format,
               "text (id, status, best match, score: tab-separated) or json (an object per "
               "document with every match; the summary on stderr as JSON)");
  std::vector<std::string> args;
  int exit_code = kExitOk;
  const char* name = add ? "index add" : "index query";
  if (!ParseIndexArgs(flags, argc, argv, name, "INPUT", &args, &exit_code)) return exit_code;
  const absl::StatusOr<bool> json = JsonFormat(format);
  if (!json.ok()) return UsageFail(name, json.status());
  // query exits as grep(1): 0 some document matched, 1 none, 2 trouble.
  const int trouble = add ? kExitError : kExitTrouble;
  options.read_only = !add;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(args[0], options);
  if (!index.ok()) return Fail(name, index.status()), trouble;
  const std::vector<std::string> inputs(args.begin() + 1, args.end());
  bool found = false;
  ProgressPrinter printer(absl::StrCat("dubare ", name), progress.enabled, stderr,
                          progress.interval_seconds);
  input.progress = printer.Callback();
  const IndexInputCallbacks callbacks = PrintingCallbacks(*json, &found, &printer);
  absl::StatusOr<IndexInputSummary> summary =
      add ? AddInputs(index->get(), inputs, input, callbacks)
          : QueryInputs(index->get(), inputs, input, callbacks);
  printer.Done();
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) return trouble;  // main says why
  if (!summary.ok()) return Fail(name, summary.status()), trouble;
  std::fprintf(stderr, "%s", *json ? (summary->ToJson() + "\n").c_str() : summary->ToText().c_str());
  if (summary->rejected > 0 && summary->documents == 0) {
    std::fprintf(stderr, "dubare %s: none of the %llu inputs is a document\n", name,
                 static_cast<unsigned long long>(summary->rejected));
    return trouble;
  }
  if (add) return kExitOk;
  return found ? kExitFound : kExitNotFound;
}

int Remove(int argc, char** argv) {
  IndexOptions options;
  options.quick_check = true;
  FlagSet flags("index remove PATH [options] ID...",
                "Removes documents by id in one transaction; prints id and removed|absent.");
  AddOpenFlags(flags, &options);
  std::vector<std::string> args;
  int exit_code = kExitOk;
  if (!ParseIndexArgs(flags, argc, argv, "index remove", "ID", &args, &exit_code)) {
    return exit_code;
  }
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(args[0], options);
  if (!index.ok()) return Fail("index remove", index.status());
  const std::vector<std::string> ids(args.begin() + 1, args.end());
  absl::StatusOr<std::vector<bool>> removed = (*index)->Remove(ids);
  if (!removed.ok()) return Fail("index remove", removed.status());
  for (size_t i = 0; i < ids.size(); ++i) {
    std::printf("%s\t%s\n", EscapeTsvField(ids[i]).c_str(), (*removed)[i] ? "removed" : "absent");
  }
  return kExitOk;
}

int Get(int argc, char** argv) {
  IndexOptions options;
  FlagSet flags("index get PATH [options] ID...",
                "Prints what the index stores about each document, as one JSON object per line:\n"
                "id, metadata (the --meta fields given to add), length (text bytes), batch and\n"
                "added_at (Unix seconds). Exits 0 when every ID is there, 1 when one is not\n"
                "(named on stderr), 2 on trouble.");
  AddOpenFlags(flags, &options);
  std::vector<std::string> args;
  int exit_code = kExitOk;
  if (!ParseIndexArgs(flags, argc, argv, "index get", "ID", &args, &exit_code)) return exit_code;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(args[0], options);
  if (!index.ok()) return Fail("index get", index.status()), kExitTrouble;
  const std::vector<std::string> ids(args.begin() + 1, args.end());
  absl::StatusOr<std::vector<std::optional<StoredDocument>>> docs = (*index)->Get(ids);
  if (!docs.ok()) return Fail("index get", docs.status()), kExitTrouble;
  bool all = true;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!(*docs)[i]) {
      all = false;
      std::fprintf(stderr, "dubare index get: '%s': not in the index\n",
                   EscapeTsvField(ids[i]).c_str());
      continue;
    }
    std::printf("%s\n", FormatStoredDocumentJson(*(*docs)[i]).c_str());
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) return kExitTrouble;  // main says why
  return all ? kExitFound : kExitNotFound;
}

int StatsOrCheck(int argc, char** argv, bool check) {
  IndexOptions options;
  FlagSet flags(check ? "index check PATH" : "index stats PATH",
                check ? "Runs PRAGMA integrity_check and checks the index's own invariants."
                      : "Prints the index's settings, counts and sizes.");
  AddOpenFlags(flags, &options);
  std::string format = "text";
  if (!check) flags.String("format", &format, "text (key: value lines) or json (one object)");
  std::vector<std::string> args;
  int exit_code = kExitOk;
  const char* name = check ? "index check" : "index stats";
  if (!ParseIndexArgs(flags, argc, argv, name, nullptr, &args, &exit_code)) return exit_code;
  const absl::StatusOr<bool> json = JsonFormat(format);
  if (!json.ok()) return UsageFail(name, json.status());
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(args[0], options);
  if (!index.ok()) return Fail(name, index.status());
  if (check) {
    if (absl::Status s = (*index)->CheckIntegrity(); !s.ok()) return Fail(name, s);
    std::printf("%s: ok\n", args[0].c_str());
    return kExitOk;
  }
  absl::StatusOr<IndexStats> stats = (*index)->Stats();
  if (!stats.ok()) return Fail(name, stats.status());
  std::fputs(*json ? (FormatIndexStatsJson(*stats) + "\n").c_str() : stats->ToText().c_str(), stdout);
  return kExitOk;
}

int Compact(int argc, char** argv) {
  IndexOptions options;
  options.quick_check = true;
  FlagSet flags("index compact PATH [options]",
                "Merges all band-key runs into one and drops the entries of removed documents\n"
                "(like VACUUM for the band keys); prints the entry counts before and after.");
  AddOpenFlags(flags, &options);
  flags.Uint("merge-step", &options.merge_step_chunks, 1, 1u << 24,
             "chunks (320 band-key entries each) per merge transaction");
  std::vector<std::string> args;
  int exit_code = kExitOk;
  if (!ParseIndexArgs(flags, argc, argv, "index compact", nullptr, &args, &exit_code)) {
    return exit_code;
  }
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(args[0], options);
  if (!index.ok()) return Fail("index compact", index.status());
  absl::StatusOr<CompactResult> result = (*index)->Compact();
  if (!result.ok()) return Fail("index compact", result.status());
  std::fputs(result->ToText().c_str(), stdout);
  return kExitOk;
}

}  // namespace

int RunIndex(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  const std::string sub = argv[1];
  // Each subcommand sees argv[0] = "index SUB", the name its usage errors
  // are prefixed with ("dubare index create: ...").
  std::string name = "index " + sub;
  std::vector<char*> sub_argv(argv + 1, argv + argc);
  sub_argv[0] = name.data();
  const int sub_argc = argc - 1;
  char** args = sub_argv.data();
  if (sub == "create") return Create(sub_argc, args);
  if (sub == "add") return AddOrQuery(sub_argc, args, /*add=*/true);
  if (sub == "query") return AddOrQuery(sub_argc, args, /*add=*/false);
  if (sub == "remove") return Remove(sub_argc, args);
  if (sub == "get") return Get(sub_argc, args);
  if (sub == "stats") return StatsOrCheck(sub_argc, args, /*check=*/false);
  if (sub == "check") return StatsOrCheck(sub_argc, args, /*check=*/true);
  if (sub == "compact") return Compact(sub_argc, args);
  std::fprintf(stderr, "dubare index: unknown subcommand '%s'\n\n%s", sub.c_str(), kUsage);
  return kExitUsage;
}

}  // namespace dubare::tools
