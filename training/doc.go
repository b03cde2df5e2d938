// Package training holds the gotch (libtorch) side of the project: networks,
// losses, data loading, the built-in teacher, the trainer and evaluation.
// It may import gotch and internal/ (checkpoint, config, data, format,
// metrics, plot, progress) and training/distill. Nothing under edge/,
// calibration/, teacher/, export/ or internal/ may import it
// (internal/depcheck); only cmd/xdistill and benchmarks/cmd/bench do.
package training
