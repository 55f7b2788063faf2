#!/usr/bin/env bash
# The tools only the test suite needs, installed when missing (source it after bootstrap.sh):
#   - from apt: redis-server and redis-tools (scale-out tests, Redis Cluster set-up), openssl
#     (test certificates), nginx-light (bearer-token proxy), chromium (the status page's browser
#     test)
#   - Prometheus 3 and promtool (remote-write, OTLP, compat and alert-rule tests), built with Go
#     from the Go module proxy into a per-user cache that clean clones share (Debian's package is
#     2.42: no OTLP receiver, no remote write 2.0)
#   - helm (built with Go when missing) for the chart tests, and tests/tools/tls_wrong_key_client
set -euo pipefail
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

_as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "bootstrap: need root (or sudo) to run: $*" >&2; return 1
  fi
}

_packages=()
command -v redis-server >/dev/null 2>&1 || _packages+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || _packages+=(redis-tools)
command -v openssl >/dev/null 2>&1 || _packages+=(openssl)
command -v nginx >/dev/null 2>&1 || _packages+=(nginx-light)
command -v chromium >/dev/null 2>&1 || _packages+=(chromium)
if [ ${#_packages[@]} -gt 0 ]; then
  echo "bootstrap: installing test tools from apt: ${_packages[*]}" >&2
  _as_root apt-get update -qq >&2
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${_packages[@]}" >&2
fi

# Prometheus 3: the module's v0.3xx tags are the 3.x releases. About 4 minutes the first time on
# 2 cores; tests/harness/prometheus.ts looks for the binaries at the same place.
_prometheus_version="$(cat "$_root/tests/tools/PROMETHEUS_VERSION")"
_prometheus_dir="${XDG_CACHE_HOME:-$HOME/.cache}/kafka-lag-deno/tools/prometheus-$_prometheus_version"
if [ ! -x "$_prometheus_dir/prometheus" ] || [ ! -x "$_prometheus_dir/promtool" ]; then
  command -v go >/dev/null 2>&1 || { echo "bootstrap: Go is needed to build Prometheus 3" >&2; exit 1; }
  echo "bootstrap: building Prometheus $_prometheus_version from the Go module proxy into $_prometheus_dir" >&2
  mkdir -p "$_prometheus_dir"
  (cd /tmp && GOBIN="$_prometheus_dir" go install \
    "github.com/prometheus/prometheus/cmd/prometheus@$_prometheus_version" \
    "github.com/prometheus/prometheus/cmd/promtool@$_prometheus_version") >&2
fi

# helm renders the chart in tests/deploy_test.ts; no Debian package exists, so it is built from
# the Go module proxy into .cache/tools (about 2 minutes the first time).
if ! command -v helm >/dev/null 2>&1 && [ ! -x "$_root/.cache/tools/helm" ]; then
  command -v go >/dev/null 2>&1 || { echo "bootstrap: helm or Go is needed for the chart tests" >&2; exit 1; }
  echo "bootstrap: building helm from the Go module proxy into .cache/tools" >&2
  GOBIN="$_root/.cache/tools" go install helm.sh/helm/v3/cmd/helm@v3.16.4 >&2
fi

# A TLS client that signs with a key that is not its certificate's (the client-certificate tests):
# no stock client can be made to do that. Standard library only, built in seconds.
if [ ! -x "$_root/.cache/tools/tls_wrong_key_client" ]; then
  command -v go >/dev/null 2>&1 || { echo "bootstrap: Go is needed to build tests/tools/tls_wrong_key_client" >&2; exit 1; }
  (cd "$_root/tests/tools/tls_wrong_key_client" && go build -o "$_root/.cache/tools/tls_wrong_key_client" .) >&2
fi
