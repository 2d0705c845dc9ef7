"""dubare.datasketch against slow, obvious numpy references of datasketch's formulas.

datasketch itself is not needed: each reference below is datasketch's
definition written out with numpy and hashlib (bench/run_datasketch_tests.sh
runs datasketch's own test files against this module when its source is at
hand).
"""

import hashlib
import pickle
import struct

import numpy as np
import pytest

from dubare import _dubare
from dubare.datasketch import LeanMinHash, MinHash, MinHashLSH, sha1_hash32

P = np.uint64((1 << 61) - 1)
M = np.uint64((1 << 32) - 1)


def reference_permutations(seed, n):
    gen = np.random.RandomState(seed)
    return np.array([(gen.randint(1, P, dtype=np.uint64), gen.randint(0, P, dtype=np.uint64))
                     for _ in range(n)], dtype=np.uint64).T


def reference_signature(items, seed, n):
    a, b = reference_permutations(seed, n)
    values = np.ones(n, dtype=np.uint64) * M
    for item in items:
        hv = np.uint64(struct.unpack("<I", hashlib.sha1(item).digest()[:4])[0])
        with np.errstate(over="ignore"):
            phv = np.bitwise_and((a * hv + b) % P, M)
        values = np.minimum(values, phv)
    return values


@pytest.mark.parametrize("seed", [0, 1, 2, 7, 12345, 2**31, 2**32 - 1])
@pytest.mark.parametrize("n", [1, 4, 128, 300])
def test_permutations_are_numpys_randomstate_stream(seed, n):
    assert np.array_equal(_dubare._ds_permutations(seed, n), reference_permutations(seed, n))


def test_mod_mersenne_equals_the_remainder():
    rng = np.random.default_rng(5)
    values = [0, 1, int(P) - 1, int(P), int(P) + 1, 2 * int(P), 2 * int(P) + 5, 2**63, 2**64 - 1]
    values += [int(x) for x in rng.integers(0, 2**64 - 1, size=20000, dtype=np.uint64)]
    for x in values:
        assert _dubare._ds_mod_mersenne61(x) == x % int(P), x


@pytest.mark.parametrize("seed,n", [(1, 4), (1, 128), (42, 256), (7, 4096)])
def test_signatures_are_datasketchs(seed, n):
    items = [f"token-{i}".encode() for i in range(500)] + [b"", b"x" * 1000, "کورد".encode()]
    m = MinHash(num_perm=n, seed=seed)
    m.update_batch(items)
    assert m.hashvalues.dtype == np.uint64
    assert np.array_equal(m.hashvalues, reference_signature(items, seed, n))
    one_by_one = MinHash(num_perm=n, seed=seed)
    for item in items:
        one_by_one.update(item)
    assert one_by_one == m


@pytest.mark.parametrize("extensions", [True, False])
def test_sha1_hash32_paths_equal_hashlib(extensions):
    # Every length up to 300 bytes: padding into one block or two, and whole
    # blocks before it. The SHA-extension path only where the CPU has them.
    if extensions and not _dubare._ds_sha1_extensions():
        pytest.skip("no SHA extensions on this CPU")
    rng = np.random.default_rng(3)
    items = [rng.integers(0, 256, n, dtype=np.uint8).tobytes() for n in range(301)]
    want = [struct.unpack("<I", hashlib.sha1(b).digest()[:4])[0] for b in items]
    assert _dubare._ds_sha1_hash32(items, extensions).tolist() == want


def test_golden_values_of_datasketchs_own_tests():
    m = MinHash(4, 1)
    m.update(b"Hello")
    assert m.hashvalues.tolist() == [734825475, 960773806, 359816889, 342714745]
    lean = LeanMinHash(m)
    buf = bytearray(lean.bytesize("<"))
    lean.serialize(buf, "<")
    assert buf.hex() == "0100000000000000" "04000000" "038ccc2b" "ae3e4439" "b95e7215" "79696d14"
    assert LeanMinHash.deserialize(bytes(buf), "<") == lean


def test_buffers_and_custom_hash_functions():
    items = [bytearray(b"abc"), memoryview(b"def"), np.arange(3, dtype=np.int32)]
    m = MinHash(num_perm=16)
    m.update_batch(items)
    assert np.array_equal(m.hashvalues,
                          reference_signature([bytes(memoryview(x)) for x in items], 1, 16))
    with pytest.raises(TypeError, match="encoded"):
        m.update("a str")
    # A custom hash function's values go through the same kernel.
    ident = MinHash(num_perm=16, hashfunc=lambda x: x)
    ident.update_batch([12, 2**40, 2**64 - 1])
    a, b = reference_permutations(1, 16)
    expected = np.ones(16, dtype=np.uint64) * M
    for hv in [12, 2**40, 2**64 - 1]:
        with np.errstate(over="ignore"):
            expected = np.minimum(expected, np.bitwise_and((a * np.uint64(hv) + b) % P, M))
    assert np.array_equal(ident.hashvalues, expected)
    with pytest.raises(ValueError):
        ident.update(-1)


def test_count_equals_numpys_sum():
    rng = np.random.default_rng(3)
    for n in [1, 7, 8, 9, 100, 128, 129, 257, 1000, 4096]:
        m = MinHash(num_perm=n, hashvalues=rng.integers(1, 2**32 - 1, size=n, dtype=np.uint64))
        expected = float(n) / np.sum(m.hashvalues / float(M)) - 1.0
        assert m.count() == expected, n


def test_jaccard_merge_union_copy_pickle():
    a, b = MinHash(), MinHash()
    a.update_batch([str(i).encode() for i in range(100)])
    b.update_batch([str(i).encode() for i in range(50, 150)])
    assert 0.2 < a.jaccard(b) < 0.5
    u = MinHash.union(a, b)
    c = a.copy()
    c.merge(b)
    assert u == c and c.permutations is a.permutations
    assert pickle.loads(pickle.dumps(a)) == a
    lean = LeanMinHash(a)
    assert pickle.loads(pickle.dumps(lean)) == lean
    assert hash(lean) == hash((a.seed, tuple(a.hashvalues)))
    with pytest.raises(TypeError):
        lean.update(b"x")
    with pytest.raises(ValueError):
        a.jaccard(MinHash(seed=2))


@pytest.mark.parametrize("threshold,n,weights,expected", [
    (0.5, 128, (0.5, 0.5), (25, 5)), (0.8, 128, (0.5, 0.5), (9, 13)),
    (0.8, 128, (0.2, 0.8), (12, 10)), (0.9, 128, (0.5, 0.5), (5, 25)),
    (0.5, 16, (0.5, 0.5), (5, 3)), (0.3, 128, (0.5, 0.5), (37, 3)),
    (0.77, 128, (0.5, 0.5), (11, 11)), (0.5, 200, (0.5, 0.5), (33, 6)),
    (0.9, 200, (0.5, 0.5), (8, 25)),
])
def test_lsh_layout_is_datasketchs(threshold, n, weights, expected):
    # Values from datasketch's _optimal_param (scipy quad) on this machine.
    lsh = MinHashLSH(threshold=threshold, num_perm=n, weights=weights)
    assert (lsh.b, lsh.r) == expected


def test_lsh_insert_query_remove_and_band_keys():
    docs = {}
    for key, words in {"a": range(0, 60), "b": range(5, 65), "c": range(500, 560)}.items():
        m = MinHash(num_perm=128)
        m.update_batch([str(w).encode() for w in words])
        docs[key] = m
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    for key, m in docs.items():
        lsh.insert(key, m)
    assert sorted(lsh.query(docs["a"])) == ["a", "b"]
    assert lsh.query(docs["c"]) == ["c"]
    # Band 0's key is its values as big-endian 8-byte words.
    r = lsh.r
    assert lsh.keys["a"][0] == b"".join(int(v).to_bytes(8, "big") for v in docs["a"].hashvalues[:r])
    with pytest.raises(ValueError):
        lsh.insert("a", docs["a"])
    with pytest.raises(ValueError):
        lsh.query(MinHash(num_perm=64))
    lsh.add_to_query_buffer(docs["a"])
    lsh.add_to_query_buffer(docs["b"])
    assert sorted(lsh.collect_query_buffer()) == ["a", "b"]
    assert [sum(t.values()) for t in lsh.get_counts()] == [3] * lsh.b
    lsh.remove("c")
    assert "c" not in lsh and all(len(bucket) > 0 for t in lsh.hashtables for bucket in t.values())
    with pytest.raises(ValueError):
        lsh.remove("c")
    restored = pickle.loads(pickle.dumps(lsh))
    assert sorted(restored.query(docs["b"])) == ["a", "b"]
