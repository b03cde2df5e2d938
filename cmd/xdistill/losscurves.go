package main

import (
	"fmt"
	"image"
	"io"
	"math"

	"github.com/xdistill/edge-depth/benchmarks/ablation"
	"github.com/xdistill/edge-depth/internal/plot"
	"github.com/xdistill/edge-depth/training/data"
)

// seedCurve is one arm's metric over steps: mean and std over seeds.
type seedCurve struct{ steps, mean, std []float64 }

// averageSeeds smooths each run's metric with a centred moving average of
// window logged steps (per-step loss is noisy), then takes mean and std
// over runs at the steps every run logged.
func averageSeeds(runs [][]data.StepLog, pick func(data.StepLog) float64, window int) seedCurve {
	var c seedCurve
	if len(runs) == 0 {
		return c
	}
	smoothed := make([]map[int]float64, len(runs))
	for r, logs := range runs {
		ys := make([]float64, len(logs))
		for i, l := range logs {
			ys[i] = pick(l)
		}
		ys = movingAverage(ys, window)
		smoothed[r] = make(map[int]float64, len(logs))
		for i, l := range logs {
			smoothed[r][l.Step] = ys[i]
		}
	}
steps:
	for _, l := range runs[0] {
		var sum, sq float64
		for _, m := range smoothed {
			y, ok := m[l.Step]
			if !ok {
				continue steps
			}
			sum, sq = sum+y, sq+y*y
		}
		n := float64(len(runs))
		mean := sum / n
		c.steps = append(c.steps, float64(l.Step))
		c.mean = append(c.mean, mean)
		c.std = append(c.std, math.Sqrt(math.Max(0, sq/n-mean*mean)))
	}
	return c
}

// movingAverage is the centred mean over window values (fewer at the ends).
func movingAverage(ys []float64, window int) []float64 {
	out := make([]float64, len(ys))
	half := max(window, 1) / 2
	for i := range ys {
		lo, hi := max(0, i-half), min(len(ys), i+half+1)
		var sum float64
		for _, y := range ys[lo:hi] {
			sum += y
		}
		out[i] = sum / float64(hi-lo)
	}
	return out
}

// smoothingWindow is 1/25 of a run's logged steps, odd, at least 1.
func smoothingWindow(logged int) int { return max(1, logged/25) | 1 }

// lossCurves draws the ablation's training curves: each arm's photometric
// loss and, for the X-Distill arms, the distillation cross-entropy, mean ±
// std over seeds, smoothed; one panel each, stacked, 720×400 per panel.
// Arms keep their colour in both panels.
func (e *experiment) lossCurves(path string, log io.Writer) error {
	runs := make([][][]data.StepLog, len(e.arms))
	logged := 0
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
			logged = max(logged, len(logs))
		}
	}
	window := smoothingWindow(logged)
	// panel is one chart, nil when no arm it draws logged a step.
	panel := func(title string, pick func(data.StepLog) float64, arm func(ablation.Arm) bool) (image.Image, error) {
		smooth := fmt.Sprintf("moving average of %d logged steps", window)
		if window == 1 {
			smooth = "unsmoothed"
		}
		ch := plot.Chart{Title: fmt.Sprintf("%s: mean +- std over seeds, %s", title, smooth),
			XLabel: "step", YLabel: title}
		drawn := false
		for ai, a := range e.arms {
			s := plot.Series{} // a placeholder keeps the arm's colour
			if arm(a) {
				c := averageSeeds(runs[ai], pick, window)
				s = plot.Series{Name: a.Name, X: c.steps, Y: c.mean}
				for i := range c.mean {
					s.Lo, s.Hi = append(s.Lo, c.mean[i]-c.std[i]), append(s.Hi, c.mean[i]+c.std[i])
				}
				drawn = drawn || len(s.X) > 0
			}
			ch.Series = append(ch.Series, s)
		}
		if !drawn {
			return nil, nil
		}
		return ch.Render()
	}
	var rows [][]image.Image
	for _, p := range []struct {
		title string
		pick  func(data.StepLog) float64
		arm   func(ablation.Arm) bool
	}{
		{"photometric loss", func(l data.StepLog) float64 { return l.Photometric }, func(ablation.Arm) bool { return true }},
		{"distill_ce", func(l data.StepLog) float64 { return l.Distill }, func(a ablation.Arm) bool { return a.Distills }},
	} {
		img, err := panel(p.title, p.pick, p.arm)
		if err != nil {
			return fmt.Errorf("loss curves: %w", err)
		}
		if img != nil {
			rows = append(rows, []image.Image{img})
		}
	}
	if len(rows) == 0 {
		fmt.Fprintf(log, "loss curves: no run logged a step (train.log_every > train.steps?); %s not drawn\n", path)
		return nil
	}
	return plot.SavePNG(path, plot.Grid(rows))
}
