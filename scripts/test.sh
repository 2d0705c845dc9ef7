#!/usr/bin/env bash
# Sets up and builds (scripts/setup.sh), runs the whole test suite, then runs it
# again under sanitizers (scripts/sanitize.sh all: the suite under ASan+UBSan,
# the parallel pipeline tests under TSan). This is what CI runs.
#   DUBARE_TEST_SANITIZE=0  skip the sanitizer runs (a quick local check)
set -euo pipefail
cd "$(dirname "$0")/.."
DUBARE_WITH_TEST_DEPS=1 bash scripts/setup.sh
build_dir="${DUBARE_BUILD_DIR:-build}"
ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)" --timeout 900
if [[ "${DUBARE_TEST_SANITIZE:-1}" != 0 ]]; then
  bash scripts/sanitize.sh all
fi
