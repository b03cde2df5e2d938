// Package colormap turns values into colours (matplotlib's magma map):
// the depth view of edge-depth and the evaluation images of xdistill. It is
// kept apart from internal/plot so the edge runtime links no chart or font
// code; it imports only the standard library, and anything may import it.
package colormap
