// Package edgetest makes inputs for the edge runtime's tests and
// benchmarks: small ONNX depth models that follow the exported model's
// contract (modelmeta: input "image" in either layout, output "disparity"
// in (0, 1), metadata_props from modelmeta.Meta) — real graphs run by the
// real ONNX Runtime, while no trained model is at hand — and frames of the
// synthetic world as videos or image folders.
//
// Test support: may import edge/capture, internal/ (ort, onnx, modelmeta,
// data) and GoCV, never gotch; only tests import it.
package edgetest
