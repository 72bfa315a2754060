#!/usr/bin/env bash
# Fails when a C++ file under sandbox/ or judge/ differs from what clang-format (.clang-format:
# Google style, 100 columns) makes of it. Fix with: clang-format -i <file>.
set -euo pipefail
root=${1:?usage: format_test.sh SOURCE_DIR}
cd "$root"
mapfile -t files < <(find sandbox judge -name '*.cc' -o -name '*.h' | sort)
if ! out=$(clang-format --dry-run --Werror "${files[@]}" 2>&1); then
  echo "$out" | grep -E 'warning:|error:' | head -20 >&2
  echo "not clang-format clean: run clang-format -i on the files above" >&2
  exit 1
fi
echo "clang-format clean: ${#files[@]} files"
