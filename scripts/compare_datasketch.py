#!/usr/bin/env python3
# Copyright 2026 The Dubare Authors.
"""Compares `dubare dedup` with datasketch's MinHashLSH on a generated corpus.

The corpus is a directory written by `dubare_gen` (corpus.jsonl, pairs.tsv).
Both tools get the same shingles: the match-key text from `dubare normalize
--form match`, split into words, word N-grams. datasketch uses 128
permutations and the same Jaccard threshold; pairs whose estimate is below the
threshold are dropped, as dubare's default verification does. Each tool's
pairs (all pairs inside a cluster) are scored against the truth in pairs.tsv.

    scripts/compare_datasketch.py --corpus /tmp/c20k --dubare build/dubare

datasketch is not installable on the project's machines (no PyPI): when it is
missing, dubare is still timed and scored and the datasketch half is skipped
with a message; the exit status is 0.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

SEPARATOR = "qqdubaredocsepqq"


def read_corpus(path):
    ids, texts = [], []
    with open(os.path.join(path, "corpus.jsonl"), encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            ids.append(record["id"])
            texts.append(record["text"])
    return ids, texts


def read_truth(path):
    truth = set()
    with open(os.path.join(path, "pairs.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            a, b = line.rstrip("\n").split("\t")[:2]
            truth.add((a, b))
    return truth


def match_keys(dubare, texts):
    """Match-key text of every document, from one `dubare normalize` run."""
    joined = f" {SEPARATOR} ".join(t.replace("\n", " ") for t in texts)
    out = subprocess.run([dubare, "normalize", "--form", "match", "-"], input=joined.encode(),
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    keys = [k.strip() for k in out.split(SEPARATOR)]
    if len(keys) != len(texts):
        sys.exit("compare_datasketch: the document separator did not survive normalization")
    return keys


def default_ngram(dubare):
    """The word shingle size `dubare dedup --help` shows as its default."""
    help_text = subprocess.run([dubare, "dedup", "--help"], stdout=subprocess.PIPE,
                               check=True).stdout.decode()
    match = re.search(r"--shingle .*\(default: word:(\d+)\)", help_text)
    if not match:
        sys.exit("compare_datasketch: cannot find the default --shingle in dubare dedup --help")
    return int(match.group(1))


def shingles(text, n):
    words = text.split()
    if len(words) < n:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def cluster_pairs(clusters, order):
    pairs = set()
    for members in clusters:
        members = sorted(members, key=order.get)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                pairs.add((a, b))
    return pairs


def score(pairs, truth):
    hits = len(pairs & truth)
    precision = hits / len(pairs) if pairs else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


def run_dubare(args, order, truth):
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([args.dubare, "dedup", "--threshold", str(args.threshold), "--num-perm",
                        str(args.num_perm), "--shingle", f"word:{args.ngram}", "--out", out,
                        os.path.join(args.corpus, "corpus.jsonl")],
                       check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        clusters = {}
        with open(os.path.join(out, "duplicates.tsv"), encoding="utf-8") as f:
            next(f)
            for line in f:
                doc, cluster, rep = line.rstrip("\n").split("\t")[:3]
                clusters.setdefault(cluster, {rep}).add(doc)
    return seconds, score(cluster_pairs(clusters.values(), order), truth)


def run_datasketch(args, ids, texts, order, truth):
    from datasketch import MinHash, MinHashLSH  # noqa: imported only when present

    start = time.perf_counter()
    keys = match_keys(args.dubare, texts)
    lsh = MinHashLSH(threshold=args.threshold, num_perm=args.num_perm)
    signatures = []
    for doc_id, key in zip(ids, keys):
        m = MinHash(num_perm=args.num_perm)
        m.update_batch([s.encode() for s in shingles(key, args.ngram)])
        signatures.append(m)
        lsh.insert(doc_id, m)
    parent = {i: i for i in ids}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc_id, m in zip(ids, signatures):
        for other in lsh.query(m):
            if other != doc_id and m.jaccard(signatures[order[other]]) >= args.threshold:
                parent[find(other)] = find(doc_id)
    seconds = time.perf_counter() - start
    clusters = {}
    for doc_id in ids:
        clusters.setdefault(find(doc_id), []).append(doc_id)
    groups = [c for c in clusters.values() if len(c) > 1]
    return seconds, score(cluster_pairs(groups, order), truth)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", required=True, help="directory written by dubare_gen")
    parser.add_argument("--dubare", default="build/dubare", help="the dubare binary")
    parser.add_argument("--threshold", type=float, default=0.4)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--ngram", type=int, default=0,
                        help="word shingle size (default: dubare's own default)")
    args = parser.parse_args()
    if args.ngram == 0:
        args.ngram = default_ngram(args.dubare)

    ids, texts = read_corpus(args.corpus)
    order = {doc_id: i for i, doc_id in enumerate(ids)}
    truth = read_truth(args.corpus)
    print(f"corpus: {len(ids)} documents, {len(truth)} true pairs, threshold {args.threshold}, "
          f"word {args.ngram}-grams, {args.num_perm} permutations")

    seconds, (p, r, f1) = run_dubare(args, order, truth)
    print(f"dubare      {seconds:8.2f} s  precision {p:.4f} recall {r:.4f} F1 {f1:.4f}")
    try:
        import datasketch  # noqa: F401
    except ImportError:
        print("datasketch: not installed (PyPI is not reachable here); skipping its half of the "
              "comparison")
        return 0
    ds_seconds, (p, r, f1) = run_datasketch(args, ids, texts, order, truth)
    print(f"datasketch  {ds_seconds:8.2f} s  precision {p:.4f} recall {r:.4f} F1 {f1:.4f}")
    print(f"throughput ratio dubare/datasketch: {ds_seconds / seconds:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
