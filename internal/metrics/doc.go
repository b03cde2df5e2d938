// Package metrics computes the standard monocular depth evaluation metrics
// and applies the published evaluation protocols (KITTI Eigen split with the
// Garg crop, Make3D as Monodepth2 evaluated it) so that our numbers can be
// compared with the literature. It is pure Go: the trainer, the exporter and
// the benchmarks all use it.
//
// Standard library only; any package may import it.
package metrics
