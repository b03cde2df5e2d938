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
	if math.Abs(s.Fx-721.5*416/1242) > 1e-9 || math.Abs(s.Fy-721.5*128/375) > 1e-9 ||
		math.Abs(s.Cx-609.6*416/1242) > 1e-9 || math.Abs(s.Cy-172.9*128/375) > 1e-9 || s.Width != 416 || s.Height != 128 {
		t.Errorf("scaled %+v", s)
	}
	if m := s.K(); m[0][0] != s.Fx || m[0][2] != s.Cx || m[1][1] != s.Fy || m[1][2] != s.Cy || m[2][2] != 1 || m[1][0] != 0 {
		t.Errorf("K %v", m)
	}
	u, v := s.Project(1, -0.5, 10)
	if math.Abs(u-(s.Fx*0.1+s.Cx)) > 1e-12 || math.Abs(v-(s.Cy-s.Fy*0.05)) > 1e-12 {
		t.Errorf("project gave %g %g", u, v)
	}
	x, y, z := s.Unproject(u, v, 10)
	if math.Abs(x-1) > 1e-12 || math.Abs(y+0.5) > 1e-12 || z != 10 {
		t.Errorf("round trip gave %g %g %g", x, y, z)
	}
	if back := s.Scale(1242, 375); math.Abs(back.Fx-k.Fx) > 1e-9 || math.Abs(back.Cy-k.Cy) > 1e-9 {
		t.Errorf("scale there and back: %+v", back)
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
	if err != nil || got.Fx != want.Fx || got.Cy != want.Cy || len(got.Distortion) != 5 || got.Distortion[4] != 0.01 || got.RMS != 0.3 {
		t.Fatalf("read back %+v, %v", got, err)
	}
	if got.Intrinsics() != (Intrinsics{Fx: 500, Fy: 502, Cx: 320, Cy: 240, Width: 640, Height: 480}) {
		t.Errorf("intrinsics %+v", got.Intrinsics())
	}
	// rms and distortion are optional.
	os.WriteFile(p, []byte("width: 64\nheight: 48\nfx: 50\nfy: 50\ncx: 32\ncy: 24\n"), 0o644)
	if got, err := Read(p); err != nil || got.RMS != 0 || got.Distortion != nil {
		t.Errorf("minimal file: %+v %v", got, err)
	}
}

func TestCameraYAMLErrorsNameKeyAndFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	cases := map[string][]string{
		"width: 640\nheight: 480\nfx: 500\nfy: 500\ncx: 1\ncy: 1\nfocal: 3\n":          {"focal"},
		"width: 640\nheight: 480\nfx: 0\nfy: 500\ncx: 1\ncy: 1\n":                      {"focal length"},
		"width: 640\nheight: 480\nfx: 5\nfy: 5\ncx: 1\ncy: 1\ndistortion: [1, 2, 3]\n": {"3 coefficients"},
		"":                {"empty"},
		"width: [1, 2]\n": {"line 1"},
		"height: 480\n":   {"image size"},
	}
	for text, parts := range cases {
		os.WriteFile(bad, []byte(text), 0o644)
		_, err := Read(bad)
		if err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: got %v, want an error naming the file", text, err)
			continue
		}
		for _, s := range parts {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%q: %q lacks %q", text, err, s)
			}
		}
	}
	if err := Write(bad, File{Width: 0, Height: 4, Fx: 1, Fy: 1}); err == nil {
		t.Error("writing a zero-width camera: want an error")
	}
}
