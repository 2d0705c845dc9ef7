#!/usr/bin/env bash
# Sets up and builds (scripts/setup.sh), then runs the whole test suite.
#   DUBARE_TEST_SANITIZE=1  afterwards also run scripts/sanitize.sh (the suite under
#                           ASan+UBSan, the parallel pipeline tests under TSan). Off by
#                           default: with it a clean run on 2 cores exceeds the 30-minute
#                           CI budget (docs/hostile-input.md has the estimate).
set -euo pipefail
cd "$(dirname "$0")/.."
DUBARE_WITH_TEST_DEPS=1 bash scripts/setup.sh
build_dir="${DUBARE_BUILD_DIR:-build}"
ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)" --timeout 900
if [[ "${DUBARE_TEST_SANITIZE:-0}" == 1 ]]; then
  bash scripts/sanitize.sh all
fi
