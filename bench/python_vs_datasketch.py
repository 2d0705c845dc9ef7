#!/usr/bin/env python3
"""dubare.dedup against datasketch's usual MinHash + MinHashLSH loop, in one run.

Both read the same JSON Lines file and find the near-duplicates of every
document at Jaccard 0.4 over word 2-grams with 128 permutations; the times
are end to end (parsing included) and the ratio is printed. datasketch is
not a dependency: it is imported from DATASKETCH_SRC (a folder with its
source, e.g. unpacked from ekzhu/datasketch with git archive) and, when
absent, this script says so and measures Dubare alone.

    PYTHONPATH=build/python DATASKETCH_SRC=/tmp/datasketch_src \\
        /usr/bin/python3 bench/python_vs_datasketch.py corpus.jsonl [--limit N]
"""

import argparse
import json
import os
import sys
import time


def load(path, limit):
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            docs.append(json.loads(line))
            if limit and len(docs) >= limit:
                break
    return docs


def word_bigram_minhash(minhash_class, text, num_perm):
    """MinHash of a text's word 2-grams, as the usual datasketch loop makes it."""
    words = text.split()
    m = minhash_class(num_perm=num_perm)
    m.update_batch([f"{a} {b}".encode("utf-8") for a, b in zip(words, words[1:])])
    return m


def run_datasketch(docs, threshold, num_perm):
    from datasketch import MinHash, MinHashLSH  # noqa: imported from DATASKETCH_SRC
    start = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    duplicates = 0
    for d in docs:
        m = word_bigram_minhash(MinHash, d["text"], num_perm)
        if lsh.query(m):
            duplicates += 1
        else:
            lsh.insert(d["id"], m)
    return time.perf_counter() - start, duplicates


def run_dubare(docs, threshold, num_perm):
    import dubare  # outside the timer, as datasketch's import is
    start = time.perf_counter()
    result = dubare.dedup(docs, threshold=threshold, num_perm=num_perm)
    return time.perf_counter() - start, len(result.duplicates)


def run_update_batch(module, tokens, repeats=3):
    """Best of `repeats` for MinHash(128).update_batch(tokens) of `module`."""
    best = float("inf")
    for _ in range(repeats):
        m = module.MinHash(num_perm=128)
        start = time.perf_counter()
        m.update_batch(tokens)
        best = min(best, time.perf_counter() - start)
    return best, m.hashvalues


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--limit", type=int, default=0, help="first N documents only")
    parser.add_argument("--threshold", type=float, default=0.4)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--runs", type=int, default=5, help="dubare.dedup calls (the first is timed)")
    args = parser.parse_args()
    docs = load(args.corpus, args.limit)
    print(f"{len(docs)} documents from {args.corpus}")
    # The first call is what a script pays (fresh memory, the engine's tables
    # built); later ones reuse the process's memory. The ratio takes the first.
    runs = [run_dubare(docs, args.threshold, args.num_perm) for _ in range(args.runs)]
    seconds, dups = runs[0]
    warm = sorted(r[0] for r in runs[1:])
    warm_text = f"; later calls median {warm[len(warm) // 2]:.3f} s" if warm else ""
    print(f"dubare.dedup:            {seconds:8.3f} s (first call{warm_text}), "
          f"{dups} duplicates removed")
    src = os.environ.get("DATASKETCH_SRC")
    if not src or not os.path.isdir(os.path.join(src, "datasketch")):
        print("datasketch: not measured (set DATASKETCH_SRC to a folder with its source)")
        return 0
    sys.path.insert(0, src)
    ds_seconds, ds_dups = run_datasketch(docs, args.threshold, args.num_perm)
    print(f"datasketch MinHash+LSH:  {ds_seconds:8.2f} s, {ds_dups} documents with a match")
    print(f"ratio: dubare.dedup is {ds_seconds / seconds:.1f}x faster end to end (first call)")

    # The same loop with dubare.datasketch in place of datasketch.
    import datasketch
    import dubare.datasketch
    import numpy as np
    sys.modules["datasketch"] = dubare.datasketch
    try:
        compat_seconds, compat_dups = run_datasketch(docs, args.threshold, args.num_perm)
    finally:
        sys.modules["datasketch"] = datasketch
    print(f"dubare.datasketch loop:  {compat_seconds:8.2f} s, {compat_dups} documents with a match "
          f"({ds_seconds / compat_seconds:.1f}x datasketch)")

    tokens = [f"token-{i}".encode() for i in range(100_000)]
    ds_update, ds_values = run_update_batch(datasketch, tokens)
    dubare_update, dubare_values = run_update_batch(dubare.datasketch, tokens)
    assert np.array_equal(ds_values, dubare_values), "signatures differ from datasketch's"
    print(f"MinHash(128).update_batch of 100,000 tokens: datasketch {ds_update * 1e3:.1f} ms, "
          f"dubare.datasketch {dubare_update * 1e3:.1f} ms ({ds_update / dubare_update:.1f}x), "
          "signatures identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
