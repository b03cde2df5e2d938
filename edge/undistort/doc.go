// Package undistort removes lens distortion from camera frames before they
// reach the network. The lens model is camera.yaml's (OpenCV's k1 k2 p1 p2
// k3, camera.File). OpenCV's remap maps are computed once per frame size
// and go straight from the distorted frame to the network size, so
// undistortion and the bilinear resize training does are one pass. Per
// frame it allocates nothing.
//
// May import internal/data/camera and GoCV; never gotch.
package undistort
