package kitti

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/camera"
)

func TestCalibRoundTripAndRealFormat(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "calib_cam_to_cam.txt")
	want := camera.Intrinsics{Fx: 241.67, Fy: 246.28, Cx: 204.17, Cy: 59.0, Width: 416, Height: 128}
	if err := WriteCalib(p, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCalib(p)
	if err != nil || math.Abs(got.Fx-want.Fx) > 1e-6 || math.Abs(got.Cy-want.Cy) > 1e-6 || got.Width != 416 {
		t.Fatalf("read back %+v, %v", got, err)
	}
	// A real KITTI file has many other keys; only the left colour camera matters.
	real := "calib_time: 09-Jan-2012 13:57:47\ncorner_dist: 9.950000e-02\nS_rect_00: 1.242000e+03 3.750000e+02\nP_rect_00: 1 0 0 0 0 1 0 0 0 0 1 0\nS_rect_02: 1.242000e+03 3.750000e+02\nP_rect_02: 7.215377e+02 0.000000e+00 6.095593e+02 4.485728e+01 0.000000e+00 7.215377e+02 1.728540e+02 2.163791e-01 0.000000e+00 0.000000e+00 1.000000e+00 2.745884e-03\n"
	os.WriteFile(p, []byte(real), 0o644)
	got, err = ReadCalib(p)
	if err != nil || got.Fx != 721.5377 || got.Cx != 609.5593 || got.Height != 375 {
		t.Errorf("real KITTI calib: %+v, %v", got, err)
	}
	os.WriteFile(p, []byte("P_rect_02: 1 2 3\n"), 0o644)
	if _, err := ReadCalib(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("short calib: %v", err)
	}
}

func TestPNGRoundTripsAndErrors(t *testing.T) {
	dir := t.TempDir()
	depth := []float32{0, 1.5, 80.25, float32(math.Inf(1)), 300, -1}
	p := filepath.Join(dir, "d.png")
	if err := WriteDepth(p, depth, 3, 2); err != nil {
		t.Fatal(err)
	}
	got, w, h, err := ReadDepth(p)
	want := []float32{0, 1.5, 80.25, 0, 255.99609, 0} // inf and negatives → 0; 300 m clips at 65535/256
	if err != nil || w != 3 || h != 2 || !slices.Equal(got, want) {
		t.Errorf("depth round trip %v %dx%d %v", got, w, h, err)
	}
	labels := []uint8{0, 1, 10, 255, 13, 18}
	lp := filepath.Join(dir, "l.png")
	WriteLabels(lp, labels, 3, 2)
	if gl, _, _, err := ReadLabels(lp); err != nil || !slices.Equal(gl, labels) {
		t.Errorf("labels round trip %v %v", gl, err)
	}
	rgb := []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	rp := filepath.Join(dir, "c.png")
	WriteRGB(rp, rgb, 2, 2)
	if gr, _, _, err := ReadRGB(rp); err != nil || !slices.Equal(gr, rgb) {
		t.Errorf("rgb round trip %v %v", gr, err)
	}
	if _, _, _, err := ReadDepth(lp); err == nil || !strings.Contains(err.Error(), "16-bit") {
		t.Errorf("8-bit file as depth: %v", err)
	}
	data, _ := os.ReadFile(p)
	os.WriteFile(p, data[:len(data)/2], 0o644)
	if _, _, _, err := ReadDepth(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("truncated depth: %v", err)
	}
}

func TestPosesAndSplits(t *testing.T) {
	dir := t.TempDir()
	poses := []Pose{{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}, {1, 0, 0, 0.5, 0, 1, 0, 0, 0, 0, 1, 1.25}}
	p := filepath.Join(dir, "poses.txt")
	WritePoses(p, poses)
	if got, err := ReadPoses(p); err != nil || !slices.Equal(got, poses) {
		t.Errorf("poses %v %v", got, err)
	}
	d := NewDrive("2025_01_01", 3)
	if d.Rel() != "2025_01_01/2025_01_01_drive_0003_sync" {
		t.Errorf("drive %q", d.Rel())
	}
	sp := filepath.Join(dir, "test_files.txt")
	entries := []Entry{{d, 1}, {d, 17}}
	WriteSplit(sp, entries)
	if got, err := ReadSplit(sp); err != nil || !slices.Equal(got, entries) {
		t.Errorf("split %v %v", got, err)
	}
	os.WriteFile(sp, []byte("2025_01_01/x 3 r\n"), 0o644)
	if _, err := ReadSplit(sp); err == nil || !strings.Contains(err.Error(), sp+":1") {
		t.Errorf("right camera: %v", err)
	}
}
