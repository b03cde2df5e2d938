package data

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/internal/metrics"
)

// The yardsticks of xdistill eval: the mean training depth map knows the
// world's layout, so it beats the best constant on the synthetic world.
func TestBaselines(t *testing.T) {
	root := filepath.Join(t.TempDir(), "ds")
	o := synth.Options{Out: root, Seed: 3, Sequences: 3, Frames: 6, Width: 96, Height: 64, Style: synth.StyleDefault}
	if err := synth.Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
	set, err := OpenKITTI(root, kitti.SplitPath(root, "test"), 96, 64)
	if err != nil {
		t.Fatal(err)
	}
	opts := metrics.Options{MinDepth: 1e-3, MaxDepth: 80, MedianScaling: true}
	constant, err := ConstantBaseline(set, opts)
	if err != nil {
		t.Fatal(err)
	}
	prior, ok := PriorBaseline(set, kitti.SplitPath(root, "train"), opts)
	if !ok {
		t.Fatal("PriorBaseline: no dense training ground truth found in the synthetic world")
	}
	if !(constant.AbsRel > 0) || math.IsInf(constant.AbsRel, 0) || !(prior.AbsRel > 0) || prior.AbsRel >= constant.AbsRel {
		t.Errorf("Abs Rel: constant %g, mean training map %g; want 0 < prior < constant", constant.AbsRel, prior.AbsRel)
	}
	if _, ok := PriorBaseline(set, filepath.Join(root, "no-such-split.txt"), opts); ok {
		t.Error("PriorBaseline without a training split: want ok = false")
	}
}
