// Package ablation holds the X-Distill ablation's results and report:
// the scores of each run (one arm at one seed) at each evaluated step,
// their JSON file in the run directory (so a finished run is never
// scored twice), the markdown report with seed statistics and the
// verdict rule, the learning-curve chart, and the training loss curves
// averaged over seeds. It is libtorch-free: the driver that trains and
// scores is `xdistill experiment`.
//
// May import internal/ (metrics, plot, fsutil) and training/data (the step
// logs); never gotch or package training. Imported by cmd/xdistill only.
package ablation
