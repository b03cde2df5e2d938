package training

import (
	"github.com/sugarme/gotch/ts"
)

// LossWeights are the self-supervised loss settings.
type LossWeights struct {
	SSIM       float64 // α in α·SSIM + (1−α)·L1
	Smoothness float64 // weight at scale 0, divided by 2^scale
	AutoMask   bool
	// Pyramid takes scale sc's photometric loss on the images downsampled
	// 2^sc times (train.multiscale: pyramid) instead of on the disparity
	// upsampled to full size (Monodepth2).
	Pyramid bool
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
	var total, photoSum, smoothSum, ceSum *ts.Tensor
	distilling := m.Translator != nil && b.Labels != nil
	var masked float64
	levels := make([]*level, len(disps)) // pyramid levels in use, made once
	for sc, disp := range disps {
		var full *ts.Tensor
		if !lw.Pyramid || sc == 0 || distilling && sc < m.Translator.Scales {
			full = s.T(disp.MustUpsampleBilinear2d(size, false, nil, nil, false))
		}
		lvl := 0
		if lw.Pyramid {
			lvl = sc
		}
		if levels[lvl] == nil {
			levels[lvl] = newLevel(s, b, w, lw, lvl)
		}
		photo, mask := m.photometric(s, levels[lvl], lw, poses, full, disp)
		if sc == 0 && mask != nil {
			masked = 1 - s.T(s.T(mask.MustTotype(Float, false)).MustMean(Float, false)).Float64Values()[0]
		}
		small := s.T(b.Loss[1].MustUpsampleBilinear2d(disp.MustSize()[2:], false, nil, nil, false))
		smooth := s.T(Smoothness(s, disp, small).MustMulScalar(s.F(lw.Smoothness/float64(int(1)<<sc)), false))
		term := s.T(photo.MustAdd(smooth, false))
		total, photoSum, smoothSum = add(s, total, term), add(s, photoSum, photo), add(s, smoothSum, smooth)
		if distilling && sc < m.Translator.Scales {
			ceSum = add(s, ceSum, m.Translator.Loss(s, full, b.Labels, b.Valid))
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
		total = s.T(total.MustAdd(s.T(ce.MustMulScalar(s.F(m.Translator.Weight), false)), false))
	}
	l.Total = total.Float64Values()[0]
	return total, disps, l
}

// level is one level of the image pyramid for a batch: the loss frames
// averaged down 2^n times, the intrinsics at that size, its warper, and
// the identity errors that auto-masking compares (nil without it).
type level struct {
	n        int
	frames   [3]*ts.Tensor
	K, invK  *ts.Tensor
	warper   *Warper
	identity []*ts.Tensor
	noise    []*ts.Tensor // the batch's tie-breaking noise at this size
}

func newLevel(s *Scope, b *Batch, w *Warper, lw LossWeights, n int) *level {
	l := &level{n: n, warper: w.Level(n)}
	for i, f := range b.Loss {
		l.frames[i] = Downsample(s, f, n)
	}
	l.K, l.invK = LevelIntrinsics(s, b.K, b.InvK, n)
	if lw.AutoMask {
		l.identity = []*ts.Tensor{Photometric(s, l.frames[0], l.frames[1], lw.SSIM), Photometric(s, l.frames[2], l.frames[1], lw.SSIM)}
	}
	for _, z := range b.TieNoise {
		l.noise = append(l.noise, Downsample(s, z, n)) // not the shared generator: see Batch.TieNoise
	}
	return l
}

// photometric is the minimum-reprojection loss of one decoder scale on
// pyramid level l (level 0 compares the disparity upsampled to full size,
// full; a coarser level the scale's own disparity, which is that level's
// size) and the auto-mask (nil without auto-masking).
func (m *Model) photometric(s *Scope, l *level, lw LossWeights, poses [2]*ts.Tensor, full, disp *ts.Tensor) (*ts.Tensor, *ts.Tensor) {
	if l.n == 0 {
		disp = full
	}
	_, depth := DispToDepth(s, disp, m.MinDepth, m.MaxDepth)
	reproj := make([]*ts.Tensor, 2)
	for i, src := range []int{0, 2} {
		warped := l.warper.Warp(s, l.frames[src], depth, l.K, l.invK, poses[i])
		reproj[i] = Photometric(s, warped, l.frames[1], lw.SSIM)
	}
	perPixel, mask := minReprojection(s, reproj, l.identity, l.noise)
	if l.identity == nil {
		mask = nil
	}
	return s.T(perPixel.MustMean(Float, false)), mask
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
