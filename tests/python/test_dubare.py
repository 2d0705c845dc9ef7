"""The Python package against the C++ engine and the CLI (issue 16).

Run by ctest (python_pytest) with PYTHONPATH=build/python; DUBARE_BIN names
the CLI and DUBARE_SOURCE_DIR the repository.
"""

import base64
import json
import os
import pickle
import subprocess
import sys
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
    (("--verify", "jaccard+containment", "--containment-threshold", "0.7"),
     {"verify": "jaccard+containment", "containment_threshold": 0.7}),
    (("--minhash", "oneperm", "--keep", "earliest:date", "--num-perm", "256"),
     {"minhash": "oneperm", "keep": "earliest:date", "num_perm": 256}),
])
def test_dedup_equals_the_cli(tmp_path, flags, kwargs):
    pairs, clusters, kept = cli_dedup(tmp_path, *flags)
    r = dubare.dedup(news(), threads=2, **kwargs)
    assert [(a, b, f"{s:.4f}", f"{j:.4f}", f"{c:.4f}", rule)
            for (a, b, s), (j, c, rule) in zip(r.pairs, r.pair_details)] == pairs
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


def test_dedup_finds_a_story_inside_a_round_up_at_the_defaults():
    story = " ".join(f"وشە{i}" for i in range(80))
    roundup = " ".join([" ".join(f"پێش{i}" for i in range(120)), story,
                        " ".join(f"دوای{i}" for i in range(120))])
    docs = [("story", story), ("roundup", roundup)]
    found = dubare.dedup(docs)
    assert [(a, b) for a, b, _ in found.pairs] == [("story", "roundup")]
    assert found.pairs[0][2] >= 0.8  # the containment estimate
    jaccard, containment, rule = found.pair_details[0]
    assert rule == "containment" and containment == found.pairs[0][2] and jaccard < 0.4
    assert dubare.dedup(docs, verify="estimate").pairs == []


def test_dedup_keyword_defaults_are_the_engines():
    import inspect
    from dubare import _dubare
    engine = _dubare._dedup_defaults()
    params = inspect.signature(dubare.Deduper.__init__).parameters
    for name, value in engine.items():
        expected = pytest.approx(value) if isinstance(value, float) else value
        assert params[name].default == expected, name
    assert "containment_ratio=0.08" in dubare.dedup.__doc__


def test_dedup_bad_input():
    with pytest.raises(TypeError, match="document 1"):
        dubare.dedup([("a", "text"), 5])
    with pytest.raises(ValueError, match="document 0: no 'body' field"):
        dubare.dedup([{"id": "a", "text": "x"}], text_field="body")
    with pytest.raises(ValueError, match="threshold"):
        dubare.dedup([], threshold=2)
    with pytest.raises(ValueError, match="verify"):
        dubare.dedup([], verify="maybe")
    with pytest.raises(ValueError, match="document 2 has id 'a', as document 0 has"):
        dubare.dedup([("a", "یەک دوو"), ("b", "سێ چوار"), ("a", "پێنج شەش")])
    r = dubare.dedup([("a", "یەک دوو"), ("b", "سێ چوار"), ("a", "پێنج شەش")],
                     duplicate_ids="rename", min_shingles=1)
    assert r.renamed == {"a~2": "a"} and r.kept == ["a", "b", "a~2"]
    r = dubare.dedup([("a", "؟؟ !!"), ("b", "یەک دوو سێ چوار")])
    assert r.rejected == [("a", "no_words", "no word remains after normalization")]
    assert r.kept == ["b"]
    with pytest.raises(ValueError, match="min_shingles"):
        dubare.dedup([], min_shingles=0)


def test_dedup_too_short_documents_are_rejected_unless_copied():
    docs = [("a", "سڵاو"), ("b", "سڵاو"), ("c", "باشە ئێستا"), ("d", "یەک دوو سێ چوار")]
    r = dubare.dedup(docs)
    assert r.pairs == [("a", "b", 1.0)] and r.pair_details == [(1.0, 1.0, "exact_copy")]
    assert r.rejected == [("c", "too_short", "1 shingle; fewer than min_shingles 3 cannot be "
                           "judged (identical copies still are)")]
    assert r.kept == ["a", "d"]
    assert dubare.dedup(docs, min_shingles=1).kept == ["a", "c", "d"]


def test_deduper_streams_and_groups_sketches_made_elsewhere():
    docs = news()
    whole = dubare.dedup(docs, threads=2)
    streamed = dubare.Deduper(threads=2)
    for i in range(0, len(docs), 33):
        streamed.add(docs[i:i + 33])
    assert len(streamed) == len(docs)
    assert streamed.finish() == whole
    # Sketched by a pickled Sketcher (as a Dask worker would), grouped here.
    deduper = dubare.Deduper(threads=2, verify="exact")
    sketcher = pickle.loads(pickle.dumps(deduper.sketcher(threads=1)))
    for i in range(0, len(docs), 40):
        part = docs[i:i + 40]
        deduper.add_sketched(sketcher.encode([d["text"] for d in part]), [d["id"] for d in part])
    assert deduper.finish() == dubare.dedup(docs, threads=2, verify="exact")
    with pytest.raises(ValueError, match="finished"):
        deduper.add(docs)


def test_dask_example_equals_dedup(tmp_path):
    pytest.importorskip("dask.bag", reason="Debian's python3-dask is not installed")
    docs = news()
    for k in range(3):  # three files, so three partitions sketched apart
        with open(tmp_path / f"part{k}.jsonl", "w", encoding="utf-8") as f:
            for d in docs[k * 50:(k + 1) * 50]:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(dubare.__file__)))
    run = subprocess.run([sys.executable, os.path.join(SOURCE, "examples", "dask_dedup.py"),
                          str(tmp_path / "part*.jsonl")],
                         check=True, capture_output=True, text=True, env=env)
    assert run.stdout.split() == dubare.dedup(docs).kept


def test_add_sketched_refuses_other_parameters_and_damaged_bytes():
    texts = [d["text"] for d in news()[:5]]
    ids = [d["id"] for d in news()[:5]]
    blob = dubare.Sketcher(shingle="word:3").encode(texts)
    with pytest.raises(dubare.Error, match="shingle differs"):
        dubare.Deduper().add_sketched(blob, ids)
    blob = dubare.Sketcher().encode(texts)
    with pytest.raises(dubare.Error, match="shingle sets"):
        dubare.Deduper(verify="exact").add_sketched(blob, ids)
    damaged = blob[:40] + bytes([blob[40] ^ 1]) + blob[41:]
    with pytest.raises(dubare.Error, match="byte offset"):
        dubare.Deduper().add_sketched(damaged, ids)
    with pytest.raises(ValueError, match="5 sketches but 4 ids"):
        dubare.Deduper().add_sketched(blob, ids[:4])


def test_texts_are_not_given_a_cached_utf8_copy():
    # PyUnicode_AsUTF8 would keep a UTF-8 copy inside each str for as long
    # as the caller holds it: twice the memory for a Kurdish corpus.
    texts = [f"ئەمە دەقی ژمارە {i} ە و هیچی تر نییە" * 20 for i in range(50)]
    sizes = [sys.getsizeof(t) for t in texts]
    dubare.dedup(texts)
    dubare.Sketcher().sketch(texts)
    dubare.passages(texts)
    assert [sys.getsizeof(t) for t in texts] == sizes
    with pytest.raises(UnicodeEncodeError):
        dubare.dedup(["یەک دوو \ud800"])


# ---- passages --------------------------------------------------------------------

def test_passages_spans_slice_the_python_strings():
    texts = [d["text"] for d in news()[:40]]
    found = dubare.passages(texts, threads=2)
    assert found["matches"], "the news fixture has repeated passages"
    for m in found["matches"]:
        for side in ("a", "b"):
            span = m[side]
            assert texts[span["doc"]][span["start"]:span["end"]] == span["text"]
            assert span["words"] >= 12
        assert (m["a"]["doc"], m["a"]["start"]) <= (m["b"]["doc"], m["b"]["start"])
        assert 0.5 <= m["similarity"] <= 1
    strict = dubare.passages(texts, min_words=40, threads=2)
    assert len(strict["matches"]) < len(found["matches"])
    with pytest.raises(ValueError, match="min_words"):
        dubare.passages(texts, min_words=0)


def test_passages_equal_the_cli(tmp_path):
    docs = news()[:40]
    found = dubare.passages([d["text"] for d in docs], threads=2)
    src = tmp_path / "in.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    out = subprocess.run([BIN, "passages", str(src), "--format", "json", "--threads", "2"],
                         check=True, capture_output=True, text=True).stdout
    cli = [r for r in map(json.loads, out.splitlines()) if r["type"] == "match"]

    def side(s):
        return (s["id"], s["cp_begin"], s["cp_end"], s["words"])
    assert [(side(m["a"]), side(m["b"]), round(m["similarity"], 9)) for m in cli] == [
        tuple((docs[m[k]["doc"]]["id"], m[k]["start"], m[k]["end"], m[k]["words"])
              for k in ("a", "b")) + (round(m["similarity"], 9),)
        for m in found["matches"]]


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
