#!/usr/bin/env bash
# Fails when sandbox/child.cc's object file imports any symbol but clone and __stack_chk_fail:
# the box's init shares the parent's memory and must use raw syscalls only (see child.cc).
#   child_imports_test.sh OBJECT...   (the sandbox's object files; child.cc.o is picked out)
set -euo pipefail
obj=""
for arg in "$@"; do
  IFS=';' read -ra files <<<"$arg"  # CMake may pass the list as one argument
  for f in "${files[@]}"; do
    if [[ $f == */child.cc.o ]]; then obj=$f; fi
  done
done
[[ -n $obj ]] || { echo "child.cc.o is not among the objects given" >&2; exit 1; }
imports=$(nm -u "$obj" | awk '{print $2}' | sort)
unexpected=$(grep -vxE 'clone|__stack_chk_fail' <<<"$imports" || true)
if [[ -n $unexpected ]]; then
  echo "child.cc imports more than clone and __stack_chk_fail:" >&2
  echo "$unexpected" >&2
  exit 1
fi
echo "child.cc imports: $(tr '\n' ' ' <<<"$imports")"
