#!/usr/bin/env bash
# Builds the browser page into OUTDIR (default build/web), which judged serves with
# --http-listen. Installs the pinned packages of web/package-lock.json with `npm ci` (from the
# npm registry) only when the lock file changed since the last install; the build itself is
# esbuild, offline, in about a second.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$ROOT/build/web}
web=$ROOT/web
stamp=$web/node_modules/.judge-lock
if ! cmp -s "$web/package-lock.json" "$stamp" || [[ ! -x $web/node_modules/.bin/esbuild ]]; then
  echo "build-web: installing the page's pinned packages (npm ci)"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$web/package-lock.json" "$stamp"
fi
# Rebuilt only when a source is newer than the bundle.
if [[ -f $out/app.js && -z $(find "$web/src" "$web/build.mjs" "$web/package-lock.json" -newer "$out/app.js" 2>/dev/null) ]]; then
  echo "build-web: $out up to date"
  exit 0
fi
node "$web/build.mjs" "$out"
