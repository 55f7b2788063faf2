#!/usr/bin/env bash
# Makes sure everything the tests and the demo need is here, installing what is missing:
#   - Deno 2 (from npm, into .cache/deno when no `deno` is on PATH)
#   - from apt: Maven (to fetch the Kafka jars), redis-server and redis-tools, openssl,
#     prometheus and nginx-light (remote-write tests)
#   - helm (built with Go when missing) for the chart tests
#   - the Kafka jars themselves (scripts/fetch_kafka.sh)
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
_packages=()
command -v mvn >/dev/null 2>&1 || _packages+=(maven)               # fetches the Kafka jars
command -v redis-server >/dev/null 2>&1 || _packages+=(redis-server) # scale-out tests
command -v redis-cli >/dev/null 2>&1 || _packages+=(redis-tools)     # Redis Cluster set-up
command -v openssl >/dev/null 2>&1 || _packages+=(openssl)           # test certificates
command -v prometheus >/dev/null 2>&1 || _packages+=(prometheus)     # remote-write tests
command -v nginx >/dev/null 2>&1 || _packages+=(nginx-light)         # bearer-token proxy in tests
if [ ${#_packages[@]} -gt 0 ]; then
  echo "bootstrap: installing from apt: ${_packages[*]}" >&2
  _as_root apt-get update -qq >&2
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${_packages[@]}" >&2
fi
bash "$_root/scripts/fetch_kafka.sh"

# helm renders the chart in tests/deploy_test.ts; no Debian package exists, so it is built from
# the Go module proxy into .cache/tools (about 2 minutes the first time).
if ! command -v helm >/dev/null 2>&1 && [ ! -x "$_root/.cache/tools/helm" ]; then
  command -v go >/dev/null 2>&1 || { echo "bootstrap: helm or Go is needed for the chart tests" >&2; exit 1; }
  echo "bootstrap: building helm from the Go module proxy into .cache/tools" >&2
  GOBIN="$_root/.cache/tools" go install helm.sh/helm/v3/cmd/helm@v3.16.4 >&2
fi
