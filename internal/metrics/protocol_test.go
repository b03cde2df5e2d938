package metrics

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestGargCropKITTISizes(t *testing.T) {
	// 0.40810811·375 = 153.04, 0.99189189·375 = 371.96,
	// 0.03594771·1242 = 44.65, 0.96405229·1242 = 1197.35; truncated.
	r0, r1, c0, c1 := GargCrop(1242, 375)
	if r0 != 153 || r1 != 371 || c0 != 44 || c1 != 1197 {
		t.Errorf("GargCrop(1242, 375) = rows %d..%d cols %d..%d, want 153..371 44..1197", r0, r1, c0, c1)
	}
}

func TestPrepareMasksCropsAndClamps(t *testing.T) {
	const w, h = 4, 2
	gt := []float32{
		0, 5, 80, 10, // no data; valid; at the cap (excluded); valid
		5e-4, 20, 90, 40, // below the floor; valid; beyond the cap; valid
	}
	pred := []float32{7, 5, 7, 500, 7, 20, 7, 40}
	s, err := Prepare(pred, gt, w, h, Options{MinDepth: 1e-3, MaxDepth: 80})
	if err != nil {
		t.Fatal(err)
	}
	wantIdx := []int{1, 3, 5, 7}
	if len(s.Index) != len(wantIdx) {
		t.Fatalf("valid pixels %v, want %v", s.Index, wantIdx)
	}
	for k, i := range wantIdx {
		if s.Index[k] != i || s.GT[k] != float64(gt[i]) {
			t.Errorf("entry %d: pixel %d gt %g, want pixel %d", k, s.Index[k], s.GT[k], i)
		}
	}
	if s.Pred[1] != 80 || s.Ratio != 1 {
		t.Errorf("prediction 500 should clamp to 80 (got %g), ratio 1 (got %g)", s.Pred[1], s.Ratio)
	}
	if _, _, err := EvalKITTI(pred, make([]float32, w*h), w, h, KITTIMono()); !errors.Is(err, ErrNoValidPixels) {
		t.Errorf("all-zero ground truth: err = %v, want ErrNoValidPixels", err)
	}
	if _, err := Prepare(pred[:3], gt, w, h, KITTIMono()); err == nil {
		t.Error("size mismatch accepted")
	}
}

func TestPrepareGargCropCount(t *testing.T) {
	const w, h = 1242, 375
	gt := make([]float32, w*h)
	for i := range gt {
		gt[i] = 10
	}
	s, err := Prepare(gt, gt, w, h, KITTIMono())
	if err != nil {
		t.Fatal(err)
	}
	if want := (371 - 153) * (1197 - 44); len(s.GT) != want {
		t.Errorf("%d pixels inside the Garg crop, want %d", len(s.GT), want)
	}
}

func TestMedianScalingRemovesScale(t *testing.T) {
	const w, h = 32, 24
	rng := rand.New(rand.NewPCG(1, 2))
	gt, half := make([]float32, w*h), make([]float32, w*h)
	for i := range gt {
		gt[i] = 1 + 70*rng.Float32()
		half[i] = gt[i] / 2
	}
	d, ratio, err := EvalKITTI(half, gt, w, h, Synthetic())
	if err != nil {
		t.Fatal(err)
	}
	if !closeRel(ratio, 2, 1e-6) || d.AbsRel > 1e-6 || d.RMSE > 1e-5 || d.A1 != 1 {
		t.Errorf("median-scaled 0.5·gt: ratio %g, %+v; want ratio 2 and no error", ratio, d)
	}
	o := Synthetic()
	o.MedianScaling = false
	d, ratio, _ = EvalKITTI(half, gt, w, h, o)
	// Without scaling every pixel is off by half: AbsRel 0.5, δ ratio 2.
	if ratio != 1 || !closeRel(d.AbsRel, 0.5, 1e-6) || d.A3 != 0 {
		t.Errorf("unscaled 0.5·gt: ratio %g, %+v; want AbsRel 0.5", ratio, d)
	}
	stereo := make([]float32, len(gt))
	for i := range gt {
		stereo[i] = gt[i] / StereoScale
	}
	o.Scale = StereoScale
	if d, _, _ := EvalKITTI(stereo, gt, w, h, o); d.AbsRel > 1e-6 {
		t.Errorf("fixed stereo scale: AbsRel %g, want 0", d.AbsRel)
	}
}

func TestByClassAndClassAccumulator(t *testing.T) {
	s := Sample{W: 3, H: 1, Index: []int{0, 1, 2}, GT: []float64{2, 2, 4}, Pred: []float64{1, 3, 4}}
	per, err := s.ByClass([]uint8{7, 7, IgnoreLabel})
	if err != nil {
		t.Fatal(err)
	}
	// Class 7: |2-1|/2 and |2-3|/2 → AbsRel 0.5; the ignored pixel is gone.
	if len(per) != 1 || per[7].Count != 2 || !closeRel(per[7].AbsRel, 0.5, 1e-12) {
		t.Errorf("ByClass = %+v", per)
	}
	if _, err := s.ByClass([]uint8{1}); err == nil {
		t.Error("label map of the wrong size accepted")
	}
	c := ClassAccumulator{MinPixels: 2}
	c.Add(per)
	c.Add(map[uint8]Depth{7: {AbsRel: 0.1, Count: 5}, 3: {AbsRel: 9, Count: 1}})
	if cl := c.Classes(); len(cl) != 1 || cl[0] != 7 {
		t.Errorf("classes %v, want [7] (class 3 has too few pixels)", cl)
	}
	if m := c.Class(7).Mean(); !closeRel(m.AbsRel, 0.3, 1e-12) {
		t.Errorf("class 7 mean AbsRel %g, want (0.5+0.1)/2", m.AbsRel)
	}
	if c.Class(99).Len() != 0 {
		t.Error("unseen class should be empty")
	}
}
