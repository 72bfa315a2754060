#!/usr/bin/env bash
# Installs what is missing, builds the release preset, and runs every test through ctest.
#   ./test.sh            all tests
#   ./test.sh -L unit    only one label (unit, integration, security, e2e); any ctest arguments
set -euo pipefail
cd "$(dirname "$0")"
source scripts/common.sh
judge_setup release
cd build
# The container smoke test builds an image (about 20 minutes): only when its label is asked for.
if [[ " $* " == *" container "* ]]; then export JUDGE_CONTAINER_TEST=1; fi
ctest --output-on-failure -j"$(nproc)" --timeout 600 "$@"
