// Command edge-depth is the Jetson runtime: camera frames in, depth out,
// through ONNX Runtime. It never links libtorch (see internal/depcheck).
//
// May import edge/, calibration (the TensorRT cache check) and internal/
// packages that link no libtorch (ort, modelmeta, data/camera); never
// training/, gotch, internal/plot or font code (internal/depcheck). Nothing
// imports it.
package main
