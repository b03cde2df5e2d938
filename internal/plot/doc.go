// Package plot draws simple line charts as PNG (loss curves, latency by
// resolution) and grids of image panels, with no dependency beyond the Go
// image and font libraries. Colour maps live in internal/colormap: the
// edge side (edge/, cmd/edge-depth) must never import this package, so the
// Jetson binary links no chart or font code (internal/depcheck checks it).
package plot
