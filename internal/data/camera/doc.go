// Package camera is the pinhole camera model shared by the synthetic world,
// the data loaders, calibration and the edge runtime (no gotch here).
//
// May import internal/fsutil and yaml only; any stage may import it.
package camera
