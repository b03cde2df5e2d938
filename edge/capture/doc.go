// Package capture opens frame sources (V4L2 cameras, GStreamer pipelines,
// video files) and writes videos, through GoCV. It must never import gotch:
// it is part of the edge runtime.
//
// May import GoCV and the standard library only; imported by edge/ and the
// commands, never by training/.
package capture
