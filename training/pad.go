package training

import "github.com/sugarme/gotch/ts"

// ReflectPad1 pads the last two dimensions by one pixel, mirroring the
// border (PyTorch's ReflectionPad2d(1)). It is built from slices and
// concatenation because libtorch 1.13's CPU reflection_pad2d is serial and
// unvectorised: at 8×3×96×256 it took ~7 ms against ~1 ms for this, and the
// loss pads dozens of such tensors per step. Needs H, W ≥ 2.
func ReflectPad1(s *Scope, x *ts.Tensor) *ts.Tensor {
	size := x.MustSize()
	h, w := size[2], size[3]
	x = catEdges(s, x, 3, w)
	return catEdges(s, x, 2, h)
}

// catEdges wraps x along dim (of length n) with its second and
// second-to-last slices.
func catEdges(s *Scope, x *ts.Tensor, dim, n int64) *ts.Tensor {
	lo := s.T(x.MustNarrow(dim, 1, 1, false))
	hi := s.T(x.MustNarrow(dim, n-2, 1, false))
	return s.T(ts.MustCat([]ts.Tensor{*lo, *x, *hi}, dim))
}

// Box3 is the 3×3 mean over the valid region of a padded tensor
// [B,C,H+2,W+2] → [B,C,H,W], as two separable sums of shifted views
// (libtorch 1.13's CPU avg_pool2d is several times slower).
func Box3(s *Scope, p *ts.Tensor) *ts.Tensor {
	size := p.MustSize()
	h, w := size[2]-2, size[3]-2
	return s.T(sum3(s, sum3(s, p, 3, w), 2, h).MustMulScalar(s.F(1.0/9), false))
}

// sum3 adds the three shifts of x along dim, each of length n.
func sum3(s *Scope, x *ts.Tensor, dim, n int64) *ts.Tensor {
	at := func(i int64) *ts.Tensor { return s.T(x.MustNarrow(dim, i, n, false)) }
	return s.T(s.T(at(0).MustAdd(at(1), false)).MustAdd(at(2), false))
}
