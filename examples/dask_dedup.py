"""Sketch JSON Lines files on Dask workers; group the signatures with Dubare.

    /usr/bin/python3 examples/dask_dedup.py 'crawl/*.jsonl'

Each Dask partition is sketched where it is read (one core per worker), and
only the signatures (about 0.5 KB per document) travel back to be grouped.
Prints the ids kept, one per line.
"""

import json
import sys

import dask.bag as db

import dubare


def main(paths):
    deduper = dubare.Deduper(threshold=0.4)
    sketcher = deduper.sketcher(threads=1)  # picklable: shipped to the workers

    def sketch(records):
        records = list(records)
        return [([r["id"] for r in records], sketcher.encode([r["text"] for r in records]))]

    bag = db.read_text(paths, blocksize="16MiB").map(json.loads)
    for ids, signatures in bag.map_partitions(sketch).compute():
        deduper.add_sketched(signatures, ids)
    result = deduper.finish()
    print("\n".join(result.kept))
    print(f"{len(result.kept)} kept, {len(result.duplicates)} duplicates", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
