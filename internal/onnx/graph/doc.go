// Package onnxgraph builds, saves and loads ONNX models on top of the
// generated onnxpb types. The exporter and the INT8 calibrator write their
// graphs with it; it never imports gotch.
//
// Builder methods return the names of the values they create, so a graph
// reads like the network: h := m.Relu(m.Conv(x, w, b, 3, 1, 1)). A mistake
// (a duplicate name, an initializer whose data does not fit its shape) is
// remembered and returned by Err, Validate, Marshal and Save, which keeps
// the builder calls free of error plumbing.
//
// May import internal/onnx/pb, internal/fsutil and protobuf; never gotch.
// The directory is internal/onnx/graph, the package name stays onnxgraph so
// it does not shadow the many local variables named graph.
package onnxgraph
