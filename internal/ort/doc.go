// Package ort finds and loads the ONNX Runtime shared library, opens models
// with the best execution provider available (TensorRT → CUDA → CPU) and
// runs them with pre-allocated tensors. It is part of the edge runtime and
// must never import gotch.
//
// May import internal/onnx/graph and onnxruntime_go only. Every stage that
// runs a model imports it (teacher, calibration, edge/, benchmarks), which
// is why it lives here and not under edge/.
package ort
