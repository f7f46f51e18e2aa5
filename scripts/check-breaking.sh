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
first_file_options_config='{"version":"v2","modules":[{"path":"proto"}],"breaking":{"use":["FILE"],"except":["FILE_SAME_CSHARP_NAMESPACE","FILE_SAME_GO_PACKAGE","FILE_SAME_JAVA_MULTIPLE_FILES","FILE_SAME_JAVA_OUTER_CLASSNAME","FILE_SAME_JAVA_PACKAGE","FILE_SAME_OBJC_CLASS_PREFIX","FILE_SAME_PHP_NAMESPACE","FILE_SAME_RUBY_PACKAGE"]}}'
for commit in $candidates; do
  git cat-file -e "$commit:proto" 2>/dev/null || continue
  tmp=$(mktemp -d)
  git archive "$commit" proto buf.yaml | tar -x -C "$tmp"
  config=()
  if ! grep -rqs '^option go_package' "$tmp/proto"; then
    # The stock-generator file options (go_package, java_package, …) were first set by issue 11; a
    # contract from before then had none. Setting them where there were none moves no generated code a
    # stub user already has at a set path, so only that first setting is let through; changing them
    # later is still breaking.
    config=(--config "$first_file_options_config")
  fi
  if ! buf breaking --against "$tmp" "${config[@]}"; then
    rm -rf "$tmp"
    echo "proto/ breaks compatibility with the contract of commit ${commit:0:12}" >&2
    exit 1
  fi
  rm -rf "$tmp"
  checked=$((checked + 1))
done
echo "no breaking changes against $checked earlier version(s) of the contract"
