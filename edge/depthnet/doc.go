// Package depthnet runs an exported X-Distill depth model on camera frames:
// it checks that the model is ours (modelmeta) and that its graph matches
// its metadata, turns a BGR frame into the model's input layout, and turns
// the output into depth. Per frame it allocates nothing.
//
// May import internal/ort, internal/modelmeta and GoCV; never gotch.
// Imported by edge/pipeline and cmd/edge-depth.
package depthnet
