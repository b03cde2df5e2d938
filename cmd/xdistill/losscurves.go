package main

import (
	"fmt"
	"io"

	"github.com/xdistill/edge-depth/benchmarks/ablation"
	"github.com/xdistill/edge-depth/internal/plot"
	"github.com/xdistill/edge-depth/training/data"
)

// lossCurves reads the step logs of the ablation's runs that still have
// their run directory and draws them (ablation.LossCurves) to path.
func (e *experiment) lossCurves(path string, log io.Writer) error {
	runs := make([][][]data.StepLog, len(e.arms))
	for ai, a := range e.arms {
		for _, r := range e.finished[a.Name] {
			cfg, err := e.armConfig(a, r.Seed)
			if err != nil {
				return err
			}
			if !hasCheckpoint(cfg.Train.Out) {
				continue // archived: scores only
			}
			logs, err := data.ReadStepLog(cfg.Train.Out)
			if err != nil {
				return fmt.Errorf("loss curves: %w", err)
			}
			runs[ai] = append(runs[ai], logs)
		}
	}
	img, err := ablation.LossCurves(e.arms, runs)
	if err != nil {
		return err
	}
	if img == nil {
		fmt.Fprintf(log, "loss curves: no run logged a step (train.log_every > train.steps?); %s not drawn\n", path)
		return nil
	}
	return plot.SavePNG(path, img)
}
