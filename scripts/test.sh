#!/usr/bin/env bash
# Sets up (build and test dependencies), builds everything and runs the whole
# test suite: unit tests, fuzz corpora, conformance and integration tests
# against real peers started on loopback. Extra arguments go to ctest
# (for example -R promql or -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
scripts/build.sh
cd "${PHAROS_BUILD_DIR:-build}"
ctest --output-on-failure --timeout 900 -j2 "$@"
