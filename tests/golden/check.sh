#!/usr/bin/env bash
# The CLI's outputs on the fixtures, compared byte for byte with the files in
# tests/golden/expected/ (checked in before the library API was redesigned,
# issue 15): every command must print and write what it did before.
#
#   tests/golden/check.sh DUBARE_BIN            compare (a ctest test)
#   tests/golden/check.sh DUBARE_BIN --update   rewrite expected/ (review the diff!)
#
# Figures that depend on the machine (seconds, peak memory, threads, file
# sizes of an index) are masked before comparing.
set -euo pipefail
bin="$(realpath "$1")"
mode="${2:-check}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
expected="$here/expected"
work="$(mktemp -d "${TMPDIR:-/tmp}/dubare-golden.XXXXXX")"
trap 'rm -rf "$work"' EXIT
actual="$work/actual"
mkdir -p "$actual"

# Machine-dependent figures: summary lines and JSON fields.
mask() {
  sed -E \
    -e 's/"(seconds|sketch_seconds|group_seconds|verify_seconds|output_seconds)":[0-9.e+-]+/"\1":0/g' \
    -e 's/"peak_rss_bytes":[0-9]+/"peak_rss_bytes":0/g' \
    -e 's/"threads":[0-9]+/"threads":0/g' \
    -e 's/^time .*/time (masked)/' \
    -e 's/^memory .*/memory (masked)/' \
    -e 's/^(file_bytes|free_bytes|wal_bytes|bytes_per_document|filter_memory_bytes|created_at|last_batch_at|seconds): .*/\1: (masked)/' \
    -e 's/in [0-9.]+ s\b/in (masked) s/g' \
    -e 's/[0-9.]+ documents\/s/(masked) documents\/s/g'
}

# Large outputs are kept as a checksum and a line count, not checked in whole.
keep() {
  local to="$1"
  mask >"$to"
  if (($(stat -c %s "$to") > 65536)); then
    local sum lines
    sum="$(sha256sum <"$to" | cut -c1-64)"
    lines="$(wc -l <"$to")"
    echo "sha256 $sum lines $lines" >"$to"
  fi
}

# run NAME CMD...: stdout and the exit code of `dubare CMD...` (run in the
# repository root, so paths are relative) into actual/NAME.
run() {
  local name="$1"
  shift
  local code=0
  (cd "$root" && "$bin" "$@") >"$work/out" 2>"$work/err" || code=$?
  { cat "$work/out"; echo "exit $code"; } | keep "$actual/$name"
}

# dir NAME DIR: every file an output directory holds, masked, into actual/NAME.d/.
dir() {
  local name="$1" from="$2"
  mkdir -p "$actual/$name.d"
  (cd "$from" && find . -type f | LC_ALL=C sort) >"$actual/$name.d/FILES"
  while IFS= read -r f; do
    local flat="${f#./}"
    flat="${flat//\//__}"
    keep "$actual/$name.d/$flat" <"$from/$f"
  done <"$actual/$name.d/FILES"
}

press=(corpus/press/000_5291fdcf528d368e.txt corpus/press/001_69530e917d6fc09d.txt
       corpus/press/002_122282706c503a34.txt)
sample=tests/golden/news.jsonl

run normalize_press normalize "${press[1]}"
run normalize_match normalize --form match --no-keep-spaces "${press[0]}"
run sketch_press sketch "${press[@]}"
run sketch_simhash sketch --method simhash --shingle char:5 "${press[@]}"
run compare_press compare "${press[0]}" "${press[1]}"
run compare_self compare "${press[1]}" "${press[1]}"

for variant in default exact containment simhash oneperm; do
  case "$variant" in
    default) flags=() ;;
    exact) flags=(--verify exact --keep longest) ;;
    containment) flags=(--verify containment --threshold 0.6) ;;
    simhash) flags=(--method simhash --shingle char:5) ;;
    oneperm) flags=(--minhash oneperm --keep earliest:date --num-perm 256) ;;
  esac
  run "dedup_$variant" dedup "$sample" --out "$work/dedup_$variant" --threads 2 "${flags[@]}"
  dir "dedup_$variant" "$work/dedup_$variant"
done
run dedup_files dedup corpus/press --out "$work/dedup_files" --threshold 0.2
dir dedup_files "$work/dedup_files"

run passages_text passages corpus/press
run passages_json passages corpus/press --format json
run passages_html passages corpus/press --format html --out "$work/passages_html"
dir passages_html "$work/passages_html"
run passages_sample passages "$sample" --format json --threads 2

idx="$work/news.idx"
run index_create index create "$idx"
run index_add index add "$idx" "$sample" --meta date
run index_query index query "$idx" "${press[@]}"
run index_stats index stats "$idx"

if [[ "$mode" == --update ]]; then
  rm -rf "$expected"
  cp -r "$actual" "$expected"
  echo "golden: expected/ rewritten ($(find "$expected" -type f | wc -l) files)"
  exit 0
fi
if diff -r "$expected" "$actual" >"$work/diff"; then
  echo "golden: $(find "$expected" -type f | wc -l) outputs identical"
  exit 0
fi
head -c 20000 "$work/diff"
echo "golden: outputs differ from tests/golden/expected (see the diff above)" >&2
exit 1
