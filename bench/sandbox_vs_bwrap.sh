#!/usr/bin/env bash
# Whole-process cost of `sandbox-run -- /bin/true` next to Debian's bubblewrap, measured side by
# side: build/bin/spawn_timer starts the two in turn (so both see the same machine load), in a
# new random order each round, with posix_spawn, and times each until it has exited. What a run
# leaves to the kernel lands on the next process, so each timed run follows an untimed run of
# the same command (see spawn_timer.cc). Plain /bin/true is timed alongside as the floor
# (starting any process costs that much here). Prints median and p90 in ms, and the ratio.
#   bench/sandbox_vs_bwrap.sh [RUNS]   (default 300; needs root, bwrap and a release build)
set -euo pipefail
runs=${1:-300}
root=$(cd "$(dirname "$0")/.." && pwd)
sr=$root/build/bin/sandbox-run
timer=$root/build/bin/spawn_timer
command -v bwrap >/dev/null || { echo "bwrap is missing (apt-get install bubblewrap)" >&2; exit 1; }
for f in "$sr" "$timer"; do
  [[ -x $f ]] || { echo "build first: $f is missing (cmake --build build)" >&2; exit 1; }
done
out=$("$timer" "$runs" \
  "$sr" --result /dev/null -- /bin/true , \
  bwrap --unshare-all --ro-bind / / --dev /dev --proc /proc /bin/true , \
  /bin/true)
read -r _ sr_med sr_p90 <<<"$(sed -n 1p <<<"$out")"
read -r _ bw_med bw_p90 <<<"$(sed -n 2p <<<"$out")"
read -r _ true_med true_p90 <<<"$(sed -n 3p <<<"$out")"
echo "sandbox-run -- /bin/true : median $sr_med ms  p90 $sr_p90 ms  ($runs runs)"
echo "bwrap --unshare-all ...  : median $bw_med ms  p90 $bw_p90 ms"
echo "/bin/true alone          : median $true_med ms  p90 $true_p90 ms"
awk -v a="$sr_med" -v b="$bw_med" \
  'BEGIN {printf "ratio sandbox-run / bwrap: %.3f (target <= 0.6)\n", a/b}'
