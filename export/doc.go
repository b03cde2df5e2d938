// Package export writes a trained run's depth network (encoder + decoder
// at the finest scale; no pose net, translator or teacher) as an ONNX
// model, and builds TensorRT engines from it with trtexec where TensorRT
// is installed. A checkpoint of the built-in segmentation teacher
// (training.SegModel) is written the same way, with a logits head.
//
// The ONNX writer reads the weights straight from the safetensors
// checkpoint and writes the graph with onnxgraph: it never imports gotch,
// so exporting needs no libtorch. Batch norm is folded into the
// convolutions; every other operation is the one training computes, so the
// exported model reproduces the gotch forward pass (the package's tests
// measure the difference through ONNX Runtime).
//
// May import internal/ (checkpoint, format, onnx, modelmeta, data, config,
// fsutil); never gotch or training/ (internal/depcheck). Imported by the
// commands and benchmarks/cmd/bench.
package export
