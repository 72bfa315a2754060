#!/usr/bin/env bash
# The container image, built and run here: a Debian 12 base made with debootstrap (no registry
# needed) and imported into podman, docker/Dockerfile built on it, the image run with exactly the
# capabilities the README names (never --privileged), and every challenge's reference judged
# through judgectl against the container, then a hostile program.
#   docker/smoke-test.sh            (root; installs podman, runc and debootstrap if missing)
# Work files go to $JUDGE_IMAGE_WORK (default /var/tmp/judge-image); the base image and the
# build cache are kept between runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${JUDGE_IMAGE_WORK:-/var/tmp/judge-image}
image=localhost/judge:smoke
base=localhost/judge-base:bookworm
name=judge-smoke-$$
mkdir -p "$work"
step() { echo "smoke-test: $* ($(date +%T))"; }

missing=()
for p in podman runc debootstrap; do command -v "$p" >/dev/null || missing+=("$p"); done
if ((${#missing[@]})); then
  step "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends podman runc \
    debootstrap uidmap slirp4netns >/dev/null
fi
# podman's defaults ask for more than this host's hard limits, and crun refuses its hybrid
# cgroups: runc, and limits within the hard ones.
nofile=$(ulimit -Hn)
run_opts=(--runtime runc --ulimit "nofile=$nofile:$nofile" --ulimit nproc=4096:4096)

if ! podman image exists "$base"; then
  step "debootstrap bookworm (minbase) -> $base"
  rm -rf "$work/rootfs"
  debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log"
  tar -C "$work/rootfs" -c . | podman import - "$base" >/dev/null
  rm -rf "$work/rootfs"
fi
step "building docker/Dockerfile on $base"
# The host's CA bundle goes along for the build's npm (a TLS-inspecting proxy's CA, if any).
ca_opts=()
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
  ca_opts=(-v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/host-ca.crt:ro
           --build-arg NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca.crt)
fi
start=$SECONDS
podman build "${run_opts[@]}" "${ca_opts[@]}" --build-arg "BASE=$base" -f "$root/docker/Dockerfile" \
  -t "$image" "$root" >"$work/build.log" 2>&1 || { tail -20 "$work/build.log" >&2; exit 1; }
step "image built in $((SECONDS - start)) s"

# The keys file and the data dir are a volume. Boxes reach the data dir as unprivileged uids.
vol=$work/var-$$
mkdir -p "$vol/data"
chmod 711 "$vol" "$vol/data"
"$root/scripts/make-keys.sh" "$vol/keys" >"$work/tokens.txt"
token_of() { awk -v r="$1" '$1 == r {print $2}' "$work/tokens.txt"; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  podman rm -f "$name" >/dev/null 2>&1 || true
  rm -rf "$vol"
}
trap cleanup EXIT
# What judged needs of the runtime, and no more (the README's "Operating it" says why; each was
# found necessary by leaving it out): three capabilities and an unmasked /proc. podman's default
# seccomp profile allows namespaces and mounts to a holder of CAP_SYS_ADMIN.
caps=(--cap-drop ALL --cap-add SYS_ADMIN --cap-add SETUID --cap-add SETGID)
security=(--security-opt "unmask=/proc/*")
step "running $image (${caps[*]} ${security[*]})"
podman run -d "${run_opts[@]}" --name "$name" "${caps[@]}" "${security[@]}" \
  -p "127.0.0.1:$port:50051" -v "$vol:/var/lib/judge" "$image" --workers 2 >/dev/null
for _ in $(seq 1 120); do
  podman logs "$name" 2>&1 | grep -q "judged listening" && break
  if ! podman container exists "$name" || [[ $(podman inspect -f '{{.State.Running}}' "$name") != true ]]; then
    podman logs "$name" >&2 || true
    echo "smoke-test: judged exited in the container" >&2
    exit 1
  fi
  sleep 1
done
podman logs "$name" 2>&1 | grep -E "sandbox:|toolchains ok|judged listening"

# The host's judgectl if there is a build, else the image's, run in the container. judgectl reads
# its FILE where it runs, and the container has neither this checkout nor the host's temporary
# files: in that case each source is copied into the container first (judge_path).
ctl=("$root/build/bin/judgectl" --server "127.0.0.1:$port")
in_container=false
if [[ ! -x ${ctl[0]} ]]; then
  ctl=(podman exec "$name" judgectl --server 127.0.0.1:50051)
  in_container=true
fi
# judge_path FILE: FILE's path as judgectl sees it (copied to the container's /tmp if need be).
judge_path() {
  if $in_container; then
    local dest
    dest=/tmp/smoke-$(basename "$1")
    podman cp "$1" "$name:$dest" || return 1
    echo "$dest"
  else
    echo "$1"
  fi
}
failures=0
for ch in sql-null-trap ttl-lru-cache slow-query-digest; do
  for ext in sql cc py; do
    src=$root/challenges/$ch/solutions/reference.$ext
    [[ -f $src ]] || continue
    lang=$(case $ext in sql) echo sql ;; cc) echo cpp ;; py) echo python3 ;; esac)
    if out=$("${ctl[@]}" --token "$(token_of platform)" submit --challenge "$ch" --language "$lang" \
        --candidate smoke --wait "$(judge_path "$src")" 2>/dev/null); then
      echo "smoke-test: $ch $lang: $(grep -m1 -oE 'verdict [A-Z_]+, score [0-9/]+' <<<"$out")"
    else
      echo "smoke-test: $ch $lang: FAILED" >&2
      echo "$out" | tail -5 >&2
      failures=$((failures + 1))
    fi
  done
done
# expect NAME VERDICT SOURCE: a python3 program on ttl-lru-cache gets VERDICT.
expect() {
  local src out
  src=$(mktemp --suffix=.py)
  printf '%b' "$3" >"$src"
  out=$("${ctl[@]}" --token "$(token_of platform)" submit --challenge ttl-lru-cache \
    --language python3 --candidate smoke --wait "$(judge_path "$src")" 2>&1 || true)
  rm -f "$src"
  if grep -q "$2" <<<"$out"; then
    echo "smoke-test: $1: $2"
  else
    echo "smoke-test: $1: expected $2, got: $out" >&2
    failures=$((failures + 1))
  fi
}
# A hostile program in the container's boxes: the fork is refused, the verdict says so.
expect "fork bomb" SECURITY_VIOLATION 'import os\nwhile True:\n    os.fork()\n'
# Without a cgroup in the container the memory limit is RLIMIT_AS: still MEMORY_LIMIT_EXCEEDED.
expect "memory hog" MEMORY_LIMIT_EXCEEDED 'x = []\nwhile True:\n    x.append(" " * 10**7)\n'
if ((failures)); then
  podman logs "$name" 2>&1 | tail -20 >&2
  exit 1
fi
echo "smoke-test: ok"
