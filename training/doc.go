// Package training holds the gotch (libtorch) side of the project: networks,
// losses, the X-Distill translator (distill.go), the built-in teacher, the
// trainer and evaluation; host-side data loading is in training/data. It
// may import gotch, internal/ (checkpoint, config, data, format, metrics,
// plot, progress), training/data and training/distill. Nothing under edge/,
// calibration/, teacher/, export/ or internal/ may import it outside tests
// (internal/depcheck); only cmd/xdistill and benchmarks/cmd/bench do.
package training
