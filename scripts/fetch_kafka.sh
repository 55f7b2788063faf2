#!/usr/bin/env bash
# Fetches the jars of Apache Kafka (broker + CLI tools) from Maven Central into .cache/kafka/<version>/libs.
# Usage: scripts/fetch_kafka.sh [VERSION]   (default: $KAFKA_VERSION, else scripts/kafka/VERSION)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${1:-${KAFKA_VERSION:-$(cat "$root/scripts/kafka/VERSION")}}"
libs="$root/.cache/kafka/$version/libs"
if [ -f "$libs/.complete" ]; then
  exit 0
fi
if ! command -v mvn >/dev/null 2>&1; then
  echo "fetch_kafka: Maven (mvn) is needed to fetch the Kafka jars; install it (apt-get install -y maven)" >&2
  exit 1
fi
rm -rf "$libs"
mkdir -p "$libs"
echo "fetch_kafka: fetching Apache Kafka $version from Maven Central into $libs" >&2
mvn -q -B -f "$root/scripts/kafka/pom.xml" -Dkafka.version="$version" -DoutputDirectory="$libs" \
  dependency:copy-dependencies
ls "$libs"/kafka_2.13-"$version".jar >/dev/null
touch "$libs/.complete"
