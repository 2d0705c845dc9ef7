#!/usr/bin/env bash
# Runs datasketch's own tests (test_minhash.py, test_lean_minhash.py,
# test_lsh.py) against dubare.datasketch, through a shim package named
# `datasketch` built in a scratch folder. Nothing of datasketch is in this
# repository: DATASKETCH_SRC is a folder with its source (e.g. unpacked from
# ekzhu/datasketch with git archive).
#
#   PYTHONPATH=build/python DATASKETCH_SRC=/tmp/datasketch_src bash bench/run_datasketch_tests.sh
#
# Deselected: the Redis tests (they need a Redis client and PyPI's
# mockredis). bBitMinHash and WeightedMinHashGenerator, which the test files
# import but dubare.datasketch does not offer, are datasketch's own files
# loaded by path into the shim.
set -euo pipefail
src="${DATASKETCH_SRC:?set DATASKETCH_SRC to a folder with the datasketch source}"
work="$(mktemp -d "${TMPDIR:-/tmp}/dubare-dstests.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/datasketch" "$work/test"
cp "$src"/test/__init__.py "$src"/test/utils.py "$src"/test/test_minhash.py \
   "$src"/test/test_lean_minhash.py "$src"/test/test_lsh.py "$work/test/"
# test_lsh.py imports mockredis at module level; only the Redis tests use it.
echo "# stand-in: the Redis tests are deselected" >"$work/mockredis.py"
cat >"$work/datasketch/__init__.py" <<PY
import importlib.util, sys
from dubare.datasketch import *  # noqa: F401,F403
from dubare.datasketch import hashfunc, lean_minhash, lsh, minhash
for name in ("hashfunc", "lean_minhash", "lsh", "minhash"):
    sys.modules["datasketch." + name] = sys.modules["dubare.datasketch." + name]

def _theirs(name):
    spec = importlib.util.spec_from_file_location(
        "datasketch." + name, "$src/datasketch/" + name + ".py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["datasketch." + name] = module
    spec.loader.exec_module(module)
    return module

b_bit_minhash = _theirs("b_bit_minhash")
weighted_minhash = _theirs("weighted_minhash")
PY
cd "$work"
PYTHONPATH="$work:${PYTHONPATH:-}" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
  -k "not redis" test/test_minhash.py test/test_lean_minhash.py test/test_lsh.py "$@"
