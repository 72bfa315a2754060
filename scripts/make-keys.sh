#!/usr/bin/env bash
# Creates a keys file with one fresh random token per role and prints the tokens once.
# Only the tokens' sha256 hashes are stored; keep the printed tokens, they cannot be recovered.
#   scripts/make-keys.sh var/keys [CANDIDATE_ID]
set -euo pipefail
out=${1:?usage: make-keys.sh KEYS_FILE [CANDIDATE_ID]}
candidate=${2:-candidate-1}
if [[ -e $out ]]; then
  echo "make-keys: $out exists; remove it to issue new tokens" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
umask 077
tmp=$(mktemp "$out.XXXXXX")
{
  echo "# judged keys: <sha256 of token> <role> [<candidate id>]"
  echo "# made by scripts/make-keys.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$tmp"
echo "New API tokens (shown once; only their hashes are kept in $out):"
for role in candidate interviewer platform admin; do
  token=$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | head -c 40)
  hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
  if [[ $role == candidate ]]; then
    echo "$hash candidate $candidate" >> "$tmp"
    printf '  %-12s %s   (candidate id %s)\n' "$role" "$token" "$candidate"
  else
    echo "$hash $role" >> "$tmp"
    printf '  %-12s %s\n' "$role" "$token"
  fi
done
mv "$tmp" "$out"
