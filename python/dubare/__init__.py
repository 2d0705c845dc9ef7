"""Dubare: near-duplicate detection for Kurdish text, from Python.

A thin layer over the C++ engine (the ``_dubare`` extension module). Options
are keyword arguments with the names and defaults of the ``dubare`` command's
flags (``--num-perm`` is ``num_perm``). Sketching and dedup release the GIL
and use every core (``threads=0``).

>>> import dubare
>>> result = dubare.dedup([{"id": "a", "text": "..."}, {"id": "b", "text": "..."}])
>>> result.kept, result.clusters

Errors raise ``ValueError`` (bad arguments, invalid UTF-8 with its byte
offset), ``TypeError`` (a value of the wrong type), ``FileNotFoundError``,
``PermissionError`` or ``dubare.Error`` (damaged files, incompatible
parameters).
"""

from dataclasses import dataclass, field
import os

from ._dubare import Error, Sketcher, normalize
from . import _dubare

__all__ = ["Error", "Sketcher", "normalize", "dedup", "Deduper", "DedupResult", "passages",
           "Index"]
__version__ = "0.1.0"


@dataclass
class DedupResult:
    """What :func:`dedup` found.

    clusters:   [{"representative": id, "members": [(id, score), ...]}, ...],
                ordered by their first member; scores are against the
                representative (1.0 for itself).
    pairs:      [(id_a, id_b, score), ...], the verified pairs.
    pair_details: [(jaccard, containment, decided_by), ...], one per pair:
                both similarities (MinHash estimates, or exact with
                verify="exact" and the other set modes) and the rule that
                made it a duplicate: "jaccard", "containment", "exact_copy"
                (identical match keys) or "simhash" (pairs.tsv's columns).
    kept:       ids of the documents kept, in input order.
    duplicates: {id: representative id} for every removed document.
    rejected:   [(id, reason, detail), ...] for documents that could not be
                judged (no word left after normalization).
    renamed:    {new id: id it came with}, with duplicate_ids="rename".
    stats:      counts and the LSH layout used.
    """

    clusters: list = field(default_factory=list)
    pairs: list = field(default_factory=list)
    pair_details: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    duplicates: dict = field(default_factory=dict)
    rejected: list = field(default_factory=list)
    renamed: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)


class Deduper:
    """The streaming form of :func:`dedup`: add documents in as many calls as
    you like, then :meth:`finish`.

    Takes the keyword arguments of :func:`dedup`. Documents are numbered in
    the order they are added. :meth:`add_sketched` takes signatures made
    elsewhere (a Dask worker, another process) by :meth:`sketcher`'s
    :meth:`Sketcher.encode`; parameters that differ from this Deduper's are
    a ``dubare.Error`` naming the first one.

    >>> d = dubare.Deduper(threshold=0.5)
    >>> d.add(docs_of_monday); d.add(docs_of_tuesday)
    >>> result = d.finish()
    """

    def __init__(self, *, threshold=0.4, method="minhash", shingle="word:2", num_perm=128,
                 minhash="classic", keep_spaces=True, bands=0, rows=0, hamming=3,
                 verify="estimate+containment", containment_ratio=0.08, containment_threshold=0.85,
                 min_shingles=3, keep="first", max_bucket=512,
                 threads=0, id_field="id", text_field="text", batch_size=1024,
                 duplicate_ids="error"):
        self._deduper = _dubare._Deduper(
            threshold=threshold, method=method, shingle=shingle, num_perm=num_perm,
            minhash=minhash, keep_spaces=keep_spaces, bands=bands, rows=rows,
            hamming=hamming, verify=verify, containment_ratio=containment_ratio,
            containment_threshold=containment_threshold, min_shingles=min_shingles, keep=keep,
            max_bucket=max_bucket, threads=threads, id_field=id_field,
            text_field=text_field, batch_size=batch_size, duplicate_ids=duplicate_ids)

    def add(self, docs):
        """Adds an iterable of documents (as :func:`dedup` takes them)."""
        self._deduper.add(docs)

    def add_sketched(self, batch, ids, keep_values=None):
        """Adds documents sketched elsewhere: ``batch`` is the bytes of
        ``self.sketcher().encode(texts)``, ``ids`` their ids (and
        ``keep_values`` their keep-policy field, for ``keep="earliest:F"``)."""
        self._deduper.add_sketched(batch, ids, keep_values)

    def sketcher(self, threads=0):
        """A picklable :class:`Sketcher` that makes what :meth:`add_sketched`
        needs under these options."""
        return self._deduper.sketcher(threads)

    def finish(self):
        """Groups, verifies and clusters; returns a :class:`DedupResult`. Call once."""
        return DedupResult(**self._deduper.finish())

    def __len__(self):
        return len(self._deduper)


def dedup(docs, **options):
    """Finds near-duplicates among ``docs`` and returns a :class:`DedupResult`.

    ``docs`` is any iterable (a list, a generator over a JSONL file, a
    pandas column) of dicts with ``id_field`` and ``text_field`` keys (and
    the keep policy's field for ``keep="earliest:FIELD"``), of ``(id, text)``
    tuples, or of plain strings (ids are their positions). It is read once,
    in batches of ``batch_size``, each sketched while the next is read: the
    engine keeps signatures and ids, not texts, so memory stays bounded by
    the corpus size, not its text.

    Options (the ``dubare dedup`` flags): threshold=0.4, method="minhash",
    shingle="word:2", num_perm=128, minhash="classic", keep_spaces=True,
    bands=0, rows=0 (0: chosen for the threshold), hamming=3,
    verify="estimate+containment" ("estimate", "exact", "containment",
    "jaccard+containment"), containment_ratio=0.08, containment_threshold=0.85,
    min_shingles=3 (a document with fewer shingles is rejected as "too_short"
    unless it has identical copies; 1 judges every document), keep="first",
    max_bucket=512, threads=0 (all cores), id_field="id", text_field="text",
    batch_size=1024, duplicate_ids="error" (two documents with one id are a
    ValueError naming both positions; "rename" makes the later ones ID~2,
    ID~3 and lists them in ``renamed``).
    """
    deduper = Deduper(**options)
    deduper.add(docs)
    return deduper.finish()


def passages(texts, *, min_words=12, min_similarity=0.5, boilerplate_docs=20, anchor_chars=13,
             winnow_window=8, band_words=8, threads=0):
    """Repeated passages inside and across ``texts`` (a sequence of str).

    Returns ``{"matches": [...], "boilerplate": [...], "stats": {...}}``. A
    match is ``{"a": span, "b": span, "similarity": s}``; a span is
    ``{"doc": i, "start": c0, "end": c1, "words": n, "text": texts[i][c0:c1]}``
    with ``start``/``end`` in characters of the Python string. Matches are
    grouped by document pair, longest first. A passage found in
    ``boilerplate_docs`` documents or more is reported once, as
    ``{"example": span, "documents": n, "occurrences": m}``. The options are
    the ``dubare passages`` flags.
    """
    return _dubare._passages(
        texts, min_words=min_words, min_similarity=min_similarity,
        boilerplate_docs=boilerplate_docs, anchor_chars=anchor_chars,
        winnow_window=winnow_window, band_words=band_words, threads=threads)


class Index:
    """A persistent near-duplicate index in one SQLite file (``dubare index``).

    ``Index(path)`` opens the file, creating it with the given settings when
    it does not exist (settings of an existing file are its own). Use it as
    a context manager, or call :meth:`close`.

    add(docs) / query(docs): docs are dicts with "id" and "text" or
    ``(id, text)`` tuples; each returns ``[(id, status, [(match_id, score),
    ...]), ...]`` with status "new", "duplicate" or "exists". ``add`` stores
    the batch in one transaction; ``query`` changes nothing.
    """

    def __init__(self, path, *, read_only=False, threshold=0.4, shingle="word:2",
                 num_perm=128, minhash="classic", keep_spaces=True, threads=0):
        path = os.fspath(path)
        create = not read_only and not os.path.exists(path)
        self._index = _dubare._Index(
            path, create=create, read_only=read_only, threshold=threshold, shingle=shingle,
            num_perm=num_perm, minhash=minhash, keep_spaces=keep_spaces, threads=threads)

    def add(self, docs):
        return self._index.add(docs)

    def query(self, docs):
        return self._index.query(docs)

    def remove(self, ids):
        """Removes documents by id; a list of bools, True where the id was present."""
        return self._index.remove(list(ids))

    def stats(self):
        return self._index.stats()

    def close(self):
        self._index.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
