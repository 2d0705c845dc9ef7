// Copyright 2026 The Dubare Authors.
//
// dubare dedup: near-duplicate removal (dedup.h).

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "commands.h"
#include "dubare/dedup.h"
#include "flags.h"

namespace dubare::tools {

int RunDedup(int argc, char** argv) {
  DedupOptions options;
  FlagSet flags(
      "dedup [options] INPUT... --out DIR",
      "Finds near-duplicate documents in files, directories, JSON Lines or text lines (- = stdin),\n"
      "groups them into clusters and writes the deduplicated corpus, clusters.jsonl, pairs.tsv,\n"
      "duplicates.tsv, rejected.tsv and summary.json into DIR (see docs/dedup.md).");
  flags.String("out", &options.out_dir, "output directory (required; created if missing)");
  flags.Double("threshold", &options.threshold, 0.01, 1.0,
               "similarity a pair needs: Jaccard, or containment with --verify containment");
  flags.Custom(
      "method", "minhash|simhash", DedupMethodName(options.method),
      [&](absl::string_view v) -> absl::Status {
        absl::StatusOr<DedupMethod> m = ParseDedupMethod(v);
        if (!m.ok()) return m.status();
        options.method = *m;
        return absl::OkStatus();
      },
      "candidate search: MinHash LSH or SimHash permuted tables");
  flags.Uint("num-perm", &options.num_perm, 64, 1024, "MinHash values per document");
  flags.Custom(
      "minhash", "classic|oneperm", std::string(MinHashMethodName(options.minhash)),
      [&](absl::string_view v) -> absl::Status {
        absl::StatusOr<MinHashMethod> m = ParseMinHashMethod(v);
        if (!m.ok()) return m.status();
        options.minhash = *m;
        return absl::OkStatus();
      },
      "MinHash: K hash functions, or one-permutation hashing (faster, same accuracy)");
  flags.Uint("bands", &options.bands, 0, 1024, "LSH bands (0 = chosen for --threshold)");
  flags.Uint("rows", &options.rows, 0, 1024, "LSH rows per band (0 = chosen for --threshold)");
  flags.Int("hamming", &options.hamming, 0, 31, "SimHash: maximal Hamming distance");
  flags.Custom(
      "shingle", "word:N|char:N",
      absl::StrCat(options.shingle.kind == ShingleKind::kWord ? "word:" : "char:",
                   options.shingle.size),
      [&](absl::string_view v) -> absl::Status {
        const size_t colon = v.find(':');
        int size = 0;
        absl::string_view kind = v.substr(0, colon);
        if (colon == absl::string_view::npos || (kind != "word" && kind != "char") ||
            !absl::SimpleAtoi(v.substr(colon + 1), &size)) {
          return absl::InvalidArgumentError(
              absl::StrCat("--shingle: '", v, "' is not word:N or char:N"));
        }
        options.shingle.kind = kind == "word" ? ShingleKind::kWord : ShingleKind::kChar;
        options.shingle.size = size;
        return options.shingle.Validate();
      },
      "shingles: k consecutive words or characters of the match-key text");
  flags.Custom(
      "verify", "estimate|exact|containment", VerifyModeName(options.verify),
      [&](absl::string_view v) -> absl::Status {
        absl::StatusOr<VerifyMode> m = ParseVerifyMode(v);
        if (!m.ok()) return m.status();
        options.verify = *m;
        return absl::OkStatus();
      },
      "score of a candidate: signature estimate, exact Jaccard, or containment (keeps shingle "
      "sets in memory)");
  flags.Custom(
      "keep", "first|longest|earliest:FIELD", options.keep.ToString(),
      [&](absl::string_view v) -> absl::Status {
        absl::StatusOr<KeepPolicy> k = KeepPolicy::Parse(v);
        if (!k.ok()) return k.status();
        options.keep = *k;
        return absl::OkStatus();
      },
      "which member of a cluster is kept; ties go to the smaller id");
  flags.Int("threads", &options.threads, 0, 1024, "worker threads (0 = all cores)");
  AddReaderFlags(flags, &options.reader);
  flags.Bool("copy-files", &options.copy_files, "whole-file inputs: copy kept files to DIR/files/");
  flags.Uint("max-bucket", &options.max_bucket_size, 2, 1u << 30,
             "LSH buckets larger than this are linked as a star, not all pairs");
  flags.Bool("progress", &options.progress, "progress on stderr when it is a terminal");

  std::vector<std::string> inputs;
  int exit_code = kExitOk;
  if (!ParseOrExit(flags, argc, argv, &inputs, &exit_code)) return exit_code;
  if (options.out_dir.empty() || inputs.empty()) {
    std::fprintf(stderr, "dubare dedup: %s\n\n%s",
                 options.out_dir.empty() ? "--out DIR is required" : "no INPUT given",
                 flags.Help().c_str());
    return kExitUsage;
  }
  if (absl::Status s = options.Validate(); !s.ok()) return UsageFail("dedup", s);
  absl::StatusOr<DedupSummary> summary = RunDedup(inputs, options);
  if (!summary.ok()) return Fail("dedup", summary.status());
  std::fputs(summary->ToText().c_str(), stdout);
  return kExitOk;
}

}  // namespace dubare::tools
