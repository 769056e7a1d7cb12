#!/usr/bin/env bash
# Fails when dist/ is not what the sources build: a JavaScript action runs from dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npx tsx scripts/build.ts "$tmp" >/dev/null
if ! diff -rq dist "$tmp" >/dev/null; then
  echo "dist/ is stale: run 'npm run build' and commit dist/." >&2
  diff -rq dist "$tmp" >&2 || true
  exit 1
fi
echo "dist/ matches the sources."
