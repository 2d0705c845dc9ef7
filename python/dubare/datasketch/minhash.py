"""MinHash with datasketch's API and datasketch's exact values, on Dubare's kernel.

Signatures are bit-identical to datasketch's for the same num_perm, seed and
(default) hash function: the permutations come from the same numpy
RandomState stream, the default hash is the same SHA-1 prefix, and the
arithmetic wraps where numpy's uint64 does. The per-item work runs in C++
with the GIL released (SHA-1 and the permutation kernel, vectorized).
"""

import copy as _copy
import warnings

import numpy as np

from .. import _dubare
from .hashfunc import sha1_hash32

_mersenne_prime = np.uint64((1 << 61) - 1)
_max_hash = np.uint64((1 << 32) - 1)
_hash_range = 1 << 32

# Permutations depend only on (seed, num_perm): made once, shared read-only.
_permutation_cache = {}


def _permutations(seed, num_perm):
    key = (seed, num_perm)
    perms = _permutation_cache.get(key)
    if perms is None:
        perms = _dubare._ds_permutations(seed, num_perm)
        perms.setflags(write=False)
        if len(_permutation_cache) < 64:
            _permutation_cache[key] = perms
    return perms


class MinHash:
    """MinHash of a set of byte strings (datasketch.MinHash's API).

    ``MinHash(num_perm=128, seed=1, hashfunc=sha1_hash32, hashobj=None,
    hashvalues=None, permutations=None, gpu_mode="disable")``. ``hashvalues``
    is a numpy uint64 array of length num_perm (4294967295 when empty).
    """

    def __init__(self, num_perm=128, seed=1, hashfunc=sha1_hash32, hashobj=None,
                 hashvalues=None, permutations=None, gpu_mode="disable"):
        if hashvalues is not None:
            num_perm = len(hashvalues)
        if num_perm > _hash_range:
            raise ValueError("Cannot have more than %d number of permutation functions"
                             % _hash_range)
        self.seed = seed
        self.num_perm = num_perm
        if not callable(hashfunc):
            raise ValueError("The hashfunc must be a callable.")
        self.hashfunc = hashfunc
        if hashobj is not None:
            warnings.warn("hashobj is deprecated, use hashfunc instead.", DeprecationWarning)
        if gpu_mode not in ("disable", "detect", "always"):
            raise ValueError("gpu_mode must be 'disable', 'detect' or 'always'")
        if gpu_mode == "always":
            raise RuntimeError("gpu_mode='always': dubare.datasketch has no GPU path")
        self._gpu_mode = gpu_mode
        self._a_gpu = self._b_gpu = None
        if hashvalues is not None:
            self.hashvalues = self._parse_hashvalues(hashvalues)
        else:
            self.hashvalues = self._init_hashvalues(num_perm)
        if permutations is not None:
            self.permutations = permutations
        elif seed is None:
            gen = np.random.RandomState(None)
            self.permutations = np.array(
                [(gen.randint(1, _mersenne_prime, dtype=np.uint64),
                  gen.randint(0, _mersenne_prime, dtype=np.uint64)) for _ in range(num_perm)],
                dtype=np.uint64).T
        else:
            if not 0 <= seed < (1 << 32):
                raise ValueError("Seed must be between 0 and 2**32 - 1")
            self.permutations = _permutations(int(seed), num_perm)
        if len(self) != len(self.permutations[0]):
            raise ValueError("Numbers of hash values and permutations mismatch")

    def _init_hashvalues(self, num_perm):
        return np.ones(num_perm, dtype=np.uint64) * _max_hash

    def _parse_hashvalues(self, hashvalues):
        return np.array(hashvalues, dtype=np.uint64)

    def _kernel_permutations(self):
        perms = self.permutations
        if not (isinstance(perms, np.ndarray) and perms.dtype == np.uint64
                and perms.flags.c_contiguous):
            perms = np.ascontiguousarray(perms, dtype=np.uint64)
        return perms

    def _writable_hashvalues(self):
        hv = self.hashvalues
        if not (isinstance(hv, np.ndarray) and hv.dtype == np.uint64 and hv.flags.c_contiguous
                and hv.flags.writeable):
            hv = np.array(hv, dtype=np.uint64)
            self.hashvalues = hv
        return hv

    def update(self, b):
        """Adds one item: bytes-like for the default hash, anything for yours."""
        self.update_batch((b,))

    def update_batch(self, b):
        """Adds many items at once (the fast path: one C++ call)."""
        hv = self._writable_hashvalues()
        if self.hashfunc is sha1_hash32:
            _dubare._ds_update_sha1(hv, self._kernel_permutations(), b)
            return
        values = [self.hashfunc(x) for x in b]
        if not values:
            return
        for v in values:
            if isinstance(v, (bool, float)) or int(v) < 0 or int(v) >= (1 << 64):
                raise ValueError("hash values must be integers in [0, 2**64), got %r" % (v,))
        _dubare._ds_update_values(hv, self._kernel_permutations(),
                                  np.array([int(v) for v in values], dtype=np.uint64))

    def jaccard(self, other):
        if other.seed != self.seed:
            raise ValueError("Cannot compute Jaccard given MinHash with different seeds")
        if len(self) != len(other):
            raise ValueError("Cannot compute Jaccard given MinHash with different numbers of "
                             "permutation functions")
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / float(len(self))

    def count(self):
        """The estimated cardinality (numpy's summation order, so equal to datasketch's)."""
        k = len(self)
        return np.float64(float(k) / _dubare._ds_sum(np.asarray(self.hashvalues, dtype=np.uint64))
                          - 1.0)

    def merge(self, other):
        if other.seed != self.seed:
            raise ValueError("Cannot merge MinHash with different seeds")
        if len(self) != len(other):
            raise ValueError("Cannot merge MinHash with different numbers of permutation "
                             "functions")
        self.hashvalues = np.minimum(other.hashvalues, self.hashvalues)

    def digest(self):
        return _copy.copy(self.hashvalues)

    def is_empty(self):
        return not np.any(self.hashvalues != _max_hash)

    def clear(self):
        self.hashvalues = self._init_hashvalues(len(self))

    def copy(self):
        return MinHash(seed=self.seed, hashfunc=self.hashfunc, hashvalues=self.digest(),
                       permutations=self.permutations, gpu_mode=self._gpu_mode)

    def __len__(self):
        return len(self.hashvalues)

    def __eq__(self, other):
        return (type(self) is type(other) and self.seed == other.seed
                and np.array_equal(self.hashvalues, other.hashvalues))

    __hash__ = None

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_a_gpu"] = state["_b_gpu"] = None
        return state

    def __setstate__(self, state):
        state.setdefault("_gpu_mode", "disable")
        state.setdefault("_a_gpu", None)
        state.setdefault("_b_gpu", None)
        self.__dict__.update(state)

    @classmethod
    def union(cls, *mhs):
        if len(mhs) < 2:
            raise ValueError("Cannot union less than 2 MinHash")
        num_perm = len(mhs[0])
        seed = mhs[0].seed
        if any((seed != m.seed or num_perm != len(m)) for m in mhs):
            raise ValueError("The unioning MinHash must have the same seed and number of "
                             "permutation functions")
        hashvalues = np.minimum.reduce([m.hashvalues for m in mhs])
        return cls(num_perm=num_perm, seed=seed, hashfunc=mhs[0].hashfunc, hashvalues=hashvalues,
                   permutations=mhs[0].permutations, gpu_mode=mhs[0]._gpu_mode)

    @classmethod
    def bulk(cls, b, **minhash_kwargs):
        return list(cls.generator(b, **minhash_kwargs))

    @classmethod
    def generator(cls, b, **minhash_kwargs):
        m = cls(**minhash_kwargs)
        for items in b:
            _m = m.copy()
            _m.update_batch(items)
            yield _m
