#!/usr/bin/env bash
# Regenerates internal/onnx/pb/onnx.pb.go from Debian's onnx.proto (package libonnx-dev)
# with Debian's protoc (protobuf-compiler) and protoc-gen-go, which is
# installed into a project-local GOBIN so no global tool is needed or changed.
# The generated file is committed: an ordinary build needs no protoc.
#
#   scripts/gen-proto.sh            (what `make proto` runs)
#   ONNX_PROTO=/path/onnx.proto scripts/gen-proto.sh
set -euo pipefail

cd "$(dirname "$0")/.."
ONNX_PROTO="${ONNX_PROTO:-/usr/include/onnx/onnx.proto}"
PROTOC_GEN_GO_VERSION="${PROTOC_GEN_GO_VERSION:-v1.36.12}" # = google.golang.org/protobuf in go.mod
GO="${GO:-go}"
GOPKG="github.com/xdistill/edge-depth/internal/onnx/pb;onnxpb"
BIN="$PWD/build/bin"

command -v protoc >/dev/null || { echo "gen-proto: protoc not found; run make deps (apt package protobuf-compiler)" >&2; exit 1; }
[ -f "$ONNX_PROTO" ] || { echo "gen-proto: $ONNX_PROTO not found; run make deps (apt package libonnx-dev)" >&2; exit 1; }

# The plugin's version must match the runtime library in go.mod, or the
# generated code may call APIs the runtime lacks.
if [ "$("$BIN/protoc-gen-go" --version 2>/dev/null || true)" != "protoc-gen-go $PROTOC_GEN_GO_VERSION" ]; then
  echo "gen-proto: installing protoc-gen-go $PROTOC_GEN_GO_VERSION into $BIN"
  GOBIN="$BIN" "$GO" install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
fi

# Generate into a scratch directory and move into place only on success, so
# a failed run never leaves a half-written package.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
protoc \
  --plugin="protoc-gen-go=$BIN/protoc-gen-go" \
  --proto_path="$(dirname "$ONNX_PROTO")" \
  --go_out="$tmp" \
  --go_opt=paths=source_relative \
  --go_opt="M$(basename "$ONNX_PROTO")=$GOPKG" \
  "$ONNX_PROTO"
mv "$tmp/onnx.pb.go" internal/onnx/pb/onnx.pb.go
"$GO" build ./internal/onnx/pb
echo "gen-proto: wrote internal/onnx/pb/onnx.pb.go ($(protoc --version), protoc-gen-go $PROTOC_GEN_GO_VERSION, from $ONNX_PROTO)"
