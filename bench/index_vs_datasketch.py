#!/usr/bin/env python3
"""`dubare index add` against datasketch's persistent-index recipe, in one run.

Both build an index of every article of the same JSON Lines file and say,
for each, whether an earlier one is a near-duplicate: `dubare index create`
and `dubare index add` (whole processes, an SQLite file), against a Python
process that parses the file, makes MinHash(128) of word 2-grams, queries
and inserts each into a MinHashLSH(0.4) and pickles the index to a file (the
way datasketch users keep an in-memory index between crawls). The Dubare
runs alternate with those of a second build when --baseline names one; the
medians are compared, and the ratio to datasketch is printed.

datasketch is not a dependency: it is imported from DATASKETCH_SRC (a folder
with its source, e.g. unpacked from ekzhu/datasketch with git archive) and,
when absent, this script says so and measures Dubare alone.

    DATASKETCH_SRC=/tmp/datasketch_src /usr/bin/python3 \\
        bench/index_vs_datasketch.py build/dubare corpus.jsonl [--runs 5] [--baseline OLD]
"""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dedup_vs_datasketch import (alternate, datasketch_env, parse_comparison_args,  # noqa: E402
                                 print_medians, print_ratios, timed)  # (bench/ is not a package)

# Query, then insert every article; then persist the index, as its users do.
DATASKETCH_INDEX = r"""
import pickle, sys
sys.path.insert(0, sys.argv[5])
from python_vs_datasketch import load, word_bigram_minhash
from datasketch import MinHash, MinHashLSH
docs = load(sys.argv[1], 0)
threshold, num_perm = float(sys.argv[2]), int(sys.argv[3])
lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
duplicates = 0
for d in docs:
    m = word_bigram_minhash(MinHash, d["text"], num_perm)
    if lsh.query(m):
        duplicates += 1
    lsh.insert(d["id"], m)
with open(sys.argv[4], "wb") as f:
    pickle.dump(lsh, f)
print(duplicates)
"""


def dubare_index_run(binary, corpus, index):
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(index + suffix):
            os.remove(index + suffix)
    create_wall, create_cpu, _ = timed([binary, "index", "create", index])
    add_wall, add_cpu, out = timed([binary, "index", "add", "--progress=false", index, corpus])
    return create_wall + add_wall, create_cpu + add_cpu, out


def main():
    args, articles, builds = parse_comparison_args(__doc__)
    with tempfile.TemporaryDirectory(prefix="dubare_index_vs_ds_") as scratch:
        times, _ = alternate(
            builds, args.runs,
            lambda name, binary: dubare_index_run(binary, args.corpus,
                                                  os.path.join(scratch, name + ".idx")))
        print(f"{articles} articles, {os.path.getsize(args.corpus) / 1e6:.1f} MB: {args.corpus}")
        medians = print_medians(
            builds, times, args.runs,
            lambda name, wall, cpu: (f"index create + add, median of {args.runs}: {wall:6.3f} s "
                                     f"wall, {cpu:6.3f} s CPU ({articles / wall:,.0f} articles/s)"))

        env = datasketch_env()
        if env is None:
            return 0
        wall, cpu, out = timed(["/usr/bin/python3", "-c", DATASKETCH_INDEX, args.corpus,
                                str(args.threshold), str(args.num_perm),
                                os.path.join(scratch, "datasketch.pickle"),
                                os.path.dirname(os.path.abspath(__file__))], env=env)
        print(f"datasketch MinHashLSH({args.threshold}) query + insert + pickle: {wall:6.2f} s wall, "
              f"{cpu:6.2f} s CPU; {out.strip()} articles with an earlier match")
        print_ratios(medians, wall, "whole processes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
