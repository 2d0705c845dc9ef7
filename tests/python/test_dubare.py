"""The Python package against the C++ engine and the CLI (issue 16).

Run by ctest (python_pytest) with PYTHONPATH=build/python; DUBARE_BIN names
the CLI and DUBARE_SOURCE_DIR the repository.
"""

import base64
import json
import os
import subprocess
import threading
import time

import numpy as np
import pytest

import dubare

SOURCE = os.environ.get("DUBARE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("DUBARE_BIN", os.path.join(SOURCE, "build", "dubare"))
NEWS = os.path.join(SOURCE, "tests", "golden", "news.jsonl")
PRESS = os.path.join(SOURCE, "corpus", "press")


def news():
    with open(NEWS, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


# ---- normalize -------------------------------------------------------------------

def test_normalize_forms_and_offsets_map_back_to_the_input():
    text = "خاوه‌ن دوو كۆمه‌ڵه چیرۆكی"
    assert dubare.normalize(text) == "خاوەن دوو کۆمەڵە چیرۆکی"
    assert dubare.normalize(text, form="match") == "خاوهن دوو کومهله چیروکی"
    assert dubare.normalize(text, form="match", keep_spaces=False) == "خاوهندووکومهلهچیروکی"
    out, begins, ends = dubare.normalize(text, offsets=True)
    raw = text.encode("utf-8")
    assert begins.dtype == np.uint32 and len(begins) == len(out.encode("utf-8"))
    assert np.all(np.diff(begins.astype(np.int64)) >= 0) and np.all(ends <= len(raw))
    # The output word "کۆمەڵە" maps back to the input word "كۆمه‌ڵه".
    o = out.encode("utf-8")
    start = o.index("کۆمەڵە".encode())
    end = start + len("کۆمەڵە".encode())
    assert raw[begins[start]:ends[end - 1]].decode() == "كۆمه‌ڵه"


def test_normalize_bad_arguments():
    with pytest.raises(ValueError, match="form"):
        dubare.normalize("x", form="lower")
    with pytest.raises(TypeError):
        dubare.normalize(b"bytes")
    with pytest.raises(UnicodeEncodeError):
        dubare.normalize("lone \ud800 surrogate")


# ---- Sketcher -----------------------------------------------------------------------

def test_sketcher_matrix_equals_the_cli_signatures():
    files = sorted(os.path.join(PRESS, f) for f in os.listdir(PRESS))
    texts = [open(f, encoding="utf-8").read() for f in files]
    sketcher = dubare.Sketcher()
    m = sketcher.sketch(texts)
    assert m.shape == (3, 128) and m.dtype == np.uint32
    out = subprocess.run([BIN, "sketch", *files], check=True, capture_output=True, text=True)
    for row, line in zip(m, out.stdout.splitlines()):
        record = json.loads(line)
        assert record["params"] == sketcher.params
        cli = np.frombuffer(base64.b64decode(record["signature"]), dtype="<u4")
        assert np.array_equal(row, cli)


def test_sketcher_rows_do_not_depend_on_threads_and_empty_texts_are_all_ones():
    texts = [d["text"] for d in news()[:200]] + ["!!! ..."]
    one = dubare.Sketcher(threads=1).sketch(texts)
    many = dubare.Sketcher(threads=3).sketch(texts)
    assert np.array_equal(one, many)
    assert np.all(one[-1] == 0xFFFFFFFF)
    assert dubare.Sketcher(num_perm=256, minhash="oneperm").sketch(texts[:2]).shape == (2, 256)
    with pytest.raises(ValueError):
        dubare.Sketcher(num_perm=10)
    with pytest.raises(TypeError):
        dubare.Sketcher().sketch([1, 2])


def test_sketching_releases_the_gil():
    texts = [d["text"] for d in news()] * 200
    sketcher = dubare.Sketcher(threads=1)
    start = time.perf_counter()
    sketcher.sketch(texts)
    alone = time.perf_counter() - start
    # While one thread sketches, this one must keep running Python code.
    ticks = 0
    worker = threading.Thread(target=sketcher.sketch, args=(texts,))
    worker.start()
    while worker.is_alive():
        ticks += 1
        time.sleep(0)
    worker.join()
    assert alone > 0.05, "the workload is too small to tell"
    # Holding the GIL, the loop above would not run at all until the end.
    assert ticks > 100, f"only {ticks} Python steps ran during {alone:.2f} s of sketching"


# ---- dedup -----------------------------------------------------------------------

def cli_dedup(tmp_path, *flags):
    out = tmp_path / "out"
    subprocess.run([BIN, "dedup", NEWS, "--out", str(out), "--threads", "2", *flags],
                   check=True, capture_output=True)
    with open(out / "pairs.tsv", encoding="utf-8") as f:
        pairs = [tuple(line.rstrip("\n").split("\t")) for line in f][1:]
    with open(out / "clusters.jsonl", encoding="utf-8") as f:
        clusters = [json.loads(line) for line in f]
    with open(out / "kept.jsonl", encoding="utf-8") as f:
        kept = [json.loads(line)["id"] for line in f]
    return pairs, clusters, kept


@pytest.mark.parametrize("flags,kwargs", [
    ((), {}),
    (("--verify", "exact", "--keep", "longest"), {"verify": "exact", "keep": "longest"}),
    (("--minhash", "oneperm", "--keep", "earliest:date", "--num-perm", "256"),
     {"minhash": "oneperm", "keep": "earliest:date", "num_perm": 256}),
])
def test_dedup_equals_the_cli(tmp_path, flags, kwargs):
    pairs, clusters, kept = cli_dedup(tmp_path, *flags)
    r = dubare.dedup(news(), threads=2, **kwargs)
    assert [(a, b, f"{s:.4f}") for a, b, s in r.pairs] == pairs
    assert [c["representative"] for c in r.clusters] == [c["representative"] for c in clusters]
    assert [[m[0] for m in c["members"]] for c in r.clusters] == \
        [[m["id"] for m in c["members"]] for c in clusters]
    assert r.kept == kept
    assert len(r.duplicates) == r.stats["duplicates"] == sum(len(c["members"]) - 1 for c in clusters)


def test_dedup_takes_tuples_strings_and_generators_in_small_batches():
    docs = news()
    by_dict = dubare.dedup(docs)
    by_tuple = dubare.dedup(((d["id"], d["text"]) for d in docs), batch_size=7)
    assert by_tuple.pairs == by_dict.pairs and by_tuple.clusters == by_dict.clusters
    by_str = dubare.dedup([d["text"] for d in docs])
    assert [(int(a), int(b)) for a, b, _ in by_str.pairs] == \
        [(int(a[1:]), int(b[1:])) for a, b, _ in by_dict.pairs]


def test_dedup_bad_input():
    with pytest.raises(TypeError, match="document 1"):
        dubare.dedup([("a", "text"), 5])
    with pytest.raises(ValueError, match="document 0: no 'body' field"):
        dubare.dedup([{"id": "a", "text": "x"}], text_field="body")
    with pytest.raises(ValueError, match="threshold"):
        dubare.dedup([], threshold=2)
    with pytest.raises(ValueError, match="verify"):
        dubare.dedup([], verify="maybe")
    r = dubare.dedup([("a", "؟؟ !!"), ("b", "یەک دوو سێ")])
    assert r.rejected == [("a", "no_words", "no word remains after normalization")]
    assert r.kept == ["b"]


# ---- Index -----------------------------------------------------------------------

def test_index_add_query_remove_stats(tmp_path):
    docs = news()
    path = tmp_path / "news.idx"
    with dubare.Index(path, threads=2) as index:
        added = index.add(docs[:100])
        assert len(added) == 100
        assert {status for _, status, _ in added} <= {"new", "duplicate"}
        assert index.add([docs[0]])[0][1] == "exists"
        stats = index.stats()
        assert stats["documents"] == 100 and stats["threshold"] == 0.4
    # Reopened read-only: the copies of the first 100 among the rest are found.
    with dubare.Index(path, read_only=True) as index:
        found = index.query(docs[100:])
        assert any(status == "duplicate" and matches for _, status, matches in found)
        with pytest.raises(dubare.Error):
            index.add(docs[100:101])
    with dubare.Index(path) as index:
        assert index.remove([docs[0]["id"], "nope"]) == [True, False]
        assert index.stats()["documents"] == 99
    index.close()  # closing twice is harmless
    with pytest.raises(dubare.Error, match="closed"):
        index.stats()
    with pytest.raises(FileNotFoundError):
        dubare.Index(tmp_path / "missing.idx", read_only=True)
