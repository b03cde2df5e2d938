package camera

import (
	"math"
	"testing"
)

func TestDistortUndistortRoundTrip(t *testing.T) {
	f := File{Width: 640, Height: 480, Fx: 600, Fy: 590, Cx: 330.5, Cy: 235.25, Distortion: []float64{-0.12, 0.05, 0.001, -0.0008, 0.01}}
	worst := 0.0
	for v := 0.0; v <= 480; v += 40 {
		for u := 0.0; u <= 640; u += 40 {
			x, y := f.Undistort((u-f.Cx)/f.Fx, (v-f.Cy)/f.Fy)
			xd, yd := f.Distort(x, y)
			worst = math.Max(worst, math.Hypot(f.Fx*xd+f.Cx-u, f.Fy*yd+f.Cy-v))
		}
	}
	if worst > 1e-6 {
		t.Errorf("distort(undistort(pixel)) is off by up to %g px", worst)
	}
	// Barrel distortion (k1 < 0) pulls the corners in: undistorting moves
	// a corner pixel outwards.
	if u, v := f.UndistortPixel(0, 0); !(u < 0 && v < 0) {
		t.Errorf("corner (0,0) undistorts to (%g, %g), want further out", u, v)
	}
	if u, v := f.UndistortPixel(f.Cx, f.Cy); math.Abs(u-f.Cx) > 1e-12 || math.Abs(v-f.Cy) > 1e-12 {
		t.Errorf("principal point moved to (%g, %g)", u, v)
	}
	plain := File{Width: 64, Height: 32, Fx: 50, Fy: 50, Cx: 32, Cy: 16, Distortion: []float64{0, 0, 0, 0}}
	if plain.HasDistortion() || !f.HasDistortion() || f.Coeffs()[4] != 0.01 {
		t.Errorf("HasDistortion/Coeffs wrong")
	}
	if x, y := plain.Distort(0.3, -0.2); x != 0.3 || y != -0.2 {
		t.Errorf("no distortion moved a point to %g %g", x, y)
	}
}
