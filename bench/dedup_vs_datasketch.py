#!/usr/bin/env python3
"""`dubare dedup` against datasketch's usual MinHash + MinHashLSH loop, in one run.

Both are timed as whole processes on the same JSON Lines file: datasketch
(a Python process that parses the file, builds MinHash(128) of word 2-grams
and queries/inserts MinHashLSH(0.4), the loop its users write) and the
`dubare dedup` command at its defaults, writing its usual output folder.
The Dubare runs alternate with each other (and with a second build, when
--baseline names one) so that a shared, noisy machine treats them alike;
the datasketch run is in the same minutes. The ratio of the medians is
printed, with the CPU time per article.

datasketch is not a dependency: it is imported from DATASKETCH_SRC (a folder
with its source, e.g. unpacked from ekzhu/datasketch with git archive) and,
when absent, this script says so and measures Dubare alone.

    DATASKETCH_SRC=/tmp/datasketch_src /usr/bin/python3 \\
        bench/dedup_vs_datasketch.py build/dubare corpus.jsonl [--runs 5] [--baseline OLD]
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

# The loop of python_vs_datasketch.py (parsing included), in a process of its own.
DATASKETCH_LOOP = r"""
import sys
sys.path.insert(0, sys.argv[4])
from python_vs_datasketch import load, run_datasketch
_, duplicates = run_datasketch(load(sys.argv[1], 0), float(sys.argv[2]), int(sys.argv[3]))
print(duplicates)
"""


def timed(argv, env=None):
    """Wall seconds, CPU seconds (user + system of the child) and stdout of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def parse_comparison_args(doc, extra_arguments=lambda parser: None):
    """The arguments every Dubare-against-datasketch script takes; returns
    them, the corpus's article count and the builds to run, [(name, binary)]."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("dubare", help="the dubare binary")
    parser.add_argument("corpus", help="a JSON Lines file with id and text")
    parser.add_argument("--runs", type=int, default=5, help="Dubare runs per build (median)")
    parser.add_argument("--baseline", help="another dubare binary, run alternately (before/after)")
    parser.add_argument("--threshold", type=float, default=0.4)
    parser.add_argument("--num-perm", type=int, default=128)
    extra_arguments(parser)
    args = parser.parse_args()
    with open(args.corpus, encoding="utf-8") as f:
        articles = sum(1 for _ in f)
    builds = [("dubare", args.dubare)]
    if args.baseline:
        builds.append(("baseline", args.baseline))
    return args, articles, builds


def alternate(builds, runs, run_one):
    """run_one(name, binary) `runs` times for each build, the builds taking
    turns; returns {name: [(wall, cpu), ...]} and each build's last result."""
    times = {name: [] for name, _ in builds}
    last = {}
    for _ in range(runs):
        for name, binary in builds:
            wall, cpu, result = run_one(name, binary)
            times[name].append((wall, cpu))
            last[name] = result
    return times, last


def median_times(samples):
    """Median wall and CPU seconds of [(wall, cpu), ...]."""
    return (statistics.median(w for w, _ in samples), statistics.median(c for _, c in samples))


def print_medians(builds, times, runs, describe):
    """Prints one line per build, "NAME BINARY: " + describe(wall, cpu) of
    its median times, then the dubare / baseline ratio when there is a
    baseline; returns the median wall time of each build."""
    medians = {}
    for name, binary in builds:
        wall, cpu = median_times(times[name])
        medians[name] = wall
        print(f"{name:9s} {binary}: {describe(name, wall, cpu)}")
    if "baseline" in medians:
        print(f"dubare / baseline wall: {medians['dubare'] / medians['baseline']:.3f}")
    return medians


def print_ratios(medians, datasketch_wall, what):
    """One "ratio" line per build against the datasketch run."""
    for name, wall in medians.items():
        print(f"ratio: {name} is {datasketch_wall / wall:.1f}x datasketch ({what}, wall)")


def datasketch_env():
    """An environment that imports datasketch from DATASKETCH_SRC, or None
    (having said so) when it is not there."""
    src = os.environ.get("DATASKETCH_SRC")
    if not src or not os.path.isdir(os.path.join(src, "datasketch")):
        print("datasketch: not measured (set DATASKETCH_SRC to a folder with its source)")
        return None
    return dict(os.environ, PYTHONPATH=src)


def dubare_run(binary, corpus, out, extra):
    shutil.rmtree(out, ignore_errors=True)
    wall, cpu, _ = timed([binary, "dedup", "--progress=false", "--out", out, *extra, corpus])
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    return wall, cpu, summary


def main():
    args, articles, builds = parse_comparison_args(
        __doc__, lambda parser: parser.add_argument(
            "--flags", default="", help="extra flags for both dubare runs"))
    extra = args.flags.split()
    with tempfile.TemporaryDirectory(prefix="dubare_vs_ds_") as scratch:
        times, summaries = alternate(
            builds, args.runs,
            lambda name, binary: dubare_run(binary, args.corpus, os.path.join(scratch, name), extra))
    print(f"{articles} articles, {os.path.getsize(args.corpus) / 1e6:.1f} MB: {args.corpus}")
    medians = print_medians(
        builds, times, args.runs,
        lambda name, wall, cpu: (f"median of {args.runs}: {wall:6.3f} s wall, {cpu:6.3f} s CPU "
                                 f"({cpu / articles * 1e6:.1f} µs CPU per article); "
                                 f"{summaries[name]['duplicates']} duplicates, "
                                 f"{summaries[name]['clusters']} clusters"))

    env = datasketch_env()
    if env is None:
        return 0
    wall, cpu, out = timed(["/usr/bin/python3", "-c", DATASKETCH_LOOP, args.corpus,
                            str(args.threshold), str(args.num_perm),
                            os.path.dirname(os.path.abspath(__file__))], env=env)
    print(f"datasketch MinHash({args.num_perm}) + MinHashLSH({args.threshold}): {wall:6.2f} s wall, "
          f"{cpu:6.2f} s CPU ({cpu / articles * 1e6:.0f} µs CPU per article); "
          f"{out.strip()} documents with a match")
    print_ratios(medians, wall, "whole process")
    return 0


if __name__ == "__main__":
    sys.exit(main())
