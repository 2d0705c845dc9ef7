#!/usr/bin/env bash
# Installs the Debian packages Dubare needs (only those missing) and builds it
# in Release mode into build/. Safe to run again: it does only what is missing.
#   DUBARE_BUILD_DIR   build directory (default: build)
#   DUBARE_CMAKE_ARGS  extra arguments for cmake's configure step
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config
  libicu-dev libxxhash-dev libabsl-dev libsimdjson-dev zlib1g-dev libzstd-dev libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-dev python3-numpy python3-pybind11 pybind11-dev python3-pytest python3-dask libssl-dev
  libopenmpi-dev openmpi-bin
)
# Extra packages for the test suite (the HTML report is rendered in a real browser).
if [[ "${DUBARE_WITH_TEST_DEPS:-0}" == 1 ]]; then
  packages+=(chromium)
fi

sudo_cmd=()
[[ $(id -u) == 0 ]] || sudo_cmd=(sudo)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build_dir="${DUBARE_BUILD_DIR:-build}"
# shellcheck disable=SC2086
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${DUBARE_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
# The Python package (import dubare) into Debian's /usr/bin/python3.
if [[ -f "$build_dir/python/dubare/__init__.py" ]]; then
  "${sudo_cmd[@]}" cmake --install "$build_dir" --component python >/dev/null
fi
