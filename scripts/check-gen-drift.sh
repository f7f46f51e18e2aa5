#!/usr/bin/env bash
# Regenerates into a temporary folder and compares with the committed gen/: any difference (an edited,
# missing or extra file) fails, so gen/ can never drift from proto/.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
buf generate -o "$tmp"
if ! diff -r "$tmp/gen" gen; then
  echo "gen/ differs from what buf generates from proto/: run 'npm run gen' and commit proto/ and gen/ together." >&2
  exit 1
fi
echo "gen/ is up to date"
