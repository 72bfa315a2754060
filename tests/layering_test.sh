#!/usr/bin/env bash
# Fails when a file under the given directory includes gRPC, protobuf, RocksDB or judge/ headers.
#   layering_test.sh DIR          check DIR (sandbox/)
#   layering_test.sh --api DIR    check DIR (judge/api/) holds no transport: no gRPC, no HTTP
#   layering_test.sh --self-test  prove the check catches a planted gRPC include
set -euo pipefail
pattern='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](grpc|grpcpp|httplib|google/protobuf|rocksdb|judge/|proto/|judge\.pb|.*\.pb\.h)'

check() {
  local dir=$1
  local hits
  hits=$(grep -rEn "$pattern" "$dir" --include='*.h' --include='*.cc' --include='*.cpp' --include='*.hpp' || true)
  if [[ -n $hits ]]; then
    echo "layering violation: sandbox/ must not include gRPC, protobuf, RocksDB or judge headers:" >&2
    echo "$hits" >&2
    return 1
  fi
  echo "layering ok: $(find "$dir" -name '*.h' -o -name '*.cc' | wc -l) files checked in $dir"
}

if [[ ${1:-} == --api ]]; then
  dir=${2:?usage: layering_test.sh --api DIR}
  hits=$(grep -rEn '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](grpc|grpcpp|httplib|judge/service/|judge/http/|.*\.grpc\.pb\.h)' \
    "$dir" --include='*.h' --include='*.cc' || true)
  if [[ -n $hits ]]; then
    echo "layering violation: $dir is the transport-free front door; it must not include gRPC or HTTP:" >&2
    echo "$hits" >&2
    exit 1
  fi
  echo "layering ok: $(find "$dir" -name '*.h' -o -name '*.cc' | wc -l) files in $dir free of gRPC and HTTP"
  exit 0
fi

if [[ ${1:-} == --self-test ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  printf '#include <string>\n#include <grpcpp/grpcpp.h>\n' > "$tmp/bad.cc"
  if check "$tmp" 2>/dev/null; then
    echo "self-test failed: a planted grpc include was not caught" >&2
    exit 1
  fi
  printf '#include <string>\n#include "httplib.h"\n' > "$tmp/bad.cc"
  if bash "${BASH_SOURCE[0]}" --api "$tmp" 2>/dev/null; then
    echo "self-test failed: a planted httplib include in the API was not caught" >&2
    exit 1
  fi
  printf '#include <string>\n#include "sandbox/spec.h"\n' > "$tmp/bad.cc"
  check "$tmp" >/dev/null
  echo "self-test ok: planted grpc include caught, clean file accepted"
  exit 0
fi
check "${1:?usage: layering_test.sh DIR | --self-test}"
