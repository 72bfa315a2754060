#!/usr/bin/env bash
# Runs every libFuzzer harness (tests/fuzz/) for MINUTES each, with ASan + UBSan, continuing
# from the corpus earlier runs grew in build/fuzz/corpus. Prints executions and findings.
#   bench/fuzz.sh MINUTES
set -euo pipefail
minutes=${1:?usage: bench/fuzz.sh MINUTES}
exec "$(dirname "$0")/../tests/fuzz/run.sh" "$((minutes * 60))"
