package main

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/camera"
	"github.com/xdistill/edge-depth/internal/data/kitti"
)

func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&bytes.Buffer{})
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestPrepareVideoBuildsATrainableDataset(t *testing.T) {
	dir := t.TempDir()
	video := filepath.Join(dir, "rec.avi")
	if _, err := runCLI(t, "synth", "--video", video, "--frames", "24", "--size", "128x64"); err != nil {
		t.Fatal(err)
	}
	cam := filepath.Join(dir, "camera.yaml")
	want := camera.File{Width: 128, Height: 64, Fx: 74.3, Fy: 74.3, Cx: 62.8, Cy: 29.5}
	if err := camera.Write(cam, want); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "data")
	out, err := runCLI(t, "prepare-video", "--video", video, "--camera", cam, "--fps", "5", "--out", root)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "wrote 12 frames") {
		t.Errorf("output %q: want 12 frames (24 at 10 fps sampled at 5)", out)
	}
	in, err := kitti.ReadCalib(kitti.CalibPath(root, customDate))
	if err != nil || math.Abs(in.Fx-want.Fx) > 1e-6 || in.Width != 128 {
		t.Errorf("calib %+v, %v", in, err)
	}
	train, _ := kitti.ReadSplit(kitti.SplitPath(root, "train"))
	val, _ := kitti.ReadSplit(kitti.SplitPath(root, "val"))
	if len(train)+len(val) != 10 || len(val) != 1 {
		t.Errorf("splits: %d train, %d val; want 9 and 1 (frames 1..10)", len(train), len(val))
	}
	// A camera.yaml for another image size is refused.
	want.Width = 640
	camera.Write(cam, want)
	if _, err := runCLI(t, "prepare-video", "--video", video, "--camera", cam, "--out", root); err == nil || !strings.Contains(err.Error(), "calibrated at 640x64") {
		t.Errorf("size mismatch: got %v", err)
	}
}
