package training

import (
	"context"
	"math"
	"testing"

	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/training/data"
)

// selfSet's ground truth is k × the model's own prediction, resized to a
// larger GT size, with a label map splitting the image in two classes.
type selfSet struct {
	m      *Model
	k      float64
	w, h   int
	gw, gh int
}

func (s selfSet) Len() int         { return 3 }
func (s selfSet) Size() (int, int) { return s.w, s.h }
func (s selfSet) LoadEval(i int) (data.EvalSample, error) {
	img, _ := slideData{s.w, s.h}.Load(i)
	disp := metrics.Resize(s.m.Predict(img.Frames[1], s.w, s.h, gotch.CPU), s.w, s.h, s.gw, s.gh)
	gt := DispToDepthHost(disp, s.m.MinDepth, s.m.MaxDepth)
	labels := make([]uint8, len(gt))
	for p := range gt {
		gt[p] *= float32(s.k)
		labels[p] = uint8(p % s.gw * 2 / s.gw) // left half 0, right half 1
	}
	return data.EvalSample{Image: img.Frames[1], GT: gt, Labels: labels, GTW: s.gw, GTH: s.gh}, nil
}

func TestEvaluateScalesAndScores(t *testing.T) {
	mc := config.Default().Model
	mc.Width, mc.MaxDepth = 0.125, 100
	ManualSeed(3)
	m, err := NewModel(mc, gotch.CPU)
	if err != nil {
		t.Fatal(err)
	}
	set := selfSet{m: m, k: 3, w: 96, h: 64, gw: 150, gh: 90}
	opts := metrics.Synthetic()
	opts.MaxDepth = 1000 // keep every pixel: the untrained net predicts far depths
	res, err := m.Evaluate(context.Background(), set, opts, gotch.CPU, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Images != 3 || res.Mean.AbsRel > 1e-5 || math.Abs(res.RatioMedian-3) > 1e-4 || res.Mean.A1 != 1 {
		t.Errorf("self-consistent GT: %d images, AbsRel %g, ratio %g, δ1 %g; want 3, ~0, 3, 1", res.Images, res.Mean.AbsRel, res.RatioMedian, res.Mean.A1)
	}
	if got := res.ByClass.Classes(); len(got) != 2 {
		t.Errorf("classes %v, want [0 1]", got)
	}
	// Without median scaling the factor 3 shows up as Abs Rel 2/3.
	opts.MedianScaling = false
	res, _ = m.Evaluate(context.Background(), set, opts, gotch.CPU, nil)
	if math.Abs(res.Mean.AbsRel-2.0/3) > 1e-4 {
		t.Errorf("unscaled AbsRel %g, want 2/3", res.Mean.AbsRel)
	}
	// Every pixel is labelled, so the classes' parts add up to the Abs Rel.
	var sum float64
	for _, r := range res.Budget.Rows() {
		sum += r.AbsRel
	}
	if len(res.Budget.Rows()) != 2 || math.Abs(sum-res.Mean.AbsRel) > 1e-9 {
		t.Errorf("error budget %+v sums to %g, want 2 classes summing to %g", res.Budget.Rows(), sum, res.Mean.AbsRel)
	}
}
