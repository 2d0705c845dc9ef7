"""Hash functions of dubare.datasketch, as datasketch.hashfunc defines them."""

import hashlib
import struct


def sha1_hash32(data):
    """The first 4 bytes of SHA-1 of ``data`` as a little-endian uint32 (the default)."""
    return struct.unpack("<I", hashlib.sha1(data).digest()[:4])[0]


def sha1_hash64(data):
    """The first 8 bytes of SHA-1 of ``data`` as a little-endian uint64."""
    return struct.unpack("<Q", hashlib.sha1(data).digest()[:8])[0]
