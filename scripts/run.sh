#!/usr/bin/env bash
# Sets up, builds and starts pharos on its embedded default: it scrapes
# itself, stores under ./data and serves everything on :9090.
# Extra arguments are passed to pharos (for example --config.file=pharos.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh pharos
exec build/pharos "$@"
