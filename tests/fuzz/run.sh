#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan + UBSan) and runs each for SECONDS on a copy of its
# checked-in seed corpus. Prints executions and findings per harness; exits 1 on any finding
# (crash, leak, timeout, sanitizer report), whose input is kept under <build>/fuzz/findings/.
#   tests/fuzz/run.sh SECONDS [MAIN_BUILD_DIR]     (./test.sh -L fuzz runs it with 15 s)
set -euo pipefail
seconds=${1:?usage: run.sh SECONDS [MAIN_BUILD_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
build=${2:-$here/../../build}
build=$(cd "$build" && pwd)
out=$build/fuzz
[[ -d $build/proto/gen/judge/v1 ]] || { echo "build the project first ($build/proto/gen is missing)" >&2; exit 1; }
if [[ ! -f $out/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -G Ninja -S "$here" -B "$out" -DJUDGE_GEN_DIR="$build/proto/gen" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
# A harness that does not build says why (not a silent exit).
if ! build_log=$(cmake --build "$out" -j"$(nproc)" 2>&1); then
  echo "$build_log" | grep -E 'error|undefined' | head -20 >&2
  echo "the fuzz harnesses do not build (above)" >&2
  exit 1
fi
failed=0
mkdir -p "$out/findings"
for h in checker_fuzz keys_fuzz challenge_fuzz json_request_fuzz; do
  work=$out/corpus/$h
  mkdir -p "$work"
  log=$out/$h.log
  status=0
  (cd "$out/findings" && "$out/$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "$work" "$here/corpus/$h") >"$log" 2>&1 || status=$?
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  corpus=$(find "$work" -type f | wc -l)
  if [[ $status -ne 0 ]]; then
    failed=1
    echo "$h: FINDING after $execs executions (see $log and $out/findings):" >&2
    grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5 >&2
  else
    echo "$h: $execs executions in ${seconds}s, no findings (corpus $corpus inputs)"
  fi
done
exit $failed
