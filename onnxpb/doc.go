// Package onnxpb holds the ONNX protobuf types, generated from Debian's
// /usr/include/onnx/onnx.proto (libonnx-dev) by scripts/gen-proto.sh
// (`make proto`). The generated file is committed so builds need no protoc.
// Use package onnxgraph to build and read models.
package onnxpb
