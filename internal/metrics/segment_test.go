package metrics

import (
	"math"
	"testing"
)

// The label maps below are small enough to count by hand (comments give
// each pixel's role); 255 is the ignore label.
var (
	segGT   = []uint8{0, 0, 0, 1, 1, 2, 255, 2, 1}
	segPred = []uint8{0, 0, 1, 1, 255, 0, 2, 2, 3}
	// pixel: TP0 TP0 FN0/FP1 TP1 miss1 FN2/FP0 skipped TP2 FN1/FP3
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestConfusionIoUByHand(t *testing.T) {
	c := NewConfusion(5)
	if err := c.Add(segPred, segGT); err != nil {
		t.Fatal(err)
	}
	if c.Pixels() != 8 {
		t.Errorf("pixels %d, want 8 (the ignore pixel is not counted)", c.Pixels())
	}
	// class 0: TP 2, GT 3, predicted 3 → 2/(3+3−2); class 1: TP 1, GT 3
	// (one missed, one taken for class 3), predicted 2 → 1/4; class 2:
	// TP 1, GT 2, predicted 1 → 1/2; class 3: predicted once, never in
	// the GT → 0; class 4: nowhere → NaN, left out of the mean.
	want := []float64{0.5, 0.25, 0.5, 0}
	iou := c.IoU()
	for k, w := range want {
		if !near(iou[k], w) {
			t.Errorf("IoU[%d] = %g, want %g", k, iou[k], w)
		}
	}
	if !math.IsNaN(iou[4]) {
		t.Errorf("IoU[4] = %g, want NaN (class absent and never predicted)", iou[4])
	}
	if m := c.MeanIoU(); !near(m, 1.25/4) {
		t.Errorf("mIoU %g, want %g", m, 1.25/4)
	}
	if a := c.Accuracy(); !near(a, 0.5) {
		t.Errorf("accuracy %g, want 0.5", a)
	}
	if p := c.Present(); p[0] != 3 || p[1] != 3 || p[2] != 2 || p[3] != 0 {
		t.Errorf("present %v", p)
	}
}

func TestConfusionGroupedByHand(t *testing.T) {
	c := NewConfusion(5)
	c.Add(segPred, segGT)
	// groups A = {0, 1}, B = {2, 3, 4}: confusing 0 with 1 is now right.
	g, err := c.Grouped([]uint8{0, 0, 1, 1, 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	// A: TP 4, GT 6 (one missed, one predicted B), predicted 5 → 4/7.
	// B: TP 1, GT 2, predicted 2 → 1/3.
	iou := g.IoU()
	if !near(iou[0], 4.0/7) || !near(iou[1], 1.0/3) {
		t.Errorf("grouped IoU %v, want [4/7 1/3]", iou)
	}
	if g.Pixels() != c.Pixels() {
		t.Errorf("grouping changed the pixel count: %d vs %d", g.Pixels(), c.Pixels())
	}
	if _, err := c.Grouped([]uint8{0, 0, 1}, 2); err == nil {
		t.Error("a grouping of the wrong length: want an error")
	}
	if _, err := c.Grouped([]uint8{0, 0, 1, 1, 2}, 2); err == nil {
		t.Error("a group index out of range: want an error")
	}
}

func TestConfusionEdgeCases(t *testing.T) {
	c := NewConfusion(3)
	if err := c.Add([]uint8{0}, []uint8{0, 1}); err == nil {
		t.Error("maps of different sizes: want an error")
	}
	if !math.IsNaN(c.MeanIoU()) || !math.IsNaN(c.Accuracy()) {
		t.Error("empty matrix: want NaN mIoU and accuracy")
	}
	c.Add([]uint8{0, 1, 2}, []uint8{0, 1, 2})
	if c.MeanIoU() != 1 || c.Accuracy() != 1 {
		t.Errorf("perfect prediction: mIoU %g accuracy %g", c.MeanIoU(), c.Accuracy())
	}
}
