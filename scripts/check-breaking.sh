#!/usr/bin/env bash
# buf breaking (FILE rules) of the working tree's contract against earlier versions of it on main:
# the previous commit, and each of the last few commits that changed proto/ (so a breaking change made
# two commits ago is caught even when the newest commit did not touch proto/). Skipped when there is no
# history (a fresh repository or a shallow clone of depth 1).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git rev-parse --verify -q HEAD >/dev/null 2>&1; then
  echo "no commits yet: nothing to compare against"
  exit 0
fi
candidates=$( { git rev-parse --verify -q 'HEAD~1' 2>/dev/null || true; git log -n 5 --format=%H HEAD -- proto buf.yaml 2>/dev/null || true; } | awk 'NF && !seen[$0]++')
checked=0
for commit in $candidates; do
  git cat-file -e "$commit:proto" 2>/dev/null || continue
  tmp=$(mktemp -d)
  git archive "$commit" proto buf.yaml | tar -x -C "$tmp"
  if ! buf breaking --against "$tmp"; then
    rm -rf "$tmp"
    echo "proto/ breaks compatibility with the contract of commit ${commit:0:12}" >&2
    exit 1
  fi
  rm -rf "$tmp"
  checked=$((checked + 1))
done
echo "no breaking changes against $checked earlier version(s) of the contract"
