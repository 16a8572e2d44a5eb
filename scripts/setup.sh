#!/usr/bin/env bash
# Installs what Pharos needs from Debian 12's packages. Idempotent: when
# everything is present it only checks and returns (about a second).
#
#   scripts/setup.sh          build dependencies
#   scripts/setup.sh --test   also the peers the tests run against
#                             (Prometheus, Alertmanager, exporters, PostgreSQL,
#                             Redis, Chromium, ...)
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config git python3
  libabsl-dev libboost-dev libcurl4-openssl-dev libssl-dev zlib1g-dev
  libyaml-cpp-dev libsimdjson-dev libre2-dev libprotobuf-dev protobuf-compiler
  libgrpc++-dev protobuf-compiler-grpc libsnappy-dev libzstd-dev libxxhash-dev
  libcli11-dev libpq-dev libhiredis-dev libmongoc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
)
test_pkgs=(
  prometheus prometheus-alertmanager victoria-metrics
  prometheus-node-exporter prometheus-postgres-exporter prometheus-redis-exporter
  prometheus-blackbox-exporter
  postgresql redis-server
  chromium chromium-driver
  procps iproute2 curl openssl
)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then
  want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Debian starts the servers it installs; the tests start their own on free
# ports, and a system Prometheus would hold :9090. Stop only what we installed.
if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  for svc in prometheus prometheus-alertmanager victoria-metrics prometheus-node-exporter \
             prometheus-postgres-exporter prometheus-redis-exporter prometheus-blackbox-exporter \
             redis-server postgresql; do
    for p in "${missing[@]}"; do
      if [[ "$p" == "$svc" ]]; then $sudo systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
    done
  done
fi
