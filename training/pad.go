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
// [B,C,H+2,W+2] → [B,C,H,W], as a depthwise convolution with a constant
// kernel. libtorch 1.13's CPU avg_pool2d is several times slower, and sums
// of shifted slices are slow backwards: each slice's gradient is a fresh
// full-size zero tensor (measured forward+backward at 8×15×96×256, one
// thread: slices 223–326 ms, this 76–118 ms).
func Box3(s *Scope, p *ts.Tensor) *ts.Tensor {
	c := p.MustSize()[1]
	dev := p.MustDevice()
	w := s.T(ts.MustFull([]int64{c, 1, 3, 3}, s.F(1.0/9), Float, dev))
	bias := s.T(ts.MustZeros([]int64{c}, Float, dev))
	return s.T(ts.MustConv2d(p, w, bias, []int64{1, 1}, []int64{0, 0}, []int64{1, 1}, c))
}
