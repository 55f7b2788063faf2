#!/usr/bin/env bash
# The whole test suite: static checks, then unit, CLI and integration tests against a real Kafka.
# Installs what is missing first (scripts/bootstrap.sh, scripts/bootstrap_test_tools.sh). Extra arguments go to `deno test`.
# KAFKA_VERSION=3.9.1 scripts/test.sh runs the same tests against Kafka 3.9.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/bootstrap.sh
. scripts/bootstrap_test_tools.sh
if [ -n "${KAFKA_VERSION:-}" ]; then bash scripts/fetch_kafka.sh "$KAFKA_VERSION"; fi
"$DENO" install --frozen
# SKIP_STATIC_CHECKS=1: a second run of some tests (CI's Kafka 3.9 step) need not check again.
if [ -z "${SKIP_STATIC_CHECKS:-}" ]; then "$DENO" task check; fi
# Two test files at a time (the task runs `deno test --parallel`): most of their time is spent
# waiting on brokers and iterations, and the timing bounds in the tests hold at two.
export DENO_JOBS="${DENO_JOBS:-2}"
# Temporary files of the run (configs, broker data, certificates, port claims) in one folder,
# removed when the run ends however it ends.
TMPDIR="$(mktemp -d "${TMPDIR:-/tmp}/kafka-lag-deno-run-XXXXXX")"
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
"$DENO" task test "$@"
