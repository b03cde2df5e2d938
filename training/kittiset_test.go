package training

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

	"github.com/xdistill/edge-depth/internal/pyref"
	"github.com/xdistill/edge-depth/kitti"
	"github.com/xdistill/edge-depth/synth"
)

func TestKITTISetReadsTheSyntheticWorld(t *testing.T) {
	root := filepath.Join(t.TempDir(), "ds")
	o := synth.Options{Out: root, Seed: 2, Sequences: 3, Frames: 5, Width: 192, Height: 64, Style: synth.StyleDefault}
	if err := synth.Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
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

// Monodepth2's gt_depths.npz (an object array written by numpy) stands in
// for the depth PNGs beside the frames, map for map.
func TestUseGTReadsMonodepth2Npz(t *testing.T) {
	pyref.Require(t)
	root := filepath.Join(t.TempDir(), "ds")
	o := synth.Options{Out: root, Seed: 2, Sequences: 3, Frames: 5, Width: 96, Height: 64, Style: synth.StyleDefault}
	if err := synth.Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
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
		want = append(want, s)
		inputs[fmt.Sprint(i)] = pyref.Array{Shape: []int{s.GTH, s.GTW}, Data: s.GT}
	}
	dir := t.TempDir()
	pyref.RunIn(t, dir, fmt.Sprintf(`
n = %d
data = np.empty(n, dtype=object)
for i in range(n):
    data[i] = load(str(i))
np.savez_compressed(D + "/gt_depths.npz", data=data)
`, set.Len()), inputs)
	if err := set.UseGT(filepath.Join(dir, "gt_depths.npz")); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		got, err := set.LoadEval(i)
		if err != nil || got.GTW != want[i].GTW || got.GTH != want[i].GTH || !slices.Equal(got.GT, want[i].GT) {
			t.Fatalf("entry %d: ground truth from the npz differs from the PNG (%v)", i, err)
		}
	}
	train, _ := OpenKITTI(root, kitti.SplitPath(root, "train"), 96, 64)
	if err := train.UseGT(filepath.Join(dir, "gt_depths.npz")); err == nil || !strings.Contains(err.Error(), "depth maps, the split has") {
		t.Errorf("npz of another split: %v", err)
	}
}

// TestBrokenEntriesAreNamedBySplitLine: a missing frame and a corrupt
// one are found by Check before training, and by Load when sampled; both
// name the split file, the line and the file.
func TestBrokenEntriesAreNamedBySplitLine(t *testing.T) {
	root := filepath.Join(t.TempDir(), "ds")
	o := synth.Options{Out: root, Seed: 2, Sequences: 3, Frames: 6, Width: 192, Height: 64, Style: synth.StyleDefault}
	if err := synth.Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
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
