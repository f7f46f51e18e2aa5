#!/usr/bin/env bash
# Compiles src/ and gen/ into dist/ and builds the descriptor set that server reflection serves.
# Incremental: a second run with nothing changed takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
tsc -p tsconfig.build.json
bash scripts/build-descriptors.sh
