#!/usr/bin/env bash
# `mpirun -np K dubare dedup` for K = 1..4 against the single-process run on
# a corpus with everything a share can cut through: records without ids
# (FILE:LINE ids across a cut), malformed and blank lines, a gzip file (read
# whole by one rank), a directory of whole files, exact copies and keep
# policies. Every output must be byte-identical. Then the failures: a repeated
# id names both places, bad input under --strict names the rank, host and
# input, a rank killed mid-run ends the job and leaves no complete-looking
# output (the previous run stays whole).
#
#   bash tests/mpi/check.sh DUBARE DUBARE_GEN
set -euo pipefail
dubare=$(realpath "$1")
gen=$(realpath "$2")
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# No network interfaces needed between local ranks; quiet on machines without them.
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
mpi() { local n=$1; shift; mpirun --oversubscribe -np "$n" "$@"; }
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

"$gen" --docs 2500 --out gen --seed 11 --words 120 >/dev/null 2>&1
mkdir -p in/files
# Every 7th record without an id; a malformed and a blank line in the middle.
awk 'NR % 7 == 0 { sub(/"id":"[^"]*",/, "") } { print } NR == 1200 { print "{\"id\": broken"; print "" }' \
  gen/corpus.jsonl > in/a.jsonl
head -n 300 gen/corpus.jsonl | sed 's/"id":"/"id":"gz-/' | gzip > in/b.jsonl.gz
cp "$src"/corpus/press/* in/files/
for f in "$src"/corpus/press/*; do cp "$f" "in/files/copy-of-$(basename "$f")"; done
tail -n 400 gen/corpus.jsonl | sed 's/"id":"/"id":"c-/' > in/c.jsonl

outputs="pairs.tsv clusters.jsonl duplicates.tsv kept.jsonl kept_files.txt rejected.tsv"
compare() {  # compare NAME DIR_A DIR_B
  for f in $outputs; do
    if [[ -e "$2/$f" || -e "$3/$f" ]]; then
      cmp -s "$2/$f" "$3/$f" || fail "$1: $f differs"
    fi
  done
  for d in "$2" "$3"; do [[ -e "$d/.dubare-dedup" ]] || fail "$1: $d has no completion marker"; done
}

run_case() {  # run_case NAME FLAGS...
  local name=$1; shift
  "$dubare" dedup in/a.jsonl in/b.jsonl.gz in/files in/c.jsonl --out "one-$name" --progress=false "$@" >/dev/null
  [[ $(wc -l < "one-$name/pairs.tsv") -gt 100 ]] || fail "$name: too few pairs to be a test"
  for k in 1 2 3 4; do
    mpi "$k" "$dubare" dedup in/a.jsonl in/b.jsonl.gz in/files in/c.jsonl --out "mpi$k-$name" \
      --progress=false "$@" > "mpi$k-$name.log" 2>&1 || { fail "$name: np $k exited $?"; cat "mpi$k-$name.log" >&2; continue; }
    compare "$name, np $k" "one-$name" "mpi$k-$name"
    ls -A "mpi$k-$name" | grep -q 'part-' && fail "$name, np $k: parts left in the output"
  done
  echo "ok: $name (np 1..4 identical to one process)"
}

run_case defaults
run_case exact-earliest --verify exact --keep earliest:date
run_case containment-longest --verify jaccard+containment --keep longest --max-bucket 3
grep -q '"processes":4' mpi4-defaults/summary.json || fail "summary does not say 4 processes"
grep -Eq '"bytes_by_stage":\{"ids":[1-9][0-9]*,"exact":[0-9]+,"band_keys":[1-9]' mpi4-defaults/summary.json ||
  fail "summary lacks the bytes exchanged by stage"
# Ids made from FILE:LINE cross the cuts unchanged.
[[ $(grep -Ec 'in/a\.jsonl:[0-9]{4}' one-defaults/pairs.tsv) -gt 20 ]] ||
  fail "too few FILE:LINE ids past the first cut in the test corpus"

# A repeated id: both places named.
cp in/c.jsonl dup.jsonl
head -n 1 in/a.jsonl > first.jsonl
tail -n 1 first.jsonl >> dup.jsonl
if mpi 3 "$dubare" dedup in/a.jsonl dup.jsonl --out dupout --progress=false > dup.log 2>&1; then
  fail "a repeated id was accepted"
fi
grep -q "dup.jsonl:401: id '.*' is already the id of in/a.jsonl:1" dup.log ||
  { fail "repeated id message"; cat dup.log >&2; }
[[ ! -e dupout ]] || fail "a failed run left dupout"

# Bad input under --strict in the last rank's share: rank, host and input named.
cp in/c.jsonl strict.jsonl
echo '{"id": "x", "text": 5}' >> strict.jsonl
if mpi 3 "$dubare" dedup in/c.jsonl strict.jsonl --out strictout --strict --progress=false > strict.log 2>&1; then
  fail "--strict accepted bad input"
fi
grep -Eq "rank [0-9] on .*: strict.jsonl:401: text_not_string" strict.log ||
  { fail "--strict message"; cat strict.log >&2; }
[[ ! -e strictout ]] || fail "a failed run left strictout"

# A rank killed mid-run: the job ends, the previous output stays whole.
cp -r one-defaults previous
if DUBARE_TEST_KILL_RANK=1 mpi 3 -x DUBARE_TEST_KILL_RANK "$dubare" dedup in/a.jsonl in/c.jsonl \
     --out previous --progress=false > kill.log 2>&1; then
  fail "the job went on after a rank died"
fi
grep -Eiq "rank 1|signal 9|killed" kill.log || { fail "kill message does not name the rank"; cat kill.log >&2; }
compare "killed run" one-defaults previous
echo "ok: failures (repeated id, --strict, killed rank)"

# --work-dir: a run killed after sketching is restarted without sketching
# again, and gives the same outputs; changed input is sketched again.
if DUBARE_TEST_KILL_RANK=2 mpi 3 -x DUBARE_TEST_KILL_RANK "$dubare" dedup in/a.jsonl in/b.jsonl.gz in/files in/c.jsonl \
     --out restart --work-dir work --progress=false > restart1.log 2>&1; then
  fail "the job with a killed rank succeeded"
fi
[[ $(ls work | wc -l) == 3 ]] || fail "work dir: $(ls work | tr '\n' ' ')"
[[ ! -e restart ]] || fail "a killed run left its output"
mpi 3 "$dubare" dedup in/a.jsonl in/b.jsonl.gz in/files in/c.jsonl --out restart --work-dir work \
  --progress=false > restart2.log 2>&1 || { fail "restart"; cat restart2.log >&2; }
grep -q '"sketches_reused":true' restart/summary.json || fail "the restart sketched again"
compare "restart" one-defaults restart
# One process has a share file of its own (share-0-of-1): it sketches anew.
"$dubare" dedup in/a.jsonl in/b.jsonl.gz in/files in/c.jsonl --out restart1p --work-dir work --progress=false >/dev/null
grep -q 'sketches_reused' restart1p/summary.json && fail "1 process reused 3-process shares"
compare "one process with --work-dir" one-defaults restart1p
touch -d '2001-01-01' in/c.jsonl
mpi 3 "$dubare" dedup in/a.jsonl in/b.jsonl.gz in/files in/c.jsonl --out restart3 --work-dir work \
  --progress=false > restart3.log 2>&1 || fail "run after touching an input"
grep -q 'sketches_reused' restart3/summary.json && fail "sketches of a changed input were reused"
compare "changed input" one-defaults restart3
echo "ok: --work-dir (restart after a killed rank, changed input)"

# `dubare` itself does not load MPI: it hands a dedup under a launcher to its
# twin dubare-mpi beside it, and without the twin it refuses, not runs one
# whole dedup per rank.
if command -v ldd >/dev/null && ldd "$dubare" | grep -q libmpi; then fail "dubare loads MPI"; fi
mkdir lonely && cp "$dubare" lonely/dubare
if OMPI_COMM_WORLD_SIZE=2 lonely/dubare dedup in/c.jsonl --out lonely/out > lonely.log 2>&1; then
  fail "a dedup under a launcher without dubare-mpi succeeded"
fi
grep -q 'no MPI runner' lonely.log || { fail "no twin: message"; cat lonely.log >&2; }
[[ ! -e lonely/out ]] || fail "no twin: an output was written"
echo "ok: dubare hands MPI runs to dubare-mpi"

if ((failures)); then
  echo "$failures failure(s)" >&2
  exit 1
fi
