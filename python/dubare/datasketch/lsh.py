"""MinHashLSH with datasketch's API, band layout and band keys (dict storage).

The bands x rows come from Dubare's one LSH parameter chooser
(OptimalLshParams, the criterion datasketch's _optimal_param minimises), so
an index built here has the layout datasketch builds for the same
threshold, num_perm and weights; band keys are the bands' values as
big-endian 8-byte words, as datasketch's _byteswap makes them.
"""

import pickle
import random
import string
import struct
from collections import defaultdict

from .. import _dubare


def _random_name(length):
    return "".join(random.choice(string.ascii_lowercase) for _ in range(length)).encode("utf8")


def _optimal_param(threshold, num_perm, false_positive_weight, false_negative_weight):
    return _dubare._ds_optimal_param(threshold, num_perm, false_positive_weight,
                                     false_negative_weight)


class _SetStorage(dict):
    """One band's buckets: band key -> set of keys; a missing key reads as empty."""

    def __missing__(self, key):
        return set()

    def itemcounts(self):
        return {k: len(v) for k, v in self.items()}

    def size(self):
        return len(self)


class _ListStorage(dict):
    """key -> its band keys; a missing key reads as empty."""

    def __missing__(self, key):
        return []


class MinHashLSH:
    """LSH index for Jaccard threshold queries (datasketch.MinHashLSH's API).

    ``MinHashLSH(threshold=0.9, num_perm=128, weights=(0.5, 0.5), params=None,
    storage_config=None, prepickle=None, hashfunc=None)``. Only the in-memory
    dict storage is offered (no Redis or Cassandra).
    """

    def __init__(self, threshold=0.9, num_perm=128, weights=(0.5, 0.5), params=None,
                 storage_config=None, prepickle=None, hashfunc=None):
        storage_config = storage_config or {"type": "dict"}
        if storage_config.get("type", "dict") != "dict":
            raise ValueError("dubare.datasketch.MinHashLSH stores in memory only "
                             "(storage_config type 'dict')")
        self._buffer_size = 50000
        if threshold > 1.0 or threshold < 0.0:
            raise ValueError("threshold must be in [0.0, 1.0]")
        if num_perm < 2:
            raise ValueError("Too few permutation functions")
        if any(w < 0.0 or w > 1.0 for w in weights):
            raise ValueError("Weight must be in [0.0, 1.0]")
        if sum(weights) != 1.0:
            raise ValueError("Weights must sum to 1.0")
        self.h = num_perm
        if params is not None:
            self.b, self.r = params
            if self.b * self.r > num_perm:
                raise ValueError(
                    "The product of b and r in params is {} * {} = {} -- it must be less than "
                    "num_perm {}. Did you forget to specify num_perm?".format(
                        self.b, self.r, self.b * self.r, num_perm))
        else:
            if threshold <= 0.0 or threshold >= 1.0:
                self.b, self.r = (1, num_perm) if threshold >= 1.0 else (num_perm, 1)
            else:
                self.b, self.r = _optimal_param(threshold, num_perm, weights[0], weights[1])
        if self.b < 2:
            raise ValueError("The number of bands are too small (b < 2)")
        self.prepickle = False if prepickle is None else prepickle
        self.hashfunc = hashfunc
        self._H = self._hashed_byteswap if hashfunc else self._byteswap
        self._basename = storage_config.get("basename", _random_name(11))
        self.hashtables = [_SetStorage() for _ in range(self.b)]
        self.hashranges = [(i * self.r, (i + 1) * self.r) for i in range(self.b)]
        self.keys = _ListStorage()
        self._query_buffers = [[] for _ in range(self.b)]

    @property
    def buffer_size(self):
        return self._buffer_size

    @buffer_size.setter
    def buffer_size(self, value):
        self._buffer_size = value

    def _byteswap(self, hs):
        return bytes(hs.byteswap().data)

    def _hashed_byteswap(self, hs):
        return self.hashfunc(bytes(hs.byteswap().data))

    def _check(self, minhash):
        if len(minhash) != self.h:
            raise ValueError("Expecting minhash with length %d, got %d" % (self.h, len(minhash)))

    def _band_keys(self, minhash):
        hv = minhash.hashvalues
        return [self._H(hv[start:end]) for start, end in self.hashranges]

    def insert(self, key, minhash, check_duplication=True):
        self._insert(key, minhash, check_duplication=check_duplication)

    def _insert(self, key, minhash, check_duplication=True):
        self._check(minhash)
        if self.prepickle:
            key = pickle.dumps(key)
        if check_duplication and key in self.keys:
            raise ValueError("The given key already exists")
        hs = self._band_keys(minhash)
        self.keys.setdefault(key, []).extend(hs)
        for h, table in zip(hs, self.hashtables):
            table.setdefault(h, set()).add(key)

    def query(self, minhash):
        self._check(minhash)
        candidates = set()
        for h, table in zip(self._band_keys(minhash), self.hashtables):
            bucket = table.get(h)
            if bucket:
                candidates.update(bucket)
        if self.prepickle:
            return [pickle.loads(key) for key in candidates]
        return list(candidates)

    def add_to_query_buffer(self, minhash):
        self._check(minhash)
        for h, table, buffered in zip(self._band_keys(minhash), self.hashtables,
                                      self._query_buffers):
            buffered.append(table.get(h, set()))

    def collect_query_buffer(self):
        per_query = list(zip(*self._query_buffers))
        self._query_buffers = [[] for _ in range(self.b)]
        if not per_query:
            return []
        result = set.intersection(*(set().union(*bands) for bands in per_query))
        if self.prepickle:
            return [pickle.loads(key) for key in result]
        return list(result)

    def __contains__(self, key):
        if self.prepickle:
            key = pickle.dumps(key)
        return key in self.keys

    def remove(self, key):
        self._remove(key)

    def _remove(self, key):
        if self.prepickle:
            key = pickle.dumps(key)
        if key not in self.keys:
            raise ValueError("The given key does not exist")
        for h, table in zip(self.keys[key], self.hashtables):
            bucket = table.get(h)
            if bucket is not None:
                bucket.discard(key)
                if not bucket:
                    del table[h]
        del self.keys[key]

    def is_empty(self):
        return any(t.size() == 0 for t in self.hashtables)

    def get_counts(self):
        return [t.itemcounts() for t in self.hashtables]

    def get_subset_counts(self, *keys):
        if self.prepickle:
            key_set = [pickle.dumps(k) for k in set(keys)]
        else:
            key_set = list(set(keys))
        tables = [defaultdict(set) for _ in range(self.b)]
        for key in key_set:
            for h, table in zip(self.keys.get(key, []), tables):
                table[h].add(key)
        return [{h: len(v) for h, v in t.items()} for t in tables]

    def merge(self, other, check_overlap=False):
        if type(self) is not type(other):
            raise ValueError("Cannot merge type MinHashLSH and type {}.".format(type(other).__name__))
        if (self.h, self.b, self.r) != (other.h, other.b, other.r):
            raise ValueError("Cannot merge MinHashLSH with different initialization parameters.")
        if check_overlap and set(self.keys) & set(other.keys):
            raise ValueError("The keys are overlapping, duplicate key exists.")
        for key, hs in other.keys.items():
            self.keys.setdefault(key, []).extend(hs)
            for h, table in zip(hs, self.hashtables):
                table.setdefault(h, set()).add(key)

    def _query_b(self, minhash, b):
        if len(minhash) != self.h:
            raise ValueError("Expecting minhash with length %d, got %d" % (self.h, len(minhash)))
        if b > len(self.hashtables):
            raise ValueError("b must be less or equal to the number of hash tables")
        candidates = set()
        for (start, end), table in zip(self.hashranges[:b], self.hashtables[:b]):
            h = self._H(minhash.hashvalues[start:end])
            if h in table:
                candidates.update(table[h])
        if self.prepickle:
            return {pickle.loads(key) for key in candidates}
        return candidates

    def insertion_session(self, buffer_size=50000):
        return MinHashLSHInsertionSession(self, buffer_size=buffer_size)

    def deletion_session(self, buffer_size=50000):
        return MinHashLSHDeletionSession(self, buffer_size=buffer_size)


class _Session:
    """datasketch's bulk-operation context managers; in memory there is nothing to flush."""

    def __init__(self, lsh, buffer_size):
        self.lsh = lsh
        self.lsh.buffer_size = buffer_size

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()

    def close(self):
        pass


class MinHashLSHInsertionSession(_Session):
    """Bulk insertion (datasketch's context manager)."""

    def insert(self, key, minhash, check_duplication=True):
        self.lsh._insert(key, minhash, check_duplication=check_duplication)


class MinHashLSHDeletionSession(_Session):
    """Bulk deletion (datasketch's context manager)."""

    def remove(self, key):
        self.lsh._remove(key)
