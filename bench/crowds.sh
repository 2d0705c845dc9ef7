#!/usr/bin/env bash
# Crowds of identical documents against all-distinct inputs of the same size,
# in one run: `dubare dedup` on 1,000,000 one-word lines (5,000 distinct
# texts vs all distinct) and `dubare index add` of 100,000 twelve-word lines
# (100 distinct texts vs all distinct). Prints wall seconds and peak RSS.
#
#   bash bench/crowds.sh [build/dubare] [scratch dir]
set -euo pipefail
bin=${1:-build/dubare}
work=${2:-$(mktemp -d)}
mkdir -p "$work"
/usr/bin/python3 - "$work" <<'PY'
import random, sys
work = sys.argv[1]
rng = random.Random(1)
def word(n): return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))
few = [word(8) for _ in range(5000)]
with open(f"{work}/dedup_crowd.txt", "w") as f:
    f.writelines(rng.choice(few) + "\n" for _ in range(1_000_000))
with open(f"{work}/dedup_distinct.txt", "w") as f:
    f.writelines(word(8) + "\n" for _ in range(1_000_000))
few = [" ".join(word(7) for _ in range(12)) for _ in range(100)]
with open(f"{work}/index_crowd.txt", "w") as f:
    f.writelines(rng.choice(few) + "\n" for _ in range(100_000))
with open(f"{work}/index_distinct.txt", "w") as f:
    f.writelines(" ".join(word(7) for _ in range(12)) + "\n" for _ in range(100_000))
PY
measure() {  # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null 2>&1
  read -r secs kb < "$work/time"
  printf '%-28s %7.2f s %8.0f MiB\n' "$label" "$secs" "$((kb / 1024))"
}
nproc_=$(nproc); echo "$(lscpu | sed -n 's/^Model name: *//p'), $nproc_ cores, load $(cut -d' ' -f1 /proc/loadavg)"
for kind in crowd distinct; do
  measure "dedup, 1M lines, $kind" "$bin" dedup "$work/dedup_$kind.txt" --input-format lines --out "$work/out_$kind"
done
for kind in crowd distinct; do
  rm -f "$work/$kind.idx"*
  "$bin" index create "$work/$kind.idx" > /dev/null
  measure "index add, 100k, $kind" "$bin" index add "$work/$kind.idx" "$work/index_$kind.txt" --input-format lines
done
