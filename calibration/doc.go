// Package calibration holds the two calibrations a Jetson deployment needs.
//
// INT8: the FP32 depth model runs through ONNX Runtime with every
// intermediate activation exposed as a graph output; per-tensor histograms
// of |x| over the calibration frames give each tensor a symmetric range
// (entropy, percentile or min/max). From the ranges it writes a QDQ ONNX
// model (explicit quantization: per-channel int8 weights, per-tensor int8
// activations) and a TensorRT calibration cache (implicit quantization),
// and measures what quantization costs: accuracy on held-out frames and a
// per-layer sensitivity table.
//
// Camera: intrinsics and distortion from chessboard views through GoCV,
// written as camera.yaml.
//
// Like the rest of the edge side it never imports gotch.
package calibration
