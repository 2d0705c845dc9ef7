"""LeanMinHash: a MinHash without its hash functions (datasketch's API and byte layout)."""

import struct

import numpy as np

from .minhash import MinHash


def _unpack(buf, byteorder):
    """(seed, hash values) of the layout int64 seed | int32 n | n x uint32."""
    head = byteorder + "qi"
    seed, num_perm = struct.unpack_from(head, buf, 0)
    return seed, struct.unpack_from(byteorder + "%dI" % num_perm, buf, struct.calcsize(head))


class LeanMinHash(MinHash):
    """The seed and hash values of a MinHash, for storage and comparison.

    ``LeanMinHash(minhash)`` or ``LeanMinHash(seed=..., hashvalues=...)``.
    Serialized as int64 seed | int32 n | n x uint32 values (datasketch's
    layout, in any struct byte order).
    """

    __slots__ = ("hashvalues", "seed")

    def _initialize_slots(self, seed, hashvalues):
        self.seed = seed
        self.hashvalues = self._parse_hashvalues(hashvalues)

    def __init__(self, minhash=None, seed=None, hashvalues=None):
        if minhash is not None:
            self._initialize_slots(minhash.seed, minhash.hashvalues)
        elif hashvalues is not None and seed is not None:
            self._initialize_slots(seed, hashvalues)
        else:
            raise ValueError("Init parameters cannot be None: make sure to set either minhash "
                             "or both of hash values and seed")

    def update(self, b):
        raise TypeError("Cannot update a LeanMinHash")

    def update_batch(self, b):
        raise TypeError("Cannot update a LeanMinHash")

    def copy(self):
        return LeanMinHash(seed=self.seed, hashvalues=self.digest())

    def bytesize(self, byteorder="@"):
        if byteorder not in "@=<>!":
            raise ValueError("Invalid byte order %s" % byteorder)
        return (struct.calcsize(byteorder + "q") + struct.calcsize(byteorder + "i")
                + len(self) * struct.calcsize(byteorder + "I"))

    def serialize(self, buf, byteorder="@"):
        if len(buf) < self.bytesize():
            raise ValueError("The buffer does not have enough space for holding this MinHash.")
        fmt = "%sqi%dI" % (byteorder, len(self))
        struct.pack_into(fmt, buf, 0, self.seed, len(self), *self.hashvalues)

    @classmethod
    def deserialize(cls, buf, byteorder="@"):
        lmh = object.__new__(LeanMinHash)
        lmh._initialize_slots(*_unpack(buf, byteorder))
        return lmh

    def __getstate__(self):
        buf = bytearray(self.bytesize())
        fmt = "qi%dI" % len(self)
        struct.pack_into(fmt, buf, 0, self.seed, len(self), *self.hashvalues)
        return buf

    def __setstate__(self, buf):
        self._initialize_slots(*_unpack(buf, ""))

    def __hash__(self):
        return hash((self.seed, tuple(self.hashvalues)))

    @classmethod
    def union(cls, *lmhs):
        if len(lmhs) < 2:
            raise ValueError("Cannot union less than 2 MinHash")
        num_perm = len(lmhs[0])
        seed = lmhs[0].seed
        if any((seed != m.seed or num_perm != len(m)) for m in lmhs):
            raise ValueError("The unioning MinHash must have the same seed, number of "
                             "permutation functions.")
        hashvalues = np.minimum.reduce([m.hashvalues for m in lmhs])
        return LeanMinHash(seed=seed, hashvalues=hashvalues)
