package colormap

import (
	"image/color"
	"math"
	"testing"
)

func TestMagmaEndsAndClamps(t *testing.T) {
	for _, c := range []struct {
		t    float64
		want color.RGBA
	}{{0, color.RGBA{0, 0, 4, 255}}, {-1, color.RGBA{0, 0, 4, 255}}, {1, color.RGBA{252, 253, 191, 255}}, {2, color.RGBA{252, 253, 191, 255}}} {
		if got := Magma(c.t); got != c.want {
			t.Errorf("Magma(%g) = %v, want %v", c.t, got, c.want)
		}
	}
}

func TestHeatDrawsNoDataBlack(t *testing.T) {
	img := Heat([]float32{float32(math.NaN()), 0, 1}, 3, 1, 0, 1, true)
	black := color.RGBA{0, 0, 0, 255}
	if img.RGBAAt(0, 0) != black || img.RGBAAt(1, 0) != black {
		t.Errorf("NaN and zero (skipZero) should be black: %v %v", img.RGBAAt(0, 0), img.RGBAAt(1, 0))
	}
	if img.RGBAAt(2, 0) != Magma(1) {
		t.Errorf("the top of the range: %v, want %v", img.RGBAAt(2, 0), Magma(1))
	}
}
