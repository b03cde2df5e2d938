package training

import (
	"github.com/sugarme/gotch/ts"
)

// Batch is one training batch of frame triplets (t−1, t, t+1).
type Batch struct {
	// Net are the frames the networks see (colour-jittered); Loss are the
	// same frames without jitter, which the photometric loss compares, as
	// in Monodepth2. Both [B,3,H,W] in [0, 1], index 0 = t−1, 1 = t, 2 = t+1.
	Net, Loss [3]*ts.Tensor
	K, InvK   *ts.Tensor // [B,4,4] intrinsics at the training size
	// GTPose, when set, are the true target→source transforms (t−1, t+1);
	// Forward then uses them instead of the pose network.
	GTPose [2]*ts.Tensor
	// Labels are the teacher's grouped labels of the target frame [B,H,W]
	// (int64, distill.Ignore = none) when distilling; Valid counts the
	// labelled pixels.
	Labels *ts.Tensor
	Valid  int
	// TieNoise, when set, is the auto-mask's tie-breaking noise for the
	// two identity errors ([B,1,H,W] standard normal each), drawn by the
	// caller; nil draws it in Forward. Replicas running side by side get
	// it from the trainer so that no two threads share libtorch's
	// generator (whose order would then depend on timing).
	TieNoise []*ts.Tensor
}

// LossWeights are the self-supervised loss settings.
type LossWeights struct {
	SSIM       float64 // α in α·SSIM + (1−α)·L1
	Smoothness float64 // weight at scale 0, divided by 2^scale
	AutoMask   bool
}

// Losses are the scalar terms of one step (for logging).
type Losses struct {
	Total, Photometric, Smoothness float64
	Distill                        float64 // cross-entropy of the translator (before λ)
	MaskedFraction                 float64 // pixels auto-masking excluded
}

// Forward runs depth and pose nets on a batch and returns the total loss
// (a scalar tensor owned by s), the full-resolution disparity of the
// target at scale 0, and the loss terms.
func (m *Model) Forward(s *Scope, b *Batch, w *Warper, lw LossWeights, train bool) (*ts.Tensor, []*ts.Tensor, Losses) {
	disps := m.Depth.Forward(s, b.Net[1], train)
	poses := b.GTPose
	if poses[0] == nil {
		poses = m.poses(s, b, train)
	}
	size := []int64{w.H, w.W}
	target := b.Loss[1]
	var identity []*ts.Tensor
	if lw.AutoMask {
		identity = []*ts.Tensor{Photometric(s, b.Loss[0], target, lw.SSIM), Photometric(s, b.Loss[2], target, lw.SSIM)}
	}
	var total, photoSum, smoothSum, ceSum *ts.Tensor
	distilling := m.Translator != nil && b.Labels != nil
	var masked float64
	for sc, disp := range disps {
		full := s.T(disp.MustUpsampleBilinear2d(size, false, nil, nil, false))
		_, depth := DispToDepth(s, full, m.MinDepth, m.MaxDepth)
		reproj := make([]*ts.Tensor, 2)
		for i, src := range []int{0, 2} {
			warped := w.Warp(s, b.Loss[src], depth, b.K, b.InvK, poses[i])
			reproj[i] = Photometric(s, warped, target, lw.SSIM)
		}
		perPixel, mask := minReprojection(s, reproj, identity, b.TieNoise)
		photo := s.T(perPixel.MustMean(Float, false))
		if sc == 0 && lw.AutoMask {
			masked = 1 - s.T(s.T(mask.MustTotype(Float, false)).MustMean(Float, false)).Float64Values()[0]
		}
		small := s.T(target.MustUpsampleBilinear2d(disp.MustSize()[2:], false, nil, nil, false))
		smooth := s.T(Smoothness(s, disp, small).MustMulScalar(s.F(lw.Smoothness/float64(int(1)<<sc)), false))
		term := s.T(photo.MustAdd(smooth, false))
		total, photoSum, smoothSum = add(s, total, term), add(s, photoSum, photo), add(s, smoothSum, smooth)
		if distilling && sc < m.Translator.Scales {
			ceSum = add(s, ceSum, DistillLoss(s, m.Translator.Forward(s, full), b.Labels, b.Valid))
		}
	}
	n := s.F(float64(len(disps)))
	total = s.T(total.MustDivScalar(n, false))
	l := Losses{
		Photometric:    photoSum.Float64Values()[0] / float64(len(disps)),
		Smoothness:     smoothSum.Float64Values()[0] / float64(len(disps)),
		MaskedFraction: masked,
	}
	if distilling {
		ce := s.T(ceSum.MustDivScalar(s.F(float64(m.Translator.Scales)), false))
		l.Distill = ce.Float64Values()[0]
		total = s.T(total.MustAdd(s.T(ce.MustMulScalar(s.F(m.Translator.Lambda), false)), false))
	}
	l.Total = total.Float64Values()[0]
	return total, disps, l
}

// poses returns the transforms target→source for sources t−1 and t+1. The
// pose net always sees the pair in temporal order; for t−1 the predicted
// motion is inverted.
func (m *Model) poses(s *Scope, b *Batch, train bool) [2]*ts.Tensor {
	aa, tr := m.Pose.Forward(s, b.Net[0], b.Net[1], train)
	prev := PoseMatrix(s, aa, tr, true)
	aa, tr = m.Pose.Forward(s, b.Net[1], b.Net[2], train)
	next := PoseMatrix(s, aa, tr, false)
	return [2]*ts.Tensor{prev, next}
}

func add(s *Scope, acc, x *ts.Tensor) *ts.Tensor {
	if acc == nil {
		return x
	}
	return s.T(acc.MustAdd(x, false))
}
