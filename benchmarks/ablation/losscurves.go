package ablation

import (
	"fmt"
	"image"
	"math"

	"github.com/xdistill/edge-depth/internal/plot"
	"github.com/xdistill/edge-depth/training/data"
)

// SeedCurve is one arm's metric over steps: mean and std over seeds.
type SeedCurve struct{ Steps, Mean, Std []float64 }

// AverageSeeds smooths each run's metric with a centred moving average of
// window logged steps (per-step loss is noisy), then takes mean and std
// over runs at the steps every run logged.
func AverageSeeds(runs [][]data.StepLog, pick func(data.StepLog) float64, window int) SeedCurve {
	var c SeedCurve
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
		c.Steps = append(c.Steps, float64(l.Step))
		c.Mean = append(c.Mean, mean)
		c.Std = append(c.Std, math.Sqrt(math.Max(0, sq/n-mean*mean)))
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

// SmoothingWindow is 1/25 of a run's logged steps, odd, at least 1.
func SmoothingWindow(logged int) int { return max(1, logged/25) | 1 }

// LossCurves draws the ablation's training curves from the step logs of
// each arm's runs (runs[i] are arms[i]'s seeds): each arm's photometric
// loss and, for the X-Distill arms, the distillation cross-entropy, mean ±
// std over seeds, smoothed; one panel each, stacked, 720×400 per panel.
// Arms keep their colour in both panels. It is nil when no run logged a
// step.
func LossCurves(arms []Arm, runs [][][]data.StepLog) (image.Image, error) {
	logged := 0
	for _, rs := range runs {
		for _, logs := range rs {
			logged = max(logged, len(logs))
		}
	}
	window := SmoothingWindow(logged)
	// panel is one chart, nil when no arm it draws logged a step.
	panel := func(title string, pick func(data.StepLog) float64, arm func(Arm) bool) (image.Image, error) {
		smooth := fmt.Sprintf("moving average of %d logged steps", window)
		if window == 1 {
			smooth = "unsmoothed"
		}
		ch := plot.Chart{Title: fmt.Sprintf("%s: mean +- std over seeds, %s", title, smooth),
			XLabel: "step", YLabel: title}
		drawn := false
		for ai, a := range arms {
			s := plot.Series{} // a placeholder keeps the arm's colour
			if arm(a) {
				c := AverageSeeds(runs[ai], pick, window)
				s = plot.Series{Name: a.Name, X: c.Steps, Y: c.Mean}
				for i := range c.Mean {
					s.Lo, s.Hi = append(s.Lo, c.Mean[i]-c.Std[i]), append(s.Hi, c.Mean[i]+c.Std[i])
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
		arm   func(Arm) bool
	}{
		{"photometric loss", func(l data.StepLog) float64 { return l.Photometric }, func(Arm) bool { return true }},
		{"distill_ce", func(l data.StepLog) float64 { return l.Distill }, func(a Arm) bool { return a.Distills }},
	} {
		img, err := panel(p.title, p.pick, p.arm)
		if err != nil {
			return nil, fmt.Errorf("loss curves: %w", err)
		}
		if img != nil {
			rows = append(rows, []image.Image{img})
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return plot.Grid(rows), nil
}
