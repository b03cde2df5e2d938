// Package ablation holds the X-Distill ablation's results and report:
// the scores of each run (one arm at one seed) at each evaluated step,
// their JSON file in the run directory (so a finished run is never
// scored twice), the markdown report with seed statistics and the
// verdict rule, and the learning-curve chart. It is libtorch-free: the
// driver that trains and scores is `xdistill experiment`.
//
// May import internal/ (metrics, plot, fsutil); never gotch. Imported by
// cmd/xdistill only.
package ablation
