// Package distill holds the pure-Go parts of X-Distill: the class grouping
// that turns a teacher's Cityscapes trainIds into the translator's targets.
// The translator and its loss live beside it in training/distill.go
// (gotch); this package stays libtorch-free so the data loader can use it.
//
// May import internal/data/kitti and yaml only; never gotch. training/ and
// the commands import it.
package distill
