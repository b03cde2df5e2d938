// Package pyref runs reference computations in Debian's Python (numpy,
// PyTorch 1.13, scipy) for tests: the ecosystem's own implementations are
// the outside judge of ours. Arrays cross as .npy files (float32, C order).
// It is test support only; no product code imports it.
//
// Standard library only.
package pyref
