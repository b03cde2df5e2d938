package training

import (
	"github.com/sugarme/gotch/ts"
)

// SSIM returns the per-pixel structural dissimilarity (1 − SSIM)/2 in
// [0, 1] of two images [B,C,H,W], with 3×3 mean pooling over a reflection
// padded border (Monodepth2's variant). The five local means (x, y, x², y²,
// xy) are pooled in one pass over a channel stack: pointwise products
// commute with reflection padding, and one pad + box filter over 5C
// channels costs half of five separate avg_pool2d calls, forward and
// backward.
func SSIM(s *Scope, x, y *ts.Tensor) *ts.Tensor {
	const c1, c2 = 0.01 * 0.01, 0.03 * 0.03
	mul := func(a, b *ts.Tensor) *ts.Tensor { return s.T(a.MustMul(b, false)) }
	stack := s.T(ts.MustCat([]ts.Tensor{*x, *y, *mul(x, x), *mul(y, y), *mul(x, y)}, 1))
	means := Box3(s, ReflectPad1(s, stack))
	// One chunk op, not five narrows: a narrow's gradient is a full-size
	// zero tensor each.
	chunks := means.MustChunk(5, 1, false)
	part := func(i int64) *ts.Tensor { return s.T(&chunks[i]) }
	muX, muY := part(0), part(1)
	muXX, muYY, muXY := mul(muX, muX), mul(muY, muY), mul(muX, muY)
	sigX := s.T(part(2).MustSub(muXX, false))
	sigY := s.T(part(3).MustSub(muYY, false))
	sigXY := s.T(part(4).MustSub(muXY, false))
	num := mul(s.T(s.T(muXY.MustMulScalar(s.F(2), false)).MustAddScalar(s.F(c1), false)),
		s.T(s.T(sigXY.MustMulScalar(s.F(2), false)).MustAddScalar(s.F(c2), false)))
	den := mul(s.T(s.T(muXX.MustAdd(muYY, false)).MustAddScalar(s.F(c1), false)),
		s.T(s.T(sigX.MustAdd(sigY, false)).MustAddScalar(s.F(c2), false)))
	d := s.T(s.T(s.T(num.MustDiv(den, false)).MustNeg(false)).MustAddScalar(s.F(1), false))
	return s.T(s.T(d.MustMulScalar(s.F(0.5), false)).MustClamp(s.F(0), s.F(1), false))
}

// Photometric is the reprojection error [B,1,H,W]:
// α·mean_c(SSIM) + (1 − α)·mean_c|pred − target|, α = 0.85 in Monodepth2.
func Photometric(s *Scope, pred, target *ts.Tensor, alpha float64) *ts.Tensor {
	l1 := s.T(s.T(s.T(pred.MustSub(target, false)).MustAbs(false)).MustMeanDim([]int64{1}, true, Float, false))
	if alpha == 0 {
		return l1
	}
	ssim := s.T(SSIM(s, pred, target).MustMeanDim([]int64{1}, true, Float, false))
	return s.T(s.T(ssim.MustMulScalar(s.F(alpha), false)).MustAdd(s.T(l1.MustMulScalar(s.F(1-alpha), false)), false))
}

// MinReprojection combines per-source reprojection errors [B,1,H,W] by the
// per-pixel minimum. With auto-masking, the errors of the unwarped sources
// (identity) join the minimum, plus tiny noise to break ties as Monodepth2
// does, so pixels that look the same without any motion (static scenes,
// objects moving with the camera) select an identity error and give the
// networks no gradient. It returns the per-pixel loss and the mask of
// pixels where a warped source won.
func MinReprojection(s *Scope, reproj, identity []*ts.Tensor) (loss, mask *ts.Tensor) {
	return minReprojection(s, reproj, identity, nil)
}

// minReprojection is MinReprojection with the tie-breaking noise given
// (standard normal, one per identity error) instead of drawn, or nil to
// draw it from libtorch's generator.
func minReprojection(s *Scope, reproj, identity []*ts.Tensor, tieNoise []*ts.Tensor) (loss, mask *ts.Tensor) {
	all := make([]ts.Tensor, 0, len(reproj)+len(identity))
	for i, id := range identity {
		var z *ts.Tensor
		if tieNoise != nil {
			z = tieNoise[i]
		} else {
			z = s.T(id.MustRandnLike(false))
		}
		noise := s.T(z.MustMulScalar(s.F(1e-5), false))
		all = append(all, *s.T(id.MustAdd(noise, false)))
	}
	for _, r := range reproj {
		all = append(all, *r)
	}
	stacked := s.T(ts.MustCat(all, 1))
	minv, idx := stacked.MustMinDim(1, true, false)
	s.T(minv)
	s.T(idx)
	mask = s.T(idx.MustGe(s.F(float64(len(identity))), false))
	return minv, mask
}

// Smoothness is the edge-aware smoothness of a disparity [B,1,H,W] against
// its image [B,3,H,W]: |∂disp| weighted by exp(−mean_c|∂img|), on the
// disparity divided by its mean (so the loss does not favour shrinking it).
func Smoothness(s *Scope, disp, img *ts.Tensor) *ts.Tensor {
	mean := s.T(disp.MustMeanDim([]int64{2, 3}, true, Float, false))
	d := s.T(disp.MustDiv(s.T(mean.MustAddScalar(s.F(1e-7), false)), false))
	var terms [2]*ts.Tensor
	for i, dim := range []int64{3, 2} {
		gd := s.T(diff(s, d, dim).MustAbs(false))
		gi := s.T(s.T(diff(s, img, dim).MustAbs(false)).MustMeanDim([]int64{1}, true, Float, false))
		w := s.T(s.T(gi.MustNeg(false)).MustExp(false))
		terms[i] = s.T(s.T(gd.MustMul(w, false)).MustMean(Float, false))
	}
	return s.T(terms[0].MustAdd(terms[1], false))
}

// diff is x[i] − x[i+1] along dim.
func diff(s *Scope, x *ts.Tensor, dim int64) *ts.Tensor {
	n := x.MustSize()[dim]
	return s.T(s.T(x.MustNarrow(dim, 0, n-1, false)).MustSub(s.T(x.MustNarrow(dim, 1, n-1, false)), false))
}
