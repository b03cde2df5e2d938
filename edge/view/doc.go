// Package view draws what the runtime shows: the camera image and its
// colour-mapped depth side by side, as BGR bytes for OpenCV (window,
// MJPEG, video). Drawing allocates nothing.
//
// May import internal/colormap only, never internal/plot (charts and fonts)
// or gotch.
package view
