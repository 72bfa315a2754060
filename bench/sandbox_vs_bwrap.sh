#!/usr/bin/env bash
# Whole-process cost of `sandbox-run -- /bin/true` next to Debian's bubblewrap, same script,
# interleaved so both see the same machine load. Prints the median and p90 of each, in ms.
#   bench/sandbox_vs_bwrap.sh [RUNS]   (default 300; needs root and build/bin/sandbox-run)
set -euo pipefail
runs=${1:-300}
root=$(cd "$(dirname "$0")/.." && pwd)
sr=$root/build/bin/sandbox-run
command -v bwrap >/dev/null || { echo "bwrap is missing (apt-get install bubblewrap)" >&2; exit 1; }
[[ -x $sr ]] || { echo "build first: $sr is missing" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ((i = 0; i < runs; i++)); do
  t0=$(date +%s%N); "$sr" --result /dev/null -- /bin/true; t1=$(date +%s%N)
  bwrap --unshare-all --ro-bind / / --dev /dev --proc /proc /bin/true; t2=$(date +%s%N)
  echo $(((t1 - t0) / 1000)) >> "$tmp/sr"
  echo $(((t2 - t1) / 1000)) >> "$tmp/bw"
done
stats() { sort -n "$1" | awk '{a[NR]=$1} END {printf "median %.2f ms  p90 %.2f ms", a[int(NR/2)+1]/1000, a[int(NR*0.9)]/1000}'; }
echo "sandbox-run -- /bin/true : $(stats "$tmp/sr")  ($runs runs)"
echo "bwrap --unshare-all ...  : $(stats "$tmp/bw")  ($runs runs)"
sr_med=$(sort -n "$tmp/sr" | awk '{a[NR]=$1} END {print a[int(NR/2)+1]}')
bw_med=$(sort -n "$tmp/bw" | awk '{a[NR]=$1} END {print a[int(NR/2)+1]}')
awk -v a="$sr_med" -v b="$bw_med" 'BEGIN {printf "ratio sandbox-run / bwrap: %.2f (target <= 0.6)\n", a/b}'
