#!/usr/bin/env bash
# Builds dist/seedream.binpb, the descriptor set server reflection serves: every file of proto/ with
# its imports (google/protobuf/*.proto), followed by the grpc.reflection v1 and v1alpha files shipped
# with @grpc/reflection. Two FileDescriptorSets concatenated are one set (repeated field 1), so the
# result is a single valid set. Used by scripts/build.sh and vitest's global setup.
set -euo pipefail
cd "$(dirname "$0")/.."
buf=node_modules/.bin/buf
reflection=node_modules/@grpc/reflection/build/proto
mkdir -p dist
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$buf" build -o "$tmp/seedream.binpb"
"$buf" build "$reflection" --path "$reflection/grpc/reflection" -o "$tmp/reflection.binpb"
# Written beside and renamed into place: a gateway starting meanwhile never reads half a file.
cat "$tmp/seedream.binpb" "$tmp/reflection.binpb" > dist/.seedream.binpb.tmp
mv dist/.seedream.binpb.tmp dist/seedream.binpb
