package data

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/internal/pyref"
)

// world generates a synthetic world of 3 drives × frames frames at w×h
// and returns its root.
func world(t *testing.T, seed uint64, frames, w, h int) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "ds")
	o := synth.Options{Out: root, Seed: seed, Sequences: 3, Frames: frames, Width: w, Height: h, Style: synth.StyleDefault}
	if err := synth.Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestKITTISetReadsTheSyntheticWorld(t *testing.T) {
	root := world(t, 2, 5, 192, 64)
	set, err := OpenKITTI(root, kitti.SplitPath(root, "train"), 96, 32)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 3 {
		t.Fatalf("train entries %d, want 3 (frames 1..3 of one drive)", set.Len())
	}
	s, err := set.Load(0)
	if err != nil {
		t.Fatal(err)
	}
	// K scaled from the 192×64 render to 96×32: half of the world's.
	want := synth.NewWorld(1, synth.StyleDefault, 3, 192, 64).Cam.Scale(96, 32)
	if math.Abs(s.Fx-want.Fx) > 1e-3 || math.Abs(s.Cy-want.Cy) > 1e-3 || len(s.Frames[2]) != 3*96*32 {
		t.Errorf("sample K fx=%g cy=%g, want %g %g", s.Fx, s.Cy, want.Fx, want.Cy)
	}
	test, _ := OpenKITTI(root, kitti.SplitPath(root, "test"), 96, 32)
	ev, err := test.LoadEval(0)
	if err != nil || ev.GTW != 192 || ev.Labels == nil || len(ev.Image) != 3*96*32 {
		t.Fatalf("eval sample %dx%d labels=%v, %v", ev.GTW, ev.GTH, ev.Labels != nil, err)
	}
	if _, err := OpenKITTI(root, filepath.Join(root, "splits", "none.txt"), 96, 32); err == nil {
		t.Error("missing split: want an error")
	}
}

// Monodepth2's gt_depths.npz, written as its export_gt_depth.py does
// (np.savez_compressed of np.array(maps, dtype=object), maps of different
// sizes as KITTI's dates have), stands in for the depth PNGs map for map.
func TestUseGTReadsMonodepth2Npz(t *testing.T) {
	pyref.Require(t)
	root := world(t, 2, 5, 96, 64)
	set, err := OpenKITTI(root, kitti.SplitPath(root, "test"), 96, 64)
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string]pyref.Array{}
	var want []EvalSample
	for i := range set.Len() {
		s, err := set.LoadEval(i)
		if err != nil {
			t.Fatal(err)
		}
		s.GT, s.GTW, s.GTH = cropMap(s.GT, s.GTW, s.GTW-3*i, s.GTH-i)
		want = append(want, s)
		inputs[fmt.Sprint(i)] = pyref.Array{Shape: []int{s.GTH, s.GTW}, Data: s.GT}
	}
	if set.Len() < 2 {
		t.Fatalf("%d test entries: want maps of at least two sizes", set.Len())
	}
	dir := t.TempDir()
	pyref.RunIn(t, dir, fmt.Sprintf(`
maps = [load(str(i)) for i in range(%d)]
np.savez_compressed(D + "/gt_depths.npz", data=np.array(maps, dtype=object))
`, set.Len()), inputs)
	if err := set.UseGT(filepath.Join(dir, "gt_depths.npz")); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		got, err := set.LoadEval(i)
		if err != nil || got.GTW != want[i].GTW || got.GTH != want[i].GTH || !slices.Equal(got.GT, want[i].GT) {
			t.Fatalf("entry %d: ground truth from the npz (%dx%d) differs from the map written (%dx%d): %v", i, got.GTW, got.GTH, want[i].GTW, want[i].GTH, err)
		}
	}
	train, _ := OpenKITTI(root, kitti.SplitPath(root, "train"), 96, 64)
	if err := train.UseGT(filepath.Join(dir, "gt_depths.npz")); err == nil || !strings.Contains(err.Error(), "depth maps, the split has") {
		t.Errorf("npz of another split: %v", err)
	}
}

// cropMap keeps the top-left w×h of a sw-wide map.
func cropMap(m []float32, sw, w, h int) ([]float32, int, int) {
	out := make([]float32, 0, w*h)
	for y := range h {
		out = append(out, m[y*sw:y*sw+w]...)
	}
	return out, w, h
}

// A folder of depth PNGs in KITTI's annotated-depth layout
// (train/<drive>/proj_depth/groundtruth/image_02) replaces the maps beside
// the frames; a folder missing a frame is refused by name.
func TestUseGTReadsAFolderOfDepthMaps(t *testing.T) {
	root := world(t, 2, 5, 96, 64)
	set, err := OpenKITTI(root, kitti.SplitPath(root, "test"), 96, 64)
	if err != nil {
		t.Fatal(err)
	}
	gtDir := t.TempDir()
	var want [][]float32
	for i, e := range set.Entries {
		m := make([]float32, 40*30)
		for p := range m {
			m[p] = float32(1+i) + float32(p%7)/4 // exact in a depth PNG
		}
		want = append(want, m)
		path := filepath.Join(gtDir, "train", e.Drive.Name, "proj_depth", "groundtruth", "image_02", fmt.Sprintf("%010d.png", e.Frame))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := kitti.WriteDepth(path, m, 40, 30); err != nil {
			t.Fatal(err)
		}
	}
	if err := set.UseGT(gtDir); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		got, err := set.LoadEval(i)
		if err != nil || got.GTW != 40 || got.GTH != 30 || !slices.Equal(got.GT, want[i]) {
			t.Fatalf("entry %d: %dx%d, %v: not the folder's map", i, got.GTW, got.GTH, err)
		}
	}
	last := set.Entries[len(set.Entries)-1]
	os.Remove(filepath.Join(gtDir, "train", last.Drive.Name, "proj_depth", "groundtruth", "image_02", fmt.Sprintf("%010d.png", last.Frame)))
	fresh, _ := OpenKITTI(root, kitti.SplitPath(root, "test"), 96, 64)
	if err := fresh.UseGT(gtDir); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%s frame %d: none of", last.Drive.Rel(), last.Frame)) {
		t.Errorf("folder without a frame: %v", err)
	}
}

// TestBrokenEntriesAreNamedBySplitLine: a missing frame and a corrupt
// one are found by Check before training, and by Load when sampled; both
// name the split file, the line and the file.
func TestBrokenEntriesAreNamedBySplitLine(t *testing.T) {
	root := world(t, 2, 6, 192, 64)
	split := kitti.SplitPath(root, "train")
	set, err := OpenKITTI(root, split, 96, 32)
	if err != nil {
		t.Fatal(err)
	}
	if err := set.Check(context.Background(), nil); err != nil {
		t.Fatalf("a whole dataset: %v", err)
	}
	last := set.Len() - 1
	e := set.Entries[last]
	frame := e.Drive.ImagePath(root, e.Frame+1)
	for name, damage := range map[string]func() error{
		"missing": func() error { return os.Remove(frame) },
		"corrupt": func() error { return os.WriteFile(frame, []byte("\x89PNG\r\n\x1a\nshort"), 0o644) },
	} {
		if err := damage(); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("split %s:%d (%s %d): ", split, set.Lines[last], e.Drive.Rel(), e.Frame)
		for how, err := range map[string]error{"Check": set.Check(context.Background(), nil), "Load": func() error { _, err := set.Load(last); return err }()} {
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), frame) {
				t.Errorf("%s frame, %s: got %v, want %q… naming %s", name, how, err, want, frame)
			}
		}
	}
}

// The yardsticks of xdistill eval: the mean training depth map knows the
// world's layout, so it beats the best constant on the synthetic world.
func TestBaselines(t *testing.T) {
	root := world(t, 3, 6, 96, 64)
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
