#!/usr/bin/env bash
# Installs what is missing, builds the release preset and the browser page, creates var/ (data
# dir and a keys file with one generated token per role, printed once), and runs judged in the
# foreground: gRPC on 127.0.0.1:50051, the page and the JSON API on http://127.0.0.1:8080/, with
# the built-in challenges. Extra arguments go to judged (e.g. --workers 4).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/common.sh
judge_setup release
mkdir -p var/data
chmod 711 var  # boxes bind-mount compiled programs from var/data/cache; keys stay 0600
if [[ ! -f var/keys ]]; then
  scripts/make-keys.sh var/keys
fi
echo "judged: starting: gRPC on 127.0.0.1:50051, the page at http://127.0.0.1:8080/ (Ctrl-C stops it)"
exec ./build/bin/judged --listen 127.0.0.1:50051 --http-listen 127.0.0.1:8080 --data-dir var/data \
  --challenges challenges --keys var/keys "$@"
