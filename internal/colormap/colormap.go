package colormap

import (
	"image"
	"image/color"
	"math"
)

// magma approximates matplotlib's magma colour map by control points.
var magma = [][3]float64{{0, 0, 4}, {28, 16, 68}, {79, 18, 123}, {129, 37, 129}, {181, 54, 122}, {229, 80, 100}, {251, 135, 97}, {254, 194, 135}, {252, 253, 191}}

// Magma maps t in [0, 1] to a colour.
func Magma(t float64) color.RGBA {
	t = math.Max(0, math.Min(1, t)) * float64(len(magma)-1)
	i := min(int(t), len(magma)-2)
	f := t - float64(i)
	var c [3]uint8
	for k := range 3 {
		c[k] = uint8(math.Round(magma[i][k] + f*(magma[i+1][k]-magma[i][k])))
	}
	return color.RGBA{c[0], c[1], c[2], 255}
}

// Heat draws values (w×h) with the magma map between lo and hi; NaN and
// values ≤ 0 when skipZero is set are drawn black (no data).
func Heat(v []float32, w, h int, lo, hi float64, skipZero bool) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i, x := range v {
		c := color.RGBA{0, 0, 0, 255}
		if !(math.IsNaN(float64(x)) || (skipZero && x <= 0)) {
			c = Magma((float64(x) - lo) / math.Max(hi-lo, 1e-12))
		}
		img.SetRGBA(i%w, i/w, c)
	}
	return img
}
