// Command bench is the harness behind `make bench`: it measures the
// exported depth net's inference latency through gotch/libtorch, ONNX
// Runtime (FP32 and INT8 QDQ) and OpenCV DNN at three sizes against the
// machine's matrix-multiply peak, runs the project's Go benchmarks for
// training, the synthetic world and the edge pipeline, and writes the
// result tables and plots to benchmarks/results/ (see benchmarks/README.md).
//
// A main package: it may import every stage and internal/ package; nothing
// imports it.
package main
