#!/usr/bin/env bash
# Makes sure what the demo and the exporter's own Kafka need is here, installing what is missing:
#   - Deno 2 (from npm, into .cache/deno when no `deno` is on PATH)
#   - Maven from apt (it fetches the Kafka jars) and the Kafka jars (scripts/fetch_kafka.sh)
# Tools only the tests need are installed by scripts/bootstrap_test_tools.sh.
# Needs Node.js/npm and Java 17+. Source it to get $DENO:  . scripts/bootstrap.sh
set -euo pipefail
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_deno_version="2.9.6"

_as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "bootstrap: need root (or sudo) to run: $*" >&2; return 1
  fi
}

if command -v deno >/dev/null 2>&1 && deno --version 2>/dev/null | grep -q '^deno 2\.'; then
  DENO="$(command -v deno)"
else
  DENO="$_root/.cache/deno/node_modules/.bin/deno"
  if ! "$DENO" --version >/dev/null 2>&1; then
    command -v npm >/dev/null 2>&1 || { echo "bootstrap: npm is needed to install Deno" >&2; exit 1; }
    echo "bootstrap: installing Deno $_deno_version from npm into .cache/deno" >&2
    mkdir -p "$_root/.cache/deno"
    npm install --silent --no-audit --no-fund --prefix "$_root/.cache/deno" "deno@$_deno_version" >&2
  fi
fi
export DENO
export PATH="$(dirname "$DENO"):$PATH"

command -v java >/dev/null 2>&1 || { echo "bootstrap: Java 17+ is needed to run Kafka" >&2; exit 1; }
if ! command -v mvn >/dev/null 2>&1; then
  echo "bootstrap: installing from apt: maven (fetches the Kafka jars)" >&2
  _as_root apt-get update -qq >&2
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >&2
fi
bash "$_root/scripts/fetch_kafka.sh"
