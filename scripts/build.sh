#!/usr/bin/env bash
# Configures (once) and builds Pharos into build/ with Ninja (and ccache
# when present). Extra arguments go to ninja (targets).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${PHAROS_BUILD_DIR:-build}
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
ninja -C "$build" "$@"
