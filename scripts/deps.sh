#!/usr/bin/env bash
# Installs what this project needs on a Debian 12 machine, idempotently:
# apt packages, the ONNX Runtime shared library (from the onnxruntime-node
# npm package), Go modules. Uses sudo only when not root.
set -euo pipefail

ORT_VERSION="${ORT_VERSION:-1.24.1}"           # matches onnxruntime_go v1.27.0 (C API 24)
THIRD_PARTY="${THIRD_PARTY:-third_party}"
APT_PACKAGES=(
  build-essential pkg-config git ca-certificates curl
  libtorch-dev                                  # libtorch 1.13.1 CPU (gotch)
  libopencv-dev                                 # OpenCV 4.6 (GoCV v0.31.0)
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav
  libonnx-dev protobuf-compiler                 # onnx.proto + protoc (make proto)
  python3-onnx                                  # the outside ONNX checker
  python3-torch python3-torchvision python3-scipy  # reference values in tests
  nodejs npm                                    # npm pack onnxruntime-node
)

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # node/npm may come from elsewhere (nvm, NodeSource); only install when absent.
  if command -v npm >/dev/null; then
    missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
  fi
  local want=()
  for p in "${missing[@]}"; do [ -n "$p" ] && want+=("$p"); done
  [ ${#want[@]} -eq 0 ] && return 0
  echo "deps: installing apt packages: ${want[*]}"
  sudo_if_needed apt-get update -q
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${want[@]}"
}

ort_arch() {
  case "$(uname -m)" in
    x86_64|amd64) echo x64 ;;
    aarch64|arm64) echo arm64 ;;
    *) echo "deps: no ONNX Runtime build for $(uname -m)" >&2; exit 1 ;;
  esac
}

install_ort() {
  local dest="$THIRD_PARTY/onnxruntime/$ORT_VERSION/$(ort_arch)"
  if [ -f "$dest/libonnxruntime.so.1" ]; then return 0; fi
  echo "deps: fetching ONNX Runtime $ORT_VERSION (npm onnxruntime-node) into $dest"
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null)
  tar -xzf "$tmp"/onnxruntime-node-*.tgz -C "$tmp"
  local lib="$tmp/package/bin/napi-v6/linux/$(ort_arch)/libonnxruntime.so.1"
  [ -f "$lib" ] || { echo "deps: $lib not in the npm package" >&2; exit 1; }
  mkdir -p "$dest"
  cp "$lib" "$dest/libonnxruntime.so.1.tmp" && mv "$dest/libonnxruntime.so.1.tmp" "$dest/libonnxruntime.so.1"
  ln -sfn "$ORT_VERSION/$(ort_arch)/libonnxruntime.so.1" "$THIRD_PARTY/onnxruntime/libonnxruntime.so"
}

case "${1:-all}" in
  apt) install_apt ;;
  ort) install_ort ;;
  all) install_apt; install_ort ;;
  *) echo "usage: $0 [apt|ort|all]" >&2; exit 2 ;;
esac
