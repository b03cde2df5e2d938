// Package onnxpb holds the ONNX protobuf types, generated from Debian's
// /usr/include/onnx/onnx.proto (package libonnx-dev, ONNX 1.12: IR 8,
// opsets up to 17) by scripts/gen-proto.sh, which `make proto` runs: Debian's
// protoc 3.21 with protoc-gen-go v1.36.12 (the google.golang.org/protobuf
// version in go.mod) installed into build/bin. The generated onnx.pb.go is
// committed, so a build needs neither protoc nor libonnx-dev; regenerating
// on the same Debian release reproduces it byte for byte.
//
// Build and read models with package onnxgraph rather than by hand.
package onnxpb
