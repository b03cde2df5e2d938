// Package onnxcheck runs Debian's ONNX checker (python3-onnx 1.12,
// check_model with full_check, which adds strict shape and type
// inference) on a model file: the outside judge of what our exporter and
// calibrator write. It is test support; no product code imports it.
//
// Standard library only.
package onnxcheck
