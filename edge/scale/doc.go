// Package scale recovers metric scale for relative depth from the ground:
// the lower part of the image is mostly road, the camera's height above it
// is known, so the height of the fitted ground plane in the depth map's
// units gives metres per unit. Per-frame estimates are smoothed over time.
//
// Pure Go: may import internal/data/camera only; never gotch.
package scale
