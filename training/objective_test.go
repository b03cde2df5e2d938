package training

import (
	"math"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/pyref"
)

// texture is a smooth random image [1,3,h,w]: sums of sinusoids, so the
// photometric loss has gradients to follow.
func texture(h, w int) pyref.Array {
	a := pyref.Array{Shape: []int{1, 3, h, w}, Data: make([]float32, 3*h*w)}
	for c := range 3 {
		for y := range h {
			for x := range w {
				v := 0.5 + 0.2*math.Sin(float64(x)*0.31+float64(c)) + 0.15*math.Cos(float64(y)*0.23+0.7*float64(x)*0.1) + 0.1*math.Sin(float64(x*y)*0.013)
				a.Data[(c*h+y)*w+x] = float32(v)
			}
		}
	}
	return a
}

// A short run on one fixed batch (a camera sliding sideways past a textured
// wall: the sources are the target shifted by ±2 px) must lower the loss:
// gradients flow through depth net, pose net, warp and losses into Adam.
func TestTrainingStepsLowerTheLoss(t *testing.T) {
	for _, lw := range []LossWeights{
		{SSIM: 0.85, Smoothness: 1e-3},
		{SSIM: 0.85, Smoothness: 1e-3, Pyramid: true},
		{SSIM: 0.85, Smoothness: 1e-3, Pyramid: true, AutoMask: true},
	} {
		first, last := trainOnWall(t, lw, 25)
		t.Logf("%+v: photometric loss: step 0 %.4f → step 24 %.4f", lw, first.Photometric, last.Photometric)
		if !(last.Photometric < 0.8*first.Photometric) {
			t.Errorf("%+v: photometric loss %.4f → %.4f: want at least a 20%% drop", lw, first.Photometric, last.Photometric)
		}
	}
}

// trainOnWall takes steps Adam steps on the sliding-wall batch and returns
// the loss terms of the first and the last.
func trainOnWall(t *testing.T, lw LossWeights, steps int) (first, last Losses) {
	const h, w = 64, 96
	mc := config.Default().Model
	mc.Width, mc.Scales = 0.25, 4
	ManualSeed(1)
	model, err := NewModel(mc, gotch.CPU)
	if err != nil {
		t.Fatal(err)
	}
	keep := NewScope()
	defer keep.Drop()
	img := toTensor(keep, texture(h, w))
	prev := keep.T(img.MustRoll([]int64{2}, []int64{3}, false))
	next := keep.T(img.MustRoll([]int64{-2}, []int64{3}, false))
	K := toTensor(keep, pyref.Array{Shape: []int{1, 4, 4}, Data: []float32{0.58 * w, 0, 0.5 * w, 0, 0, 1.92 * h, 0.5 * h, 0, 0, 0, 1, 0, 0, 0, 0, 1}})
	batch := &Batch{Net: [3]*ts.Tensor{prev, img, next}, Loss: [3]*ts.Tensor{prev, img, next}, K: K, InvK: keep.T(K.MustInverse(false))}
	warper := NewWarper(h, w, gotch.CPU)
	defer warper.Drop()
	opt := NewAdam(model.VS, 1e-3)
	defer opt.Drop()
	for step := range steps {
		s := NewScope()
		opt.ZeroGrad()
		loss, _, terms := model.Forward(s, batch, warper, lw, true)
		if math.IsNaN(terms.Total) {
			t.Fatalf("step %d: NaN loss", step)
		}
		loss.MustBackward()
		opt.Update()
		s.Drop()
		if step == 0 {
			first = terms
		}
		last = terms
	}
	return first, last
}
