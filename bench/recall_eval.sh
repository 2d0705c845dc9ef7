#!/usr/bin/env bash
# Precision and recall of `dubare dedup` on re-published real Sorani news
# (tests/eval/republish.h: Kurdish-BLARK cut into articles, copies made by
# eleven kinds of edit at three intensities, same-topic articles as
# negatives), at the defaults and with the other settings, in one run. Needs
# ../shared/corpus/blark; prints Markdown for bench/RESULTS.md.
#
#   bash bench/recall_eval.sh [build]
set -euo pipefail
build=${1:-build}
DUBARE_EVAL_ALTERNATIVES=1 "$build/eval_test" --gtest_filter='RepublishEvalTest.*' 2>&1 |
  grep -v '^\[' | grep -v '^Running main' | grep -v '^Note:'
