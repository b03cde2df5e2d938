package data

import (
	"math"
	"math/rand/v2"
)

// jitter is one draw of colour augmentation, applied identically to the
// three frames of a sample (they must stay photometrically consistent).
type jitter struct {
	on                               bool
	brightness, contrast, saturation float64
	hue                              float64 // fraction of a full turn
	order                            [4]int
}

func newJitter(r *rand.Rand, on bool) jitter {
	j := jitter{on: on}
	if !on {
		return j
	}
	j.brightness = 0.8 + 0.4*r.Float64()
	j.contrast = 0.8 + 0.4*r.Float64()
	j.saturation = 0.8 + 0.4*r.Float64()
	j.hue = -0.1 + 0.2*r.Float64()
	perm := r.Perm(4)
	copy(j.order[:], perm)
	return j
}

// apply writes the jittered CHW image src (n pixels per channel) to dst.
func (j jitter) apply(dst, src []float32, n int) {
	copy(dst, src)
	if !j.on {
		return
	}
	for _, op := range j.order {
		switch op {
		case 0:
			scale(dst, j.brightness)
		case 1:
			blend(dst, n, j.contrast, meanGray(dst, n))
		case 2:
			saturate(dst, n, j.saturation)
		case 3:
			rotateHue(dst, n, j.hue)
		}
	}
	for i, v := range dst {
		dst[i] = float32(math.Min(1, math.Max(0, float64(v))))
	}
}

func gray(r, g, b float32) float32 { return 0.299*r + 0.587*g + 0.114*b }

func scale(x []float32, f float64) {
	for i := range x {
		x[i] *= float32(f)
	}
}

func meanGray(x []float32, n int) float64 {
	var s float64
	for i := range n {
		s += float64(gray(x[i], x[n+i], x[2*n+i]))
	}
	return s / float64(n)
}

// blend moves every value towards m by factor f (f = 1 leaves it).
func blend(x []float32, n int, f, m float64) {
	for i := range x {
		x[i] = float32(m + f*(float64(x[i])-m))
	}
}

func saturate(x []float32, n int, f float64) {
	for i := range n {
		g := float64(gray(x[i], x[n+i], x[2*n+i]))
		for c := range 3 {
			x[c*n+i] = float32(g + f*(float64(x[c*n+i])-g))
		}
	}
}

// rotateHue turns the hue by a fraction of a turn via YIQ rotation, which
// keeps luma.
func rotateHue(x []float32, n int, turn float64) {
	cs, sn := math.Cos(2*math.Pi*turn), math.Sin(2*math.Pi*turn)
	for k := range n {
		r, g, b := float64(x[k]), float64(x[n+k]), float64(x[2*n+k])
		y := 0.299*r + 0.587*g + 0.114*b
		i := 0.596*r - 0.274*g - 0.322*b
		q := 0.211*r - 0.523*g + 0.312*b
		i, q = i*cs-q*sn, i*sn+q*cs
		x[k] = float32(y + 0.956*i + 0.621*q)
		x[n+k] = float32(y - 0.272*i - 0.647*q)
		x[2*n+k] = float32(y - 1.106*i + 1.703*q)
	}
}
