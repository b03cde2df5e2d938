// Package calibration is the pipeline's INT8 stage: the FP32 depth model
// runs through ONNX Runtime with every intermediate activation exposed as a
// graph output; per-tensor histograms
// of |x| over the calibration frames give each tensor a symmetric range
// (entropy, percentile or min/max). From the ranges it writes a QDQ ONNX
// model (explicit quantization: per-channel int8 weights, per-tensor int8
// activations) and a TensorRT calibration cache (implicit quantization),
// and measures what quantization costs: accuracy on held-out frames and a
// per-layer sensitivity table.
//
// It may import internal/ort, internal/onnx, internal/data and GoCV; like
// the rest of the edge side it never imports gotch (internal/depcheck), and
// no package but cmd/ and benchmarks/ imports it. Camera calibration
// (chessboard → camera.yaml) is the other calibration a deployment needs; it
// shares nothing with this one and lives in calibration/chessboard.
package calibration
