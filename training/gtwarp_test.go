package training

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/training/data"
)

// warpL1 reconstructs the target (frame index 1 of the batch) from source
// src (0 or 2) with the given depth and the batch's GT pose on pyramid
// level lvl (the images and the depth averaged over 2^lvl blocks), and
// returns the mean |Δ| (0..1 units) over level pixels whose every full
// pixel has rigid, near depth.
func warpL1(t *testing.T, hb *data.HostBatch, depth []float32, labels []uint8, src int, identity bool, lvl int) float64 {
	s := NewScope()
	defer s.Drop()
	b := Upload(s, hb, gotch.CPU)
	w := NewWarper(int64(hb.H), int64(hb.W), gotch.CPU)
	defer w.Drop()
	lw := w.Level(lvl)
	T := b.GTPose[src/2]
	if identity {
		T = s.T(ts.MustEye(4, Float, gotch.CPU).MustUnsqueeze(0, true))
	}
	d := make([]float32, len(depth))
	keep := make([]float32, len(depth))
	for i, v := range depth {
		d[i] = v
		if v <= 0 {
			d[i] = 1000 // sky: no data; excluded below
		}
		// Skip sky, far pixels and classes that may move (person … bicycle):
		// a rigid warp cannot explain those. Occlusions remain.
		if v > 0 && v <= 60 && labels[i] < kitti.Person {
			keep[i] = 1
		}
	}
	level := func(v []float32) *ts.Tensor {
		return Downsample(s, s.T(ts.MustOfSlice(v).MustView([]int64{1, 1, int64(hb.H), int64(hb.W)}, true)), lvl)
	}
	K, invK := LevelIntrinsics(s, b.K, b.InvK, lvl)
	grid := lw.Project(s, lw.Backproject(s, level(d), invK), K, T)
	rec := values(t, GridSample(s, Downsample(s, b.Loss[src], lvl), grid))
	g := values(t, grid) // [1,h,w,2] in [-1, 1] when inside the source view
	tgt := values(t, Downsample(s, b.Loss[1], lvl))
	valid := values(t, level(keep))
	var sum float64
	n := 0
	plane := int(lw.H * lw.W)
	for p := range plane {
		if valid[p] < 1 {
			continue
		}
		if math.Abs(float64(g[2*p])) > 1 || math.Abs(float64(g[2*p+1])) > 1 {
			continue // leaves the source view: border padding, not geometry
		}
		for c := range 3 {
			sum += math.Abs(float64(rec[c*plane+p] - tgt[c*plane+p]))
		}
		n++
	}
	return sum / float64(3*n)
}

func TestGroundTruthWarpThroughTrainingCode(t *testing.T) {
	root := filepath.Join(t.TempDir(), "ds")
	o := synth.Options{Out: root, Seed: 3, Sequences: 2, Frames: 6, Width: 256, Height: 96, Style: synth.StyleDefault}
	if err := synth.Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
	set, err := data.OpenKITTI(root, kitti.SplitPath(root, "train"), 256, 96)
	if err != nil {
		t.Fatal(err)
	}
	e := set.Entries[2]
	depth, _, _, err := kitti.ReadDepth(e.Drive.DepthPath(root, e.Frame))
	if err != nil {
		t.Fatal(err)
	}
	labels, _, _, err := kitti.ReadLabels(e.Drive.LabelPath(root, e.Frame))
	if err != nil {
		t.Fatal(err)
	}
	for _, flip := range []float64{0, 1} {
		l := &data.Loader{Data: oneSample{set, 2}, BatchSize: 1, Seed: 1, Aug: data.Augment{FlipProb: flip}, GTPose: true}
		hb, err := l.Batch(0)
		if err != nil || hb.RelPose == nil {
			t.Fatalf("batch: %v (poses %v)", err, hb != nil && hb.RelPose != nil)
		}
		if flip == 1 {
			depth = mirror(depth, 256, 96)
			labels = mirror(labels, 256, 96)
		}
		for _, src := range []int{0, 2} {
			for lvl := range 3 {
				gt, id := warpL1(t, hb, depth, labels, src, false, lvl), warpL1(t, hb, depth, labels, src, true, lvl)
				t.Logf("flip %v source %d level %d: GT warp mean |Δ| %.4f, identity %.4f", flip, src, lvl, gt, id)
				// Measured at level 0 0.012 (t−1) and 0.011 (t+1) against
				// identity 0.044 and 0.049, the same with and without the
				// flip (occluded pixels are still counted). Coarser levels
				// blur the identity error down (level 2: 0.016 vs 0.026 for
				// t−1); the full-size K there would give 0.12.
				ratio := 2.0
				if lvl > 0 {
					ratio = 1.5
				}
				if gt > 0.02 || id < ratio*gt {
					t.Errorf("flip %v source %d level %d: GT warp %.4f (want ≤ 0.02), identity %.4f (want ≥ %g× that)", flip, src, lvl, gt, id, ratio)
				}
			}
		}
	}
}

// oneSample serves the same entry for every index.
type oneSample struct {
	*data.KITTISet
	i int
}

func (o oneSample) Len() int                      { return 1 }
func (o oneSample) Load(int) (data.Sample, error) { return o.KITTISet.Load(o.i) }

func mirror[T any](v []T, w, h int) []T {
	out := make([]T, len(v))
	for y := range h {
		for x := range w {
			out[y*w+x] = v[y*w+w-1-x]
		}
	}
	return out
}
