// Package synth is the procedural driving world: streets with buildings,
// vegetation, traffic and people, rendered by ray tracing along a camera
// trajectory into the KITTI layout (images, exact depth, Cityscapes labels,
// poses, calibration), so training, evaluation and the edge runtime can run
// before any real dataset is at hand.
//
// Pure Go: may import internal/data/{camera,kitti}, internal/fsutil and
// internal/progress; imported by the commands, tests and benchmarks, never
// by edge/ product code.
package synth
