package camera

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScaleProjectUnproject(t *testing.T) {
	k := Intrinsics{Fx: 721.5, Fy: 721.5, Cx: 609.6, Cy: 172.9, Width: 1242, Height: 375}
	s := k.Scale(416, 128)
	if math.Abs(s.Fx-721.5*416/1242) > 1e-9 || math.Abs(s.Cy-172.9*128/375) > 1e-9 {
		t.Errorf("scaled %+v", s)
	}
	u, v := s.Project(1, -0.5, 10)
	x, y, z := s.Unproject(u, v, 10)
	if math.Abs(x-1) > 1e-12 || math.Abs(y+0.5) > 1e-12 || z != 10 {
		t.Errorf("round trip gave %g %g %g", x, y, z)
	}
}

func TestCameraYAML(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "camera.yaml")
	want := File{Width: 640, Height: 480, Fx: 500, Fy: 502, Cx: 320, Cy: 240, Distortion: []float64{0.1, -0.2, 0, 0, 0.01}, RMS: 0.3}
	if err := Write(p, want); err != nil {
		t.Fatal(err)
	}
	got, err := Read(p)
	if err != nil || got.Fx != want.Fx || len(got.Distortion) != 5 || got.RMS != 0.3 {
		t.Fatalf("read back %+v, %v", got, err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("width: 640\nheight: 480\nfx: 500\nfy: 500\ncx: 1\ncy: 1\nfocal: 3\n"), 0o644)
	if _, err := Read(bad); err == nil || !strings.Contains(err.Error(), "focal") || !strings.Contains(err.Error(), bad) {
		t.Errorf("unknown key: got %v", err)
	}
	os.WriteFile(bad, []byte("width: 640\nheight: 480\nfx: 0\nfy: 500\n"), 0o644)
	if _, err := Read(bad); err == nil {
		t.Error("zero focal length: want an error")
	}
}
