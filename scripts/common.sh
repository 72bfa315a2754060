# Shared by run.sh and test.sh: install what is missing, configure and build a preset.
# Re-running is cheap: install-deps.sh checks dpkg first, and ninja rebuilds only what changed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

judge_setup() {
  local preset=${1:-release}
  bash "$ROOT/scripts/install-deps.sh"
  local dir=$ROOT/build
  [[ $preset == debug ]] && dir=$ROOT/build-debug
  if [[ ! -f $dir/build.ninja ]]; then
    cmake --preset "$preset" -S "$ROOT" >/dev/null
  fi
  local start=$SECONDS
  cmake --build "$dir" -j"$(nproc)"
  bash "$ROOT/scripts/build-web.sh" "$dir/web"
  echo "build: $preset preset up to date in $((SECONDS - start)) s ($dir)"
}
