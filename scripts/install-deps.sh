#!/usr/bin/env bash
# Installs the Debian 12 packages the judge needs, and the pinned TypeScript compiler from the
# npm registry (toolchains/typescript/package-lock.json) into /usr/local/lib/judge-typescript,
# under /usr, which every box already sees read-only. Idempotent: runs `apt-get update` and
# `apt-get install` only when a package is missing and `npm ci` only when the lock file changed,
# so a second run costs a dpkg query and a cmp.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

packages=(
  build-essential cmake ninja-build pkg-config git clang-format
  # The fuzz harnesses: clang with libFuzzer and the sanitizers' runtimes.
  clang libclang-rt-14-dev
  g++ gcc python3
  libseccomp-dev libssl-dev
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev
  libabsl-dev libcli11-dev libspdlog-dev libfmt-dev libcpp-httplib-dev libboost-dev
  python3-grpcio python3-protobuf python3-grpc-tools python3-yaml python3-websocket
  bubblewrap
  # Candidate languages: Java, Go, Rust (and rustc's linker, gcc, above). Node.js below.
  openjdk-17-jdk-headless golang-go rustc
  # C# (Mono's mcs and runtime), Ruby 3.1, PHP 8.2's CLI.
  mono-mcs mono-runtime ruby3.1 php8.2-cli
  # Several nodes: NATS JetStream (server for the cluster tests and local runs, C client).
  nats-server libnats-dev
  libyaml-cpp-dev libarchive-dev
  # The browser tests: Debian's Chromium driven by Selenium.
  chromium chromium-driver python3-selenium
)
# JavaScript and TypeScript run on /usr/bin/node. Where the machine's Node.js already satisfies
# Debian's `nodejs` (e.g. a newer one from another repository), it is used as it is.
if ! [[ -x /usr/bin/node && -x /usr/bin/npm ]]; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
else
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages: ${missing[*]} (run as root, or install them with apt-get)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# TypeScript: `npm ci` from the lock file (exact versions and integrity hashes) into a fixed
# system path, again only when the lock file differs from the one installed.
ts_src=$ROOT/toolchains/typescript
ts_dir=/usr/local/lib/judge-typescript
if cmp -s "$ts_src/package-lock.json" "$ts_dir/package-lock.json" &&
   [[ -f $ts_dir/node_modules/typescript/lib/tsc.js ]]; then
  echo "install-deps: typescript $(node -p 'require(process.argv[1]).version' \
    "$ts_dir/node_modules/typescript/package.json") present"
else
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: the TypeScript compiler is missing from $ts_dir (run as root)" >&2
    exit 1
  fi
  echo "install-deps: installing the pinned TypeScript compiler into $ts_dir"
  rm -rf "$ts_dir.new"
  mkdir -p "$ts_dir.new"
  cp "$ts_src/package.json" "$ts_src/package-lock.json" "$ts_dir.new/"
  (cd "$ts_dir.new" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  chmod -R a+rX "$ts_dir.new"
  rm -rf "$ts_dir"
  mv "$ts_dir.new" "$ts_dir"
fi
