package synth

import (
	"bytes"
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/kitti"
)

func tinyOpts(out string, workers int) Options {
	return Options{Out: out, Seed: 4, Sequences: 3, Frames: 4, Width: 64, Height: 32, Style: StyleDefault, Workers: workers}
}

func TestGenerateWritesAKITTILayoutDataset(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ds")
	if err := Generate(context.Background(), tinyOpts(out, 1), io.Discard); err != nil {
		t.Fatal(err)
	}
	d := kitti.NewDrive(Date, 2)
	for _, p := range []string{d.ImagePath(out, 3), d.DepthPath(out, 0), d.LabelPath(out, 2), d.PosesPath(out)} {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	in, err := kitti.ReadCalib(kitti.CalibPath(out, Date))
	want := kittiCam.Scale(64, 32)
	if err != nil || math.Abs(in.Fx-want.Fx) > 1e-6 || math.Abs(in.Cy-want.Cy) > 1e-6 {
		t.Errorf("calib %+v, %v; rendered with %+v", in, err, want)
	}
	if NewWorld(1, StyleDefault, 3, 64, 32).Cam != want {
		t.Error("the world does not render with the calibrated K")
	}
	poses, _ := kitti.ReadPoses(d.PosesPath(out))
	if len(poses) != 4 || poses[3][11] <= poses[0][11] {
		t.Errorf("poses %v: want 4, driving forward", poses)
	}
	train, _ := kitti.ReadSplit(kitti.SplitPath(out, "train"))
	test, _ := kitti.ReadSplit(kitti.SplitPath(out, "test"))
	testDrives := map[string]bool{}
	for _, e := range test {
		testDrives[e.Drive.Name] = true
	}
	for _, e := range train {
		if testDrives[e.Drive.Name] {
			t.Fatalf("test drive %s appears in train", e.Drive.Name)
		}
		if e.Frame == 0 || e.Frame == 3 {
			t.Fatalf("train frame %d has no neighbour on one side", e.Frame)
		}
	}
	if len(train) != 2 || len(test) != 4 {
		t.Errorf("train %d, test %d entries; want 2 and 4", len(train), len(test))
	}
}

func TestGenerateIsByteIdenticalAcrossWorkers(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	Generate(context.Background(), tinyOpts(a, 1), io.Discard)
	Generate(context.Background(), tinyOpts(b, 4), io.Discard)
	n := 0
	filepath.Walk(a, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between 1 and 4 workers", rel)
		}
		n++
		return nil
	})
	if n < 3*4*3 {
		t.Errorf("compared only %d files", n)
	}
}

func TestGenerateResumesAndRefusesOtherOptions(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ds")
	o := tinyOpts(out, 2)
	Generate(context.Background(), o, io.Discard)
	img := kitti.NewDrive(Date, 1).ImagePath(out, 0)
	st, _ := os.Stat(img)
	if err := Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
	if st2, _ := os.Stat(img); !st2.ModTime().Equal(st.ModTime()) {
		t.Error("a complete sequence was rendered again")
	}
	o.Seed = 5
	if err := Generate(context.Background(), o, io.Discard); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("other options: got %v", err)
	}
	o.Force = true
	if err := Generate(context.Background(), o, io.Discard); err != nil {
		t.Errorf("--force: %v", err)
	}
}

func TestGenerateBadOptionsAndCancellation(t *testing.T) {
	dir := t.TempDir()
	bad := []Options{
		{Out: dir, Seed: 1, Sequences: 0, Frames: 5, Width: 64, Height: 32, Style: StyleDefault},
		{Out: dir, Seed: 1, Sequences: 1, Frames: 5, Width: 0, Height: 32, Style: StyleDefault},
		{Out: dir, Seed: 1, Sequences: 1, Frames: -3, Width: 64, Height: 32, Style: StyleDefault},
		{Out: dir, Seed: 1, Sequences: 1, Frames: 5, Width: 64, Height: 32, Style: "noir"},
	}
	for _, o := range bad {
		if err := Generate(context.Background(), o, io.Discard); err == nil {
			t.Errorf("%+v: want an error", o)
		}
	}
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o644)
	if err := Generate(context.Background(), tinyOpts(filepath.Join(blocker, "ds"), 1), io.Discard); err == nil || !strings.Contains(err.Error(), blocker) {
		t.Errorf("unwritable output: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(dir, "cancelled")
	if err := Generate(ctx, tinyOpts(out, 1), io.Discard); err == nil {
		t.Error("cancelled: want an error")
	}
	entries, _ := os.ReadDir(filepath.Join(out, Date))
	for _, e := range entries {
		if e.IsDir() {
			t.Errorf("half-written sequence left behind: %s", e.Name())
		}
	}
}

// BenchmarkGenerate416x128 measures whole-dataset throughput: rendering
// plus writing image, depth and labels as PNGs, on all cores.
func BenchmarkGenerate416x128(b *testing.B) {
	const frames = 40
	for i := 0; i < b.N; i++ {
		o := Options{Out: filepath.Join(b.TempDir(), "ds"), Seed: 1, Sequences: 1, Frames: frames, Width: 416, Height: 128, Style: StyleDefault}
		if err := Generate(context.Background(), o, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*frames)/b.Elapsed().Seconds(), "frames/s")
}
