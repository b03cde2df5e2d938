package metrics

import (
	"math"
	"testing"
)

func TestComputeHandWorked(t *testing.T) {
	// gt = 2 everywhere; pred/gt ratios 1, 1.2, 1.5, 1.9.
	gt := []float64{2, 2, 2, 2}
	pred := []float64{2, 2.4, 3, 3.8}
	// |gt-pred| = 0, 0.4, 1, 1.8 (sum 3.2); squares 0, 0.16, 1, 3.24 (sum 4.4).
	want := Depth{
		AbsRel: 3.2 / 2 / 4,    // 0.4
		SqRel:  4.4 / 2 / 4,    // 0.55
		RMSE:   math.Sqrt(1.1), // sqrt(4.4/4)
		// ln(gt/pred) = 0, -ln1.2, -ln1.5, -ln1.9
		RMSELog: math.Sqrt((sq(math.Log(1.2)) + sq(math.Log(1.5)) + sq(math.Log(1.9))) / 4),
		A1:      2.0 / 4,                     // 1, 1.2 < 1.25
		A2:      3.0 / 4,                     // 1.5 < 1.5625
		A3:      4.0 / 4,                     // 1.9 < 1.953125
		Log10:   math.Log10(1.2*1.5*1.9) / 4, // sum of log10 ratios
		Count:   4,
	}
	got := Compute(pred, gt)
	assertDepth(t, got, want, 1e-12)
	if r := got.RMSELog10(); !closeRel(r, got.RMSELog/math.Ln10, 1e-12) {
		t.Errorf("RMSELog10 = %g", r)
	}
}

func TestComputeSymmetricAndStrictThresholds(t *testing.T) {
	// Under- and over-prediction by the same factor count alike in δ, and
	// a ratio of exactly 1.25 is not "< 1.25".
	got := Compute([]float64{2, 2.5}, []float64{2.5, 2})
	if got.A1 != 0 || got.A2 != 1 || got.A3 != 1 {
		t.Errorf("ratio 1.25 both ways: A1 A2 A3 = %g %g %g, want 0 1 1", got.A1, got.A2, got.A3)
	}
	// AbsRel = (0.5/2.5 + 0.5/2)/2 = (0.2+0.25)/2 = 0.225.
	if !closeRel(got.AbsRel, 0.225, 1e-12) {
		t.Errorf("AbsRel = %g, want 0.225", got.AbsRel)
	}
	if z := Compute(nil, nil); z != (Depth{}) {
		t.Errorf("empty input: got %+v, want zero", z)
	}
}

func TestAccumulatorMeanStd(t *testing.T) {
	var a Accumulator
	a.Add(Depth{AbsRel: 0.1, A1: 0.9, Count: 10})
	a.Add(Depth{})
	a.Add(Depth{AbsRel: 0.3, A1: 0.7, Count: 30})
	if a.Len() != 2 || a.Skipped() != 1 {
		t.Fatalf("Len %d Skipped %d, want 2 1", a.Len(), a.Skipped())
	}
	// Per-image mean, not pixel-weighted: (0.1+0.3)/2, not (1+9)/40.
	m := a.Mean()
	if !closeRel(m.AbsRel, 0.2, 1e-12) || !closeRel(m.A1, 0.8, 1e-12) || m.Count != 40 {
		t.Errorf("Mean = %+v", m)
	}
	// Population std: sqrt(((0.1-0.2)²+(0.3-0.2)²)/2) = 0.1.
	if s := a.Std(); !closeRel(s.AbsRel, 0.1, 1e-9) || !closeRel(s.A1, 0.1, 1e-9) {
		t.Errorf("Std = %+v", s)
	}
	if r := a.Results(); len(r) != 2 || r[1].AbsRel != 0.3 {
		t.Errorf("Results = %+v", r)
	}
}

func TestRatioSummaryAndMedian(t *testing.T) {
	// median 2; ratios/median 0.5, 1, 1.5 have mean 1, std sqrt(0.5/3).
	med, std := RatioSummary([]float64{3, 1, 2})
	if med != 2 || !closeRel(std, math.Sqrt(0.5/3), 1e-12) {
		t.Errorf("RatioSummary = %g %g", med, std)
	}
	if m := Median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("even-count median = %g, want 2.5 (numpy's mean of the middle two)", m)
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("median of nothing should be NaN")
	}
}

func sq(x float64) float64 { return x * x }

func assertDepth(t *testing.T, got, want Depth, rel float64) {
	t.Helper()
	gf, wf := got.fields(), want.fields()
	names := []string{"AbsRel", "SqRel", "RMSE", "RMSELog", "A1", "A2", "A3", "Log10"}
	for i := range gf {
		if !closeRel(*gf[i], *wf[i], rel) {
			t.Errorf("%s = %.12g, want %.12g", names[i], *gf[i], *wf[i])
		}
	}
	if got.Count != want.Count {
		t.Errorf("Count = %d, want %d", got.Count, want.Count)
	}
}
