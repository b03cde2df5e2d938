package teacher

import "math"

// axis is a precomputed 1-D bilinear resampling from in to out samples
// with half-pixel centres (PyTorch's align_corners=False, OpenCV's
// INTER_LINEAR): output i reads inputs i0[i] and i1[i] with weight l[i] on
// i1. Coordinates left of the first centre clamp to it, as PyTorch does.
type axis struct {
	in, out int
	i0, i1  []int32
	l       []float32
}

func newAxis(in, out int) *axis {
	a := &axis{in: in, out: out, i0: make([]int32, out), i1: make([]int32, out), l: make([]float32, out)}
	scale := float32(in) / float32(out)
	for i := range out {
		src := scale*(float32(i)+0.5) - 0.5
		if src < 0 {
			src = 0
		}
		i0 := int(src)
		i1 := i0
		if i0 < in-1 {
			i1 = i0 + 1
		}
		a.i0[i], a.i1[i], a.l[i] = int32(i0), int32(i1), src-float32(i0)
	}
	return a
}

// axisFor returns a cached axis for in→out, rebuilding it when the sizes
// change (frames of one dataset share a size, so this is built once).
func axisFor(cache **axis, in, out int) *axis {
	if *cache == nil || (*cache).in != in || (*cache).out != out {
		*cache = newAxis(in, out)
	}
	return *cache
}

// norm is the per-channel affine map from a 0..255 pixel value to the
// model's input: (p/255·scale − mean)/std = p·a + b.
type norm struct{ a, b [3]float32 }

func newNorm(s Settings) norm {
	var n norm
	for c := range 3 {
		n.a[c] = s.InputScale / (255 * s.Std[c])
		n.b[c] = -s.Mean[c] / s.Std[c]
	}
	return n
}

// preprocess resizes interleaved RGB (w×h) bilinearly to the model size
// (ax.out × ay.out) and writes it normalised, planar (CHW), into dst.
func preprocess(dst []float32, rgb []uint8, w int, ax, ay *axis, n norm) {
	W, H := ax.out, ay.out
	plane := W * H
	for y := range H {
		r0 := int(ay.i0[y]) * w * 3
		r1 := int(ay.i1[y]) * w * 3
		ly := ay.l[y]
		for x := range W {
			c0, c1, lx := int(ax.i0[x])*3, int(ax.i1[x])*3, ax.l[x]
			o := y*W + x
			for c := range 3 {
				top := (1-lx)*float32(rgb[r0+c0+c]) + lx*float32(rgb[r0+c1+c])
				bot := (1-lx)*float32(rgb[r1+c0+c]) + lx*float32(rgb[r1+c1+c])
				dst[c*plane+o] = ((1-ly)*top+ly*bot)*n.a[c] + n.b[c]
			}
		}
	}
}

// argmaxSame writes, per pixel of C×n logits, the trainId of the largest
// class (the first on an exact tie, as torch.argmax and numpy do). It
// walks the logits class by class, in memory order; best is scratch of n.
func argmaxSame(dst []uint8, logits []float32, classes int, ids []uint8, best []float32) {
	n := len(dst)
	copy(best, logits[:n])
	clear(dst) // class 0 for now
	for c := 1; c < classes; c++ {
		row := logits[c*n : (c+1)*n]
		for p, v := range row {
			if v > best[p] {
				best[p], dst[p] = v, uint8(c)
			}
		}
	}
	for p, c := range dst {
		dst[p] = ids[c]
	}
}

// argmaxUpsampled is argmaxSame for logits smaller (or larger) than dst:
// each class's logits are bilinearly interpolated at the model-input pixel
// (what torchvision's segmentation heads do before their argmax) and the
// largest taken. Interpolating logits, not labels, keeps class boundaries
// where the scores cross instead of on the coarse output grid.
func argmaxUpsampled(dst []uint8, logits []float32, classes, lw, lh int, ax, ay *axis, ids []uint8) {
	plane := lw * lh
	W := ax.out
	for y := range ay.out {
		r0, r1, ly := int(ay.i0[y])*lw, int(ay.i1[y])*lw, ay.l[y]
		for x := range W {
			c0, c1, lx := int(ax.i0[x]), int(ax.i1[x]), ax.l[x]
			best, bv := 0, float32(math.Inf(-1))
			for c := range classes {
				l := logits[c*plane:]
				v := (1-ly)*((1-lx)*l[r0+c0]+lx*l[r0+c1]) + ly*((1-lx)*l[r1+c0]+lx*l[r1+c1])
				if v > bv {
					best, bv = c, v
				}
			}
			dst[y*W+x] = ids[best]
		}
	}
}

// nearestIndex maps out samples to in by nearest neighbour with pixel
// centres, in exact integer arithmetic: floor((i+0.5)·in/out). The same
// rule as training's label resize, so labels line up with its frames.
func nearestIndex(in, out int) []int32 {
	idx := make([]int32, out)
	for i := range out {
		idx[i] = int32(min(in-1, (2*i+1)*in/(2*out)))
	}
	return idx
}

// nearest resizes a label map src (sw×sh) to dw×dh.
func nearest(src []uint8, sw, sh, dw, dh int) []uint8 {
	out := make([]uint8, dw*dh)
	if sw == dw && sh == dh {
		copy(out, src)
		return out
	}
	xs, ys := nearestIndex(sw, dw), nearestIndex(sh, dh)
	for y := range dh {
		row := src[int(ys[y])*sw:]
		o := out[y*dw : (y+1)*dw]
		for x := range dw {
			o[x] = row[xs[x]]
		}
	}
	return out
}
