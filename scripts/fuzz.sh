#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) and runs one or all of them.
#   scripts/fuzz.sh TARGET|all [SECONDS]   (default 60 s per target)
#   TARGET is a fuzz/*_fuzz.cc name without .cc, e.g. normalize_fuzz.
# The working corpus grows in $DUBARE_FUZZ_DIR/TARGET (default out/fuzz/TARGET),
# seeded from fuzz/seeds/TARGET; crashes are written there as crash-* files and
# the script exits non-zero. A summary line per target goes to stdout.
#   DUBARE_FUZZ_BUILD_DIR  build directory (default: build-fuzz)
#   DUBARE_FUZZ_JOBS       targets run at once for "all" (default: 1)
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: scripts/fuzz.sh TARGET|all [SECONDS]}"
seconds="${2:-60}"
build_dir="${DUBARE_FUZZ_BUILD_DIR:-build-fuzz}"
out_root="${DUBARE_FUZZ_DIR:-out/fuzz}"
jobs="${DUBARE_FUZZ_JOBS:-1}"

all_targets=()
for f in fuzz/*_fuzz.cc; do all_targets+=("$(basename "$f" .cc)"); done
if [[ "$target" == all ]]; then targets=("${all_targets[@]}"); else targets=("$target"); fi

if ! command -v clang++ >/dev/null; then
  echo "fuzz: needs clang++ and libFuzzer (Debian: apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
fi
if [[ ! -f "$build_dir/build.ninja" ]]; then
  CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDUBARE_FUZZ=ON >/dev/null
fi
cmake --build "$build_dir" --target "${targets[@]}" --parallel "$(nproc)"

# Largest input per target: index files need room for a few SQLite pages.
max_len() { [[ "$1" == index_open_fuzz ]] && echo 65536 || echo 8192; }

run_one() {
  local t="$1" dir="$out_root/$1"
  mkdir -p "$dir"
  local log="$dir/fuzz.log"
  local start=$SECONDS rc=0
  # Leak checks are off: the targets keep per-option caches for the whole run.
  (cd "$dir" && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
     "$OLDPWD/$build_dir/$t" -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=25 \
     -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=./ corpus "$OLDPWD/fuzz/seeds/$t" \
     >"$(basename "$log")" 2>&1) || rc=$?
  local execs corpus files
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  # libFuzzer's corpus (units/size) at the end, and the files kept in the corpus directory.
  corpus=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2 || echo "?")
  files=$(find "$dir/corpus" -type f | wc -l)
  local outcome="no finding"
  ((rc == 0)) || outcome="FINDING (exit $rc; see $dir/crash-*, $log)"
  printf '%-20s %5ss  executions %-10s corpus %-12s files %-6s %s\n' "$t" "$((SECONDS - start))" \
    "$execs" "$corpus" "$files" "$outcome"
  return "$rc"
}

status=0
pids=()
for t in "${targets[@]}"; do
  mkdir -p "$out_root/$t/corpus"
  run_one "$t" & pids+=($!)
  if ((${#pids[@]} >= jobs)); then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit "$status"
