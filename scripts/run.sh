#!/usr/bin/env bash
# Sets up and builds (scripts/setup.sh), then runs the main job on corpus/:
# the normalized text of every document, written to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build_dir="${DUBARE_BUILD_DIR:-build}"
mkdir -p out/normalized
for f in corpus/press/*.txt; do
  "$build_dir/dubare" normalize "$f" > "out/normalized/$(basename "$f")"
done
echo "run: normalized text of corpus/press/ written to out/normalized/"
