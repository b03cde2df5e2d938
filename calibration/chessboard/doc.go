// Package chessboard calibrates a camera: intrinsics and lens distortion
// from views of a chessboard (image files or a video) through GoCV, written
// as camera.yaml (internal/data/camera), plus a renderer of synthetic board
// views with known intrinsics for tests and demos. It may import GoCV,
// internal/data/camera and internal/progress; it never imports gotch or the
// INT8 calibration, and only cmd/ and tests import it.
package chessboard
