// Copyright 2026 The Dubare Authors.
//
// dubare dedup: near-duplicate removal (RunDedupJob of jobs.h).

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "commands.h"
#include "dubare/jobs.h"
#ifdef DUBARE_HAVE_MPI
#include "dubare/mpi.h"
#endif
#include "dubare/status.h"
#include "flags.h"
#include "progress.h"

namespace dubare::tools {

int RunDedup(int argc, char** argv) {
  DedupJobOptions job;
  DedupOptions& options = job.dedup;
  ProgressFlags progress;
  FlagSet flags(
      "dedup [options] INPUT... --out DIR",
      "Finds near-duplicate documents in files, directories, JSON Lines or text lines (- = stdin),\n"
      "groups them into clusters and writes the deduplicated corpus, clusters.jsonl, pairs.tsv,\n"
      "duplicates.tsv, rejected.tsv and summary.json into DIR (see docs/dedup.md).");
  flags.String("out", &job.out_dir, "output directory (required; created if missing)");
  flags.Double("threshold", &options.threshold, 0.01, 1.0,
               "similarity a pair needs: Jaccard, or containment with --verify containment");
  flags.Custom(
      "method", "minhash|simhash", std::string(DedupMethodName(options.method)),
      [&](absl::string_view v) -> absl::Status {
        DUBARE_ASSIGN_OR_RETURN(options.method, ParseDedupMethod(v));
        return absl::OkStatus();
      },
      "candidate search: MinHash LSH or SimHash permuted tables");
  AddSketchFlags(flags, &options.sketch);
  flags.Uint("bands", &options.bands, 0, 1024, "LSH bands (0 = chosen for --threshold)");
  flags.Uint("rows", &options.rows, 0, 1024, "LSH rows per band (0 = chosen for --threshold)");
  flags.Int("hamming", &options.hamming, 0, 31, "SimHash: maximal Hamming distance");
  flags.Custom(
      "duplicate-ids", "error|rename", std::string(DuplicateIdsName(options.duplicate_ids)),
      [&](absl::string_view v) -> absl::Status {
        DUBARE_ASSIGN_OR_RETURN(options.duplicate_ids, ParseDuplicateIds(v));
        return absl::OkStatus();
      },
      "two records with one id: stop naming both, or rename the later ones ID~2, ID~3 "
      "(listed in renamed_ids.tsv)");
  flags.Custom(
      "verify", "estimate+containment|estimate|exact|containment|jaccard+containment",
      std::string(VerifyModeName(options.verify)),
      [&](absl::string_view v) -> absl::Status {
        DUBARE_ASSIGN_OR_RETURN(options.verify, ParseVerifyMode(v));
        return absl::OkStatus();
      },
      "score of a candidate: signature estimates of Jaccard or containment, the Jaccard "
      "estimate alone, exact Jaccard, exact containment, or exact Jaccard with a containment "
      "rule (the last three keep shingle sets in memory)");
  flags.Double("containment-threshold", &options.containment_threshold, 0.01, 1.0,
               "--verify estimate+containment, jaccard+containment: a pair under --threshold is "
               "still a duplicate when this share of the shorter text's shingles is in the longer");
  flags.Double("containment-ratio", &options.containment_ratio, 0.01, 1.0,
               "the shortest text containment looks for, as a share of the longer one");
  flags.Uint("min-shingles", &options.min_shingles, 1, 1u << 30,
             "a document with fewer shingles cannot be judged: rejected as too_short unless "
             "it has identical copies (1 = judge every document)");
  flags.Custom(
      "keep", "first|longest|earliest:FIELD", options.keep.ToString(),
      [&](absl::string_view v) -> absl::Status {
        DUBARE_ASSIGN_OR_RETURN(options.keep, KeepPolicy::Parse(v));
        return absl::OkStatus();
      },
      "which member of a cluster is kept; ties go to the smaller id");
  flags.Int("threads", &options.threads, 0, 1024, "worker threads (0 = all cores)");
  AddReaderFlags(flags, &job.reader);
  flags.Bool("copy-files", &job.copy_files, "whole-file inputs: copy kept files to DIR/files/");
  flags.String("work-dir", &job.work_dir,
               "keep each process's sketches here; a later run over the same inputs and sketch "
               "settings reads them back instead of sketching (docs/distributed.md)");
  flags.Uint("max-bucket", &options.max_bucket_size, 2, 1u << 30,
             "LSH buckets larger than this are linked as a star, not all pairs");
  progress.AddTo(flags);

  std::vector<std::string> inputs;
  int exit_code = kExitOk;
  if (!ParseOrExit(flags, argc, argv, &inputs, &exit_code)) return exit_code;
  if (job.out_dir.empty() || inputs.empty()) {
    std::fprintf(stderr, "dubare dedup: %s\n\n%s",
                 job.out_dir.empty() ? "--out DIR is required" : "no INPUT given",
                 flags.Help().c_str());
    return kExitUsage;
  }
  if (absl::Status s = job.Validate(); !s.ok()) return UsageFail("dedup", s);
  // Under mpirun or srun: one process per rank, each reading its share
  // (docs/distributed.md); rank 0 alone prints.
  bool speaks = true;
#ifdef DUBARE_HAVE_MPI
  std::unique_ptr<MpiSession> mpi;
  if (LaunchedByMpi()) {
    absl::StatusOr<std::unique_ptr<MpiSession>> session = MpiSession::Start();
    if (!session.ok()) return Fail("dedup", session.status());
    mpi = *std::move(session);
    job.communicator = &mpi->world();
    speaks = mpi->world().rank() == 0;
  }
#endif
  ProgressPrinter printer("dubare dedup", progress.enabled && speaks, stderr,
                          progress.interval_seconds);
  job.progress = printer.Callback();
  absl::StatusOr<DedupSummary> summary = RunDedupJob(inputs, job);
  printer.Done();
  if (!summary.ok()) return speaks ? Fail("dedup", summary.status()) : kExitError;
  if (speaks) std::fputs(summary->ToText().c_str(), stdout);
  // Inputs of which not one could be read are a failed run for a script,
  // though the outputs (rejected.tsv) are written.
  if (summary->inputs > 0 && summary->documents == 0) {
    if (speaks) {
      std::fprintf(stderr, "dubare dedup: none of the %llu inputs is a document that can be judged (see %s/rejected.tsv)\n",
                   static_cast<unsigned long long>(summary->inputs), job.out_dir.c_str());
    }
    return kExitError;
  }
  return kExitOk;
}

}  // namespace dubare::tools
