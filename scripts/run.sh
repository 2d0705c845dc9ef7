#!/usr/bin/env bash
# Sets up and builds (scripts/setup.sh), then runs the main job on corpus/press/
# (the press reports the project started from; corpus/samples/ holds the
# inputs of the documentation's examples):
# the repeated-passage report, written to out/passages/ (for a browser: index.html)
# and out/passages.txt (for a terminal; also printed here).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build_dir="${DUBARE_BUILD_DIR:-build}"
mkdir -p out
"$build_dir/dubare" passages corpus/press/ --format html --title "Repeated passages in corpus/press/" \
  --out out/passages
"$build_dir/dubare" passages corpus/press/ --format text --color never --out out/passages.txt
cat out/passages.txt
echo
echo "run: repeated-passage report of corpus/press/ written to out/passages/ (open out/passages/index.html in a browser)"
echo "     and out/passages.txt (the text above); JSON Lines: $build_dir/dubare passages corpus/press/ --format json"
