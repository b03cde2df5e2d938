package kitti

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/camera"
)

func TestCalibRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "calib_cam_to_cam.txt")
	want := camera.Intrinsics{Fx: 241.67123456789, Fy: 246.28, Cx: 204.17, Cy: 59.0, Width: 416, Height: 128}
	if err := WriteCalib(p, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCalib(p)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.Fx-want.Fx) > 1e-9 || math.Abs(got.Fy-want.Fy) > 1e-9 || math.Abs(got.Cx-want.Cx) > 1e-9 ||
		math.Abs(got.Cy-want.Cy) > 1e-9 || got.Width != want.Width || got.Height != want.Height {
		t.Errorf("read back %+v, wrote %+v", got, want)
	}
}

// A real KITTI file has many other keys, some not numeric.
const realCalib = `calib_time: 09-Jan-2012 13:57:47
corner_dist: 9.950000e-02
S_00: 1.392000e+03 5.120000e+02
K_00: 9.842439e+02 0.000000e+00 6.900000e+02 0.000000e+00 9.808141e+02 2.331966e+02 0.000000e+00 0.000000e+00 1.000000e+00
S_rect_00: 1.242000e+03 3.750000e+02
P_rect_00: 7.215377e+02 0.000000e+00 6.095593e+02 0.000000e+00 0.000000e+00 7.215377e+02 1.728540e+02 0.000000e+00 0.000000e+00 0.000000e+00 1.000000e+00 0.000000e+00
S_rect_02: 1.242000e+03 3.750000e+02
R_rect_02: 9.998817e-01 1.511453e-02 -2.841595e-03 -1.511724e-02 9.998853e-01 -9.338510e-04 2.827154e-03 9.766976e-04 9.999955e-01
P_rect_02: 7.215377e+02 0.000000e+00 6.095593e+02 4.485728e+01 0.000000e+00 7.215377e+02 1.728540e+02 2.163791e-01 0.000000e+00 0.000000e+00 1.000000e+00 2.745884e-03
S_rect_03: 1.242000e+03 3.750000e+02
P_rect_03: 7.215377e+02 0.000000e+00 6.095593e+02 -3.395242e+02 0.000000e+00 7.215377e+02 1.728540e+02 2.199936e+00 0.000000e+00 0.000000e+00 1.000000e+00 2.729905e-03
`

func TestCalibReadsRealKITTIAndScales(t *testing.T) {
	p := filepath.Join(t.TempDir(), "calib_cam_to_cam.txt")
	os.WriteFile(p, []byte(realCalib), 0o644)
	got, err := ReadCalib(p)
	if err != nil {
		t.Fatal(err)
	}
	want := camera.Intrinsics{Fx: 721.5377, Fy: 721.5377, Cx: 609.5593, Cy: 172.854, Width: 1242, Height: 375}
	if got != want {
		t.Errorf("real KITTI calib: %+v, want %+v", got, want)
	}
	s := got.Scale(416, 128)
	if math.Abs(s.Fx-721.5377*416/1242) > 1e-9 || math.Abs(s.Cy-172.854*128/375) > 1e-9 {
		t.Errorf("scaled K %+v", s)
	}
}

func TestCalibErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"short.txt":   "S_rect_02: 416 128\nP_rect_02: 1 2 3\n",
		"missing.txt": "calib_time: x\nP_rect_00: 1 0 0 0 0 1 0 0 0 0 1 0\n",
		"nan.txt":     "S_rect_02: 416 128\nP_rect_02: 7 0 2 0 0 7 1 0 0 0 1 zero\n",
		"dup.txt":     "S_rect_02: 416 128\nS_rect_02: 416 128\n",
		"size.txt":    "S_rect_02: 416.5 128\nP_rect_02: 7 0 2 0 0 7 1 0 0 0 1 0\n",
		"focal.txt":   "S_rect_02: 416 128\nP_rect_02: 0 0 2 0 0 7 1 0 0 0 1 0\n",
	}
	for name, text := range cases {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		if _, err := ReadCalib(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: got %v, want an error naming the file", name, err)
		}
	}
	if _, err := ReadCalib(filepath.Join(dir, "absent.txt")); err == nil || !strings.Contains(err.Error(), "absent.txt") {
		t.Errorf("absent file: %v", err)
	}
}
