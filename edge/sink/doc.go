// Package sink holds the runtime's outputs: video recording, depth PNGs,
// per-frame JSON, the MJPEG stream and the display window. Each is a
// pipeline.Sink; any combination may run at once.
//
// May import the other edge/ packages, internal/data/kitti, internal/fsutil
// and GoCV; never gotch. Imported by cmd/edge-depth only.
package sink
