#!/usr/bin/env bash
# Sets up and builds (scripts/setup.sh), then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
DUBARE_WITH_TEST_DEPS=1 bash scripts/setup.sh
build_dir="${DUBARE_BUILD_DIR:-build}"
ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)" --timeout 900
