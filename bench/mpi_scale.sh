#!/usr/bin/env bash
# `dubare dedup` on one corpus by one process and by `mpirun -np N` for each
# N given, in one run: wall time, CPU (user+sys over all ranks), peak RSS per
# rank, bytes exchanged per document, and whether every output is
# byte-identical to the single-process run. Prints Markdown for
# bench/RESULTS.md.
#
#   bash bench/mpi_scale.sh build/dubare CORPUS.jsonl [N...]   (default N: 1 2 4)
#
# The 1,000,000-document corpus: build/dubare_gen --docs 1000000 --out /tmp/c1m
# DUBARE_FLAGS: extra dedup flags for the MPI runs (e.g. "--threads 1" when the
# ranks share the cores). Ranks are not bound to cores (--bind-to none): each
# runs its own threads.
set -euo pipefail
dubare=$(realpath "$1")
corpus=$(realpath "$2")
shift 2
ns=(1 2 4)
[[ $# -gt 0 ]] && ns=("$@")
work=$(mktemp -d "${TMPDIR:-/tmp}/dubare-mpi-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
docs=$(wc -l < "$corpus")
outputs="pairs.tsv clusters.jsonl duplicates.tsv kept.jsonl rejected.tsv"

run() {  # run NAME COMMAND...: prints "wall cpu maxrss_per_rank..."
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$work/$name.out" 2> "$work/$name.err"
  t1=$(date +%s.%N)
  local cpu rss
  cpu=$(awk '/^RANK /{s += $3 + $4} END {printf "%.1f", s}' "$work/$name.err")
  rss=$(awk '/^RANK /{printf "%s%.0f", sep, $2 / 1024; sep=" / "}' "$work/$name.err")
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') $cpu $rss"
}

echo "corpus: $corpus ($docs documents, $(du -h "$corpus" | cut -f1)); $(nproc) cores"
echo
echo "| processes | wall | CPU (all ranks) | peak RSS per rank (MiB) | exchanged per document | outputs |"
echo "|---|---|---|---|---|---|"
tfmt='RANK %M %U %S'
read -r wall cpu rss < <(run one /usr/bin/time -f "$tfmt" "$dubare" dedup "$corpus" --out "$work/one" --progress=false)
echo "| 1, no mpirun | $wall s | $cpu s | $rss | — | reference |"
for n in "${ns[@]}"; do
  read -r wall cpu rss < <(run "np$n" mpirun --oversubscribe --bind-to none -np "$n" /usr/bin/time -f "$tfmt" \
    "$dubare" dedup "$corpus" --out "$work/np$n" --progress=false ${DUBARE_FLAGS:-})
  same=identical
  for f in $outputs; do cmp -s "$work/one/$f" "$work/np$n/$f" || same="$f differs"; done
  bytes=$(grep -o '"bytes_exchanged":[0-9]*' "$work/np$n/summary.json" | cut -d: -f2 || true)
  per=$(awk -v b="${bytes:-0}" -v d="$docs" 'BEGIN {printf "%.0f", b / d}')
  echo "| $n | $wall s | $cpu s | $rss | $per B | $same |"
  rm -rf "$work/np$n"
done
echo
echo "single-process summary: $(tr -d '\n' < "$work/one/summary.json")"
