#!/usr/bin/env bash
# Writes the release version and commit into src/version.ts (and deno.json) before `deno compile`,
# so `--version` and kafka_lag_exporter_build_info carry them. Usage: stamp_version.sh VERSION COMMIT
set -euo pipefail
version="${1:?version}"
commit="${2:?commit}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${version#v}"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
  echo "stamp_version: not a semantic version: $version" >&2; exit 2
fi
if ! [[ "$commit" =~ ^[0-9a-f]{7,40}$ ]]; then
  echo "stamp_version: not a git commit: $commit" >&2; exit 2
fi
sed -i -E "s/^export const VERSION = \".*\";/export const VERSION = \"$version\";/" "$root/src/version.ts"
sed -i -E "s/^export const COMMIT = \".*\";/export const COMMIT = \"$commit\";/" "$root/src/version.ts"
sed -i -E "s/^  \"version\": \".*\",/  \"version\": \"$version\",/" "$root/deno.json"
grep -q "VERSION = \"$version\"" "$root/src/version.ts" && grep -q "COMMIT = \"$commit\"" "$root/src/version.ts"
