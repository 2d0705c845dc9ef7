#!/usr/bin/env bash
# Installs the library from BUILD_DIR into a scratch prefix, builds
# examples/ against it with find_package(dubare), and runs the example.
#   examples/check_install.sh BUILD_DIR
set -euo pipefail
build="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/dubare-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$here" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/dedup_in_memory"
echo "examples: built against the installed library and ran"
