#!/usr/bin/env bash
# Builds and runs the test suite under sanitizers (GCC, like the normal build:
# Debian's Abseil and GoogleTest are built with GCC).
#   scripts/sanitize.sh asan   the whole suite with AddressSanitizer + UBSan (build-asan/)
#   scripts/sanitize.sh tsan   the parallel pipeline tests (dedup, dist, jobs, index, passages) with
#                              ThreadSanitizer (build-tsan/)
#   scripts/sanitize.sh all    both (default)
# Any sanitizer report fails the run (halt_on_error / -fno-sanitize-recover).
#   DUBARE_ASAN_BUILD_DIR, DUBARE_TSAN_BUILD_DIR  build directories
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
jobs="$(nproc)"
# -O1 -g1 (line tables only) compiles in half the CPU time of -O2 -g and is
# what the sanitizers recommend; asserts in headers stay on (no NDEBUG).
# A unity build (each target's sources compiled as one) halves it again: the
# test files each parse GoogleTest and Abseil once per target, not once per
# file (ASan build 174 s against ~380 s on 2 cores). The normal build stays
# file by file, so a missing #include still fails there.
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1"
       -DDUBARE_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD=ON)

run_asan() {
  local dir="${DUBARE_ASAN_BUILD_DIR:-build-asan}"
  cmake -S . -B "$dir" -G Ninja "${flags[@]}" -DDUBARE_SANITIZE=ON >/dev/null
  cmake --build "$dir" --parallel "$jobs"
  # detect_leaks: on; the suite must not leak.
  # BrowserTest times Chromium loading pages; the same pages are rendered
  # under the sanitizers by report_html_test.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure --parallel "$jobs" --timeout 900 -E '^BrowserTest\.'
}

run_tsan() {
  local dir="${DUBARE_TSAN_BUILD_DIR:-build-tsan}"
  cmake -S . -B "$dir" -G Ninja "${flags[@]}" -DDUBARE_TSAN=ON >/dev/null
  cmake --build "$dir" --parallel "$jobs" --target dedup_test dist_test jobs_test index_test passages_test dubare_cli
  # The test executables are run directly: ctest would run the whole suite.
  # Not here: the crash test (its children die by SIGKILL, so ThreadSanitizer
  # never reports for them) and the browser test (Chromium's time).
  local t
  for t in dedup_test dist_test jobs_test index_test passages_test; do
    echo "sanitize: $t under ThreadSanitizer"
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 DUBARE_BIN="$PWD/$dir/dubare" \
      "$dir/$t" --gtest_brief=1 --gtest_filter='-IndexCrashTest.*:BrowserTest.*'
  done
}

timed() {
  local start=$SECONDS
  "$@"
  echo "sanitize: $1 took $((SECONDS - start)) s"
}

case "$what" in
  asan) timed run_asan ;;
  tsan) timed run_tsan ;;
  all) timed run_asan; timed run_tsan ;;
  *) echo "usage: scripts/sanitize.sh [asan|tsan|all]" >&2; exit 2 ;;
esac
