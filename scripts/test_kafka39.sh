#!/usr/bin/env bash
# The core integration tests again on Kafka 3.9, which most production clusters still run: the
# exporter on a real broker, a 3-node cluster through restarts and failures, exact lag on record
# batches, TLS/SASL. CI's second step (after scripts/test.sh, which checks statically already).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
KAFKA_VERSION=3.9.1 SKIP_STATIC_CHECKS=1 ./scripts/test.sh \
  tests/integration/exporter_kafka_test.ts tests/integration/multi_broker_test.ts \
  tests/integration/exact_lag_batches_test.ts tests/integration/kafka_security_test.ts
