package metrics

import "fmt"

// Resize resamples a row-major sw×sh map to dw×dh bilinearly with
// half-pixel centres, as OpenCV's INTER_LINEAR and PyTorch's
// interpolate(mode="bilinear", align_corners=False) do: Monodepth2 resizes
// predicted disparities to the ground-truth size this way. No antialiasing,
// matching both when downsampling.
func Resize(src []float32, sw, sh, dw, dh int) []float32 {
	checkSize("Resize", len(src), sw, sh, dw, dh)
	xs := linearTaps(sw, dw)
	ys := linearTaps(sh, dh)
	out := make([]float32, dw*dh)
	for y, ty := range ys {
		r0, r1 := src[ty.i0*sw:], src[ty.i1*sw:]
		for x, tx := range xs {
			top := float64(r0[tx.i0])*(1-tx.w) + float64(r0[tx.i1])*tx.w
			bot := float64(r1[tx.i0])*(1-tx.w) + float64(r1[tx.i1])*tx.w
			out[y*dw+x] = float32(top*(1-ty.w) + bot*ty.w)
		}
	}
	return out
}

// ResizeNearest resamples with OpenCV's INTER_NEAREST (and PyTorch's
// mode="nearest") rule, source index floor(dst·src/dst), in exact integer
// arithmetic. Monodepth2's Make3D evaluation resizes predictions this way.
func ResizeNearest(src []float32, sw, sh, dw, dh int) []float32 {
	checkSize("ResizeNearest", len(src), sw, sh, dw, dh)
	out := make([]float32, dw*dh)
	for y := 0; y < dh; y++ {
		row := src[(y*sh/dh)*sw:]
		for x := 0; x < dw; x++ {
			out[y*dw+x] = row[x*sw/dw]
		}
	}
	return out
}

// tap is one output coordinate's two source indices and the second's weight.
type tap struct {
	i0, i1 int
	w      float64
}

func linearTaps(n, m int) []tap {
	taps := make([]tap, m)
	scale := float64(n) / float64(m)
	for j := range taps {
		f := (float64(j)+0.5)*scale - 0.5
		if f < 0 {
			f = 0 // both libraries clamp the left edge to the first pixel
		}
		i0 := int(f)
		if i0 > n-1 {
			i0 = n - 1
		}
		taps[j] = tap{i0: i0, i1: min(i0+1, n-1), w: f - float64(i0)}
	}
	return taps
}

// checkSize panics on inconsistent sizes: they are programming errors, and
// a silent wrong-size map would corrupt every metric downstream.
func checkSize(fn string, n, sw, sh, dw, dh int) {
	if sw <= 0 || sh <= 0 || dw <= 0 || dh <= 0 || n != sw*sh {
		panic(fmt.Sprintf("metrics.%s: %d values for a %d×%d source, destination %d×%d", fn, n, sw, sh, dw, dh))
	}
}
