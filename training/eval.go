package training

import (
	"context"
	"errors"
	"fmt"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/training/data"
)

// EvalResult is the outcome of an evaluation.
type EvalResult struct {
	Mean, Std metrics.Depth
	Images    int
	Skipped   int
	// Ratio summary of median scaling (Monodepth2 reports med and std/med).
	RatioMedian, RatioStd float64
	// ByClass holds Abs Rel etc. per label (when labels are available).
	ByClass *metrics.ClassAccumulator
	// Budget splits the Abs Rel by label (unlabelled pixels in a row of
	// their own).
	Budget *metrics.ErrorBudget
	// Geometry holds the boundary, edge, sky and level metrics of the
	// labelled images (metrics.Geometry; empty without labels).
	Geometry *metrics.Geometry
}

// SkyLabeler is an EvalSet whose labels are not Cityscapes trainIds (e.g.
// class groups): it names the sky's label for the sky metric.
type SkyLabeler interface{ SkyLabel() uint8 }

// skyLabel is set's sky label: its own, else the trainId.
func skyLabel(set data.EvalSet) uint8 {
	if s, ok := set.(SkyLabeler); ok {
		return s.SkyLabel()
	}
	return kitti.Sky
}

// scored is one image after the protocol. pred, gt and disp (ground-truth
// size) feed the geometry metrics when the image has labels.
type scored struct {
	sample         *metrics.Sample // nil: no valid ground truth (skipped)
	labels         []uint8
	pred, gt, disp []float32
}

// Predict runs the depth net on one CHW image and returns the scale-0
// sigmoid disparity (h×w) on the host.
func (m *Model) Predict(image []float32, w, h int, device gotch.Device) []float32 {
	return hostForward(image, w, h, device, func(s *Scope, x *ts.Tensor) *ts.Tensor {
		return m.Depth.Forward(s, x, false)[0]
	})
}

// hostForward runs net in inference mode on one CHW image and returns
// its output on the host.
func hostForward(image []float32, w, h int, device gotch.Device, net func(s *Scope, x *ts.Tensor) *ts.Tensor) []float32 {
	var out []float32
	noGrad(func() {
		s := NewScope()
		defer s.Drop()
		x := s.T(ts.MustOfSlice(image).MustView([]int64{1, 3, int64(h), int64(w)}, true).MustTo(device, true))
		host := s.T(s.T(net(s, x).MustTo(gotch.CPU, false)).MustContiguous(false))
		out = append([]float32(nil), host.Vals().([]float32)...)
	})
	return out
}

// DispToDepthHost converts a sigmoid disparity to depth like DispToDepth.
func DispToDepthHost(disp []float32, minDepth, maxDepth float64) []float32 {
	lo, hi := 1/maxDepth, 1/minDepth
	out := make([]float32, len(disp))
	for i, d := range disp {
		out[i] = float32(1 / (lo + (hi-lo)*float64(d)))
	}
	return out
}

// Evaluate predicts every sample and scores it with protocol o: the
// disparity is resized bilinearly to the ground truth, then inverted
// (Monodepth2's order). Progress may be nil.
func (m *Model) Evaluate(ctx context.Context, set data.EvalSet, o metrics.Options, device gotch.Device, progress Progress) (EvalResult, error) {
	predict := func(image []float32, w, h int) ([]float32, error) { return m.Predict(image, w, h, device), nil }
	return EvaluateWith(ctx, set, o, predict, m.MinDepth, m.MaxDepth, progress)
}

// EvaluateWith is Evaluate for any predictor of the scale-0 sigmoid
// disparity (h×w) of a CHW image, e.g. an exported ONNX model, so that it
// is scored by exactly the same loop and metrics.
func EvaluateWith(ctx context.Context, set data.EvalSet, o metrics.Options, predict func(image []float32, w, h int) ([]float32, error),
	minDepth, maxDepth float64, progress Progress) (EvalResult, error) {
	w, h := set.Size()
	return scoreAll(ctx, set.Len(), skyLabel(set), progress, func(i int) (scored, error) {
		smp, err := set.LoadEval(i)
		if err != nil {
			return scored{}, err
		}
		raw, err := predict(smp.Image, w, h)
		if err != nil {
			return scored{}, err
		}
		disp := metrics.Resize(raw, w, h, smp.GTW, smp.GTH)
		pred := DispToDepthHost(disp, minDepth, maxDepth)
		sample, err := metrics.Prepare(pred, smp.GT, smp.GTW, smp.GTH, o)
		if errors.Is(err, metrics.ErrNoValidPixels) {
			return scored{}, nil // counted as skipped
		}
		if err != nil {
			return scored{}, err // e.g. a NaN prediction: never a silent skip
		}
		return scored{sample: &sample, labels: smp.Labels, pred: pred, gt: smp.GT, disp: disp}, nil
	})
}

// scoreAll runs score over n images and accumulates the metrics, the
// median-scaling ratios and, for images with labels, the per-class
// metrics. score returns a nil sample for an image without valid ground
// truth, which is counted as skipped.
func scoreAll(ctx context.Context, n int, sky uint8, progress Progress, score func(i int) (scored, error)) (EvalResult, error) {
	var acc metrics.Accumulator
	classes := &metrics.ClassAccumulator{MinPixels: 20}
	budget := &metrics.ErrorBudget{}
	geometry := metrics.NewGeometry(sky)
	var ratios []float64
	for i := range n {
		if err := ctx.Err(); err != nil {
			return EvalResult{}, err
		}
		sc, err := score(i)
		sample, labels := sc.sample, sc.labels
		if err != nil {
			return EvalResult{}, fmt.Errorf("eval sample %d: %w", i, err)
		}
		if progress != nil {
			progress.Add(1)
		}
		if sample == nil {
			acc.Add(metrics.Depth{})
			continue
		}
		acc.Add(sample.Metrics())
		ratios = append(ratios, sample.Ratio)
		if labels != nil {
			per, err := sample.ByClass(labels)
			if err != nil {
				return EvalResult{}, fmt.Errorf("eval sample %d: labels: %w", i, err)
			}
			classes.Add(per)
			if sc.pred != nil {
				if err := geometry.Add(*sample, metrics.Widen(sc.pred), metrics.Widen(sc.gt), sc.disp, labels); err != nil {
					return EvalResult{}, fmt.Errorf("eval sample %d: %w", i, err)
				}
			}
		}
		if err := budget.Add(*sample, labels); err != nil {
			return EvalResult{}, fmt.Errorf("eval sample %d: labels: %w", i, err)
		}
	}
	if progress != nil {
		progress.Finish()
	}
	if acc.Len() == 0 {
		return EvalResult{}, fmt.Errorf("eval: no sample had valid ground truth (%d images)", n)
	}
	med, rel := metrics.RatioSummary(ratios)
	return EvalResult{Mean: acc.Mean(), Std: acc.Std(), Images: acc.Len(), Skipped: acc.Skipped(),
		RatioMedian: med, RatioStd: rel, ByClass: classes, Budget: budget, Geometry: geometry}, nil
}
