// Package serve is the runtime's HTTP view: an MJPEG stream of the
// side-by-side image | depth view, /stats as JSON and /metrics in
// Prometheus' text format. It listens on loopback unless told otherwise,
// caps the number of viewers and puts deadlines on every write, so a
// stalled viewer cannot hold the runtime.
//
// May import edge/stats and net/http only; never gotch or GoCV.
package serve
