#!/usr/bin/env bash
# `npm test`: every check the project has, stopping at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "buf lint (STANDARD + COMMENTS)"
buf lint

step "gen/ matches what buf generates from proto/"
bash scripts/check-gen-drift.sh

step "buf breaking (FILE) against earlier versions of the contract"
bash scripts/check-breaking.sh

step "tsc --noEmit"
tsc --noEmit

step "build (dist/ and the descriptor set; the start-up tests run the built entry point)"
bash scripts/build.sh

step "vitest"
mkdir -p .test-results
vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json
