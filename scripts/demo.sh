#!/usr/bin/env bash
# Local demo: a Kafka broker, a producer, a slow and a fast consumer group, and the exporter on the
# memory store. Prints where to look; Ctrl-C stops everything. Installs what is missing first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/bootstrap.sh
"$DENO" install --frozen
exec "$DENO" task demo "$@"
