"""datasketch's MinHash, LeanMinHash and MinHashLSH on Dubare's C++ kernel.

Change ``from datasketch import MinHash, MinHashLSH`` to
``from dubare.datasketch import MinHash, MinHashLSH``: the constructors,
methods, pickling and (with the default hash) the signature values are
datasketch's; docs/python.md lists where this module differs (in-memory LSH
storage only; no GPU, b-bit or weighted MinHash).
"""

from . import hashfunc, lean_minhash, lsh, minhash
from .hashfunc import sha1_hash32, sha1_hash64
from .lean_minhash import LeanMinHash
from .lsh import MinHashLSH
from .minhash import MinHash

__all__ = ["MinHash", "LeanMinHash", "MinHashLSH", "sha1_hash32", "sha1_hash64"]
