package synth

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/kitti"
)

func tinyOpts(out string, workers int) Options {
	return Options{Out: out, Seed: 4, Sequences: 3, Frames: 4, Width: 64, Height: 32, Style: StyleDefault, Workers: workers}
}

func TestGenerateWritesAKITTILayoutDataset(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ds")
	o := tinyOpts(out, 2)
	if err := Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
	d := Drive(1)
	if d.Name != "2025_01_01_drive_0002_sync" {
		t.Errorf("drive folder %s", d.Name)
	}
	if _, _, _, err := kitti.ReadRGB(d.ImagePath(out, 3)); err != nil {
		t.Error(err)
	}
	if _, err := kitti.ReadDepthSized(d.DepthPath(out, 0), 64, 32); err != nil {
		t.Error(err)
	}
	if _, err := kitti.ReadLabelsSized(d.LabelPath(out, 2), 64, 32); err != nil {
		t.Error(err)
	}
	// The calibration is the K the frames were rendered with.
	in, err := kitti.ReadCalib(kitti.CalibPath(out, Date))
	rendered := NewWorld(SequenceSeed(o.Seed, 1), o.Style, o.Frames, 64, 32).Cam
	if err != nil || math.Abs(in.Fx-rendered.Fx) > 1e-9 || math.Abs(in.Fy-rendered.Fy) > 1e-9 ||
		math.Abs(in.Cx-rendered.Cx) > 1e-9 || math.Abs(in.Cy-rendered.Cy) > 1e-9 || in.Width != 64 || in.Height != 32 {
		t.Errorf("calib %+v, %v; rendered with %+v", in, err, rendered)
	}
	poses, err := kitti.ReadPoses(d.PosesPath(out))
	if err != nil || len(poses) != 4 || poses[3][11] <= poses[0][11] {
		t.Errorf("poses %v, %v: want 4, driving forward (+z)", poses, err)
	}
	if opts, err := ReadManifest(out); err != nil || opts.Seed != 4 || opts.Frames != 4 || opts.Style != StyleDefault {
		t.Errorf("manifest %+v, %v", opts, err)
	}
}

func TestSplitsAreByDrive(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ds")
	o := tinyOpts(out, 2)
	o.Sequences, o.Frames = 5, 5
	if err := Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
	drives := map[string]map[string]bool{}
	for _, split := range []string{SplitTrain, SplitVal, SplitTest} {
		entries, err := kitti.ReadSplit(kitti.SplitPath(out, split))
		if err != nil {
			t.Fatal(err)
		}
		drives[split] = map[string]bool{}
		for _, e := range entries {
			drives[split][e.Drive.Name] = true
			if split != SplitTest && (e.Frame == 0 || e.Frame == o.Frames-1) {
				t.Errorf("%s has frame %d of %s: no neighbour on one side", split, e.Frame, e.Drive.Name)
			}
			if _, err := os.Stat(e.Drive.ImagePath(out, e.Frame)); err != nil {
				t.Errorf("%s lists a missing frame: %v", split, err)
			}
		}
	}
	if len(drives[SplitTrain]) != 3 || len(drives[SplitVal]) != 1 || len(drives[SplitTest]) != 1 {
		t.Errorf("drives per split: train %d, val %d, test %d; want 3, 1, 1", len(drives[SplitTrain]), len(drives[SplitVal]), len(drives[SplitTest]))
	}
	for name := range drives[SplitTest] {
		if drives[SplitTrain][name] || drives[SplitVal][name] {
			t.Errorf("test drive %s is also in train or val", name)
		}
	}
	for name := range drives[SplitVal] {
		if drives[SplitTrain][name] {
			t.Errorf("val drive %s is also in train", name)
		}
	}
	if SplitOf(7, 8) != SplitTest || SplitOf(6, 8) != SplitVal || SplitOf(5, 8) != SplitTrain || SplitOf(0, 2) != SplitTrain || SplitOf(1, 2) != SplitTest {
		t.Error("default 8 drives should split 6/1/1, two drives 1 train / 1 test")
	}
}

// Same options, different GOMAXPROCS and worker counts (0 = all cores):
// the same bytes.
func TestGenerateIsByteIdenticalAcrossWorkers(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	oa, ob := tinyOpts(a, 0), tinyOpts(b, 3)
	oa.Style, ob.Style = StyleShifted, StyleShifted
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if err := Generate(context.Background(), oa, io.Discard); err != nil {
		t.Fatal(err)
	}
	runtime.GOMAXPROCS(4)
	if err := Generate(context.Background(), ob, io.Discard); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := filepath.WalkDir(a, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between 1 and 3 workers", rel)
		}
		n++
		return nil
	})
	if err != nil || n != 3*4*3+3+1+3+1 { // PNGs, poses, calib, splits, manifest
		t.Errorf("compared %d files (%v)", n, err)
	}
}

func TestGenerateResumesAndRefusesOtherOptions(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ds")
	o := tinyOpts(out, 2)
	if err := Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
	img := Drive(0).ImagePath(out, 0)
	st, _ := os.Stat(img)
	if err := Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
	if st2, _ := os.Stat(img); !st2.ModTime().Equal(st.ModTime()) {
		t.Error("a complete drive was rendered again")
	}
	o.Seed, o.Frames = 5, 6
	err := Generate(context.Background(), o, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--force") || !strings.Contains(err.Error(), "seed 4, asked for 5") || !strings.Contains(err.Error(), "frames 4, asked for 6") {
		t.Errorf("other options: got %v", err)
	}
	o.Force = true
	if err := Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatalf("--force: %v", err)
	}
	if poses, _ := kitti.ReadPoses(Drive(0).PosesPath(out)); len(poses) != 6 {
		t.Errorf("--force left %d poses, want the new 6", len(poses))
	}
	// A folder that is not a synthetic dataset is not overwritten.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	if err := Generate(context.Background(), tinyOpts(other, 1), io.Discard); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty folder: %v", err)
	}
}

func TestGenerateRejectsBadOptionsBeforeWriting(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "ds")
	cases := map[string]func(*Options){
		"sequences 1":             func(o *Options) { o.Sequences = 1 },
		"size 0x32":               func(o *Options) { o.Width = 0 },
		"frames -3":               func(o *Options) { o.Frames = -3 },
		`style "noir"`:            func(o *Options) { o.Style = "noir" },
		"workers -1":              func(o *Options) { o.Workers = -1 },
		"output directory: empty": func(o *Options) { o.Out = "" },
	}
	for want, change := range cases {
		o := tinyOpts(out, 1)
		change(&o)
		if err := Generate(context.Background(), o, io.Discard); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v", want, err)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("bad options wrote %s", out)
	}
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o644)
	if err := Generate(context.Background(), tinyOpts(filepath.Join(blocker, "ds"), 1), io.Discard); err == nil || !strings.Contains(err.Error(), blocker) {
		t.Errorf("unwritable output: %v", err)
	}
}

// cancelOnWrite cancels a context when the progress bar first draws,
// which it does after the first frame.
type cancelOnWrite struct {
	once   sync.Once
	cancel context.CancelFunc
}

func (c *cancelOnWrite) Write(p []byte) (int, error) {
	c.once.Do(c.cancel)
	return len(p), nil
}

func TestInterruptedRunLeavesNoHalfDriveAndResumes(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ds")
	o := tinyOpts(out, 2)
	o.Frames = 30
	ctx, cancel := context.WithCancel(context.Background())
	if err := Generate(ctx, o, &cancelOnWrite{cancel: cancel}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(out, Date))
	for _, e := range entries {
		if e.IsDir() {
			t.Errorf("interrupted run left %s", e.Name())
		}
	}
	// A leftover of a killed run (no chance to clean up) is removed.
	leftover := filepath.Join(out, Date, "."+Drive(0).Name+".tmp-123")
	os.MkdirAll(leftover, 0o755)
	if err := Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
		t.Error("leftover temporary drive not removed")
	}
	for s := range o.Sequences {
		if !complete(o, s) {
			t.Errorf("drive %d incomplete after resuming", s)
		}
	}
}

// BenchmarkGenerate416x128 measures whole-dataset throughput: rendering
// plus writing image, depth and labels as PNGs, on all cores.
func BenchmarkGenerate416x128(b *testing.B) {
	const frames = 40
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		o := Options{Out: filepath.Join(b.TempDir(), "ds"), Seed: 1, Sequences: 2, Frames: frames / 2, Width: 416, Height: 128, Style: StyleDefault}
		if err := Generate(context.Background(), o, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*frames)/b.Elapsed().Seconds(), "frames/s")
	reportCPU(b, cpu, b.N*frames)
}
