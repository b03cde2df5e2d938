// Package teacher runs X-Distill's frozen segmentation teacher: an ONNX
// semantic-segmentation model, through ONNX Runtime, that labels training
// frames with Cityscapes trainIds once, into a cache the trainer reads.
// It never links libtorch. See docs/TEACHER.md.
//
// May import internal/ort, internal/data/kitti, internal/metrics,
// internal/progress and internal/fsutil; never gotch or training/. Imported
// by cmd/xdistill.
package teacher
