#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (in build-fuzz/) and fuzzes one.
#   scripts/fuzz.sh NAME [SECONDS]   e.g. scripts/fuzz.sh textparse_text 600
#   scripts/fuzz.sh --list
# New inputs are added to a scratch copy of fuzz/corpus/NAME; crashes land in
# fuzz/artifacts/NAME/. The run fails when libFuzzer finds a crash or leak.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--list" ]]; then
  ls fuzz/*_fuzz.cc | sed 's|fuzz/||; s|_fuzz.cc||'
  exit 0
fi
name=${1:?usage: scripts/fuzz.sh NAME [SECONDS]}
secs=${2:-60}
scripts/setup.sh
if [[ ! -f build-fuzz/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPHAROS_FUZZ=ON -DPHAROS_BENCH=OFF >/dev/null
fi
ninja -C build-fuzz "${name}_fuzz"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "fuzz/artifacts/$name"
cp -r "fuzz/corpus/$name/." "$work/" 2>/dev/null || true
"build-fuzz/fuzz/${name}_fuzz" "$work" -max_total_time="$secs" -print_final_stats=1 \
  -artifact_prefix="fuzz/artifacts/$name/" -rss_limit_mb=2048 -timeout=10
