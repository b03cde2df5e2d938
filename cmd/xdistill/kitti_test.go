package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/kitti"
)

// The KITTI commands end to end on a tiny run: export-gt projects scans
// into a folder of its own, eval --protocol kitti scores against it with
// --gt DIR, and --eval-split eigen_benchmark reads a folder laid out as
// KITTI's annotated-depth download and writes its own report.
func TestKITTIGroundTruthAndEvalSplits(t *testing.T) {
	dir := t.TempDir()
	world, run := filepath.Join(dir, "world"), filepath.Join(dir, "run")
	_, err := runCLI(t, "train", "--config", "../../configs/synthetic.yaml", "--data", world, "--batch-size", "2",
		"--set", "data.splits="+filepath.Join(world, "splits"), "--set", "data.width=96", "--set", "data.height=64",
		"--set", "data.synth_sequences=3", "--set", "data.synth_frames=4", "--set", "model.width=0.125",
		"--set", "train.threads=1", "--set", "distill.lambda=0", "--out", run, "--steps", "1")
	if err != nil {
		t.Fatal(err)
	}
	split := kitti.SplitPath(world, "test")
	entries, err := kitti.ReadSplit(split)
	if err != nil || len(entries) == 0 {
		t.Fatal(entries, err)
	}
	writeVelodyne(t, world, entries)

	gtDir := filepath.Join(dir, "eigen-gt")
	out, err := runCLI(t, "kitti", "export-gt", "--data", world, "--split", split, "--out", gtDir)
	if err != nil || !strings.Contains(out, fmt.Sprintf("wrote %d ground-truth depth maps (velodyne-x)", len(entries))) {
		t.Fatalf("export-gt: %q, %v", out, err)
	}
	out, err = runCLI(t, "eval", "--checkpoint", run, "--data", world, "--split", split, "--protocol", "kitti", "--gt", gtDir, "--device", "cpu")
	if err != nil || !strings.Contains(out, "| model |") {
		t.Fatalf("eval eigen: %q, %v", out, err)
	}

	bench := filepath.Join(dir, "data_depth_annotated")
	for _, e := range entries {
		gt, w, h, err := kitti.ReadDepth(e.Drive.DepthPath(world, e.Frame)) // the world's dense depth stands in
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(bench, "val", e.Drive.Name, "proj_depth", "groundtruth", "image_02", fmt.Sprintf("%010d.png", e.Frame))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := kitti.WriteDepth(p, gt, w, h); err != nil {
			t.Fatal(err)
		}
	}
	out, err = runCLI(t, "eval", "--checkpoint", run, "--data", world, "--split", split, "--protocol", "kitti",
		"--eval-split", "eigen_benchmark", "--gt", bench, "--device", "cpu")
	if err != nil || !strings.Contains(out, "| model |") {
		t.Fatalf("eval eigen_benchmark: %q, %v", out, err)
	}
	if _, err := os.Stat(filepath.Join(run, "eval-world-eigen_benchmark.md")); err != nil {
		t.Errorf("eigen_benchmark report: %v", err)
	}
	_, err = runCLI(t, "eval", "--checkpoint", run, "--data", world, "--split", split, "--protocol", "kitti", "--eval-split", "eigen_benchmark")
	if err == nil || !strings.Contains(err.Error(), "needs --gt") {
		t.Errorf("eigen_benchmark without --gt: %v", err)
	}
}

// writeVelodyne gives the synthetic world KITTI's LiDAR files: a rectified
// calibration with a velodyne 0.27 m behind the camera, and a scan of
// random points ahead for every entry.
func writeVelodyne(t *testing.T, root string, entries []kitti.Entry) {
	t.Helper()
	in, err := kitti.ReadCalib(kitti.CalibPath(root, entries[0].Drive.Date))
	if err != nil {
		t.Fatal(err)
	}
	date := filepath.Join(root, entries[0].Drive.Date)
	cc := fmt.Sprintf("S_rect_02: %d %d\nR_rect_00: 1 0 0 0 1 0 0 0 1\nP_rect_02: %g 0 %g 0 0 %g %g 0 0 0 1 0\n", in.Width, in.Height, in.Fx, in.Cx, in.Fy, in.Cy)
	vc := "R: 0 -1 0 0 0 -1 1 0 0\nT: 0 0 -0.27\n"
	for path, text := range map[string]string{"calib_cam_to_cam.txt": cc, "calib_velo_to_cam.txt": vc} {
		if err := os.WriteFile(filepath.Join(date, path), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 9))
	for _, e := range entries {
		var raw []byte
		for range 4000 {
			for _, v := range []float64{2 + 60*rng.Float64(), 20 * (rng.Float64() - 0.5), -1.5 + 2*rng.Float64(), 0.5} {
				raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(float32(v)))
			}
		}
		p := e.Drive.VelodynePath(root, e.Frame)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
