// Package benchmarks holds the pure parts of the benchmark harness
// (benchmarks/cmd/bench, run by `make bench`): FLOP counting from an ONNX
// graph, percentiles, the machine description every result file starts
// with, parsing of `go test -bench` output and Markdown tables. The
// harness itself links libtorch, ONNX Runtime and OpenCV; this package
// links none of them, so its tests run anywhere.
package benchmarks
