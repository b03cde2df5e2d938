package training

import (
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// PoseNet predicts the relative camera motion between two frames: a ResNet
// encoder on the 6-channel pair, then Monodepth2's pose decoder (1×1
// squeeze, two 3×3 convs, a 1×1 to 6 values, spatial mean, ×0.01).
type PoseNet struct {
	Encoder *Encoder
	squeeze *nn.Conv2D
	pose    [3]*nn.Conv2D
	// TranslationScale multiplies the raw translation (Monodepth2: 0.01,
	// like the rotation). Adam moves the head's weights by about the
	// learning rate per step, so this sets how fast the predicted motion
	// can grow; it must suit the depth scale the depth net starts at.
	TranslationScale float64
}

// NewPoseNet builds the pose network under p ("encoder.*", "decoder.*").
func NewPoseNet(p *nn.Path, spec EncoderSpec) (*PoseNet, error) {
	spec.Inputs = 6
	enc, err := NewEncoder(p.Sub("encoder"), spec)
	if err != nil {
		return nil, err
	}
	dp := p.Sub("decoder")
	hidden := spec.scaled(256)
	return &PoseNet{
		Encoder:          enc,
		TranslationScale: 0.01,
		squeeze:          conv(dp.Sub("squeeze"), enc.Channels[4], hidden, 1, 1, 0, true),
		pose: [3]*nn.Conv2D{
			conv(dp.Sub("pose_0"), hidden, hidden, 3, 1, 1, true),
			conv(dp.Sub("pose_1"), hidden, hidden, 3, 1, 1, true),
			zeroConv(dp.Sub("pose_2"), hidden, 6),
		},
	}, nil
}

// zeroConv is a 1×1 convolution that starts at zero, so the pose head
// starts at exactly no motion. With Monodepth2's random start every sample
// gets the same spurious motion at first, which the depth net can only
// explain with a lopsided depth map.
func zeroConv(p *nn.Path, in, out int64) *nn.Conv2D {
	cfg := nn.DefaultConv2DConfig()
	cfg.WsInit, cfg.BsInit = nn.NewConstInit(0), nn.NewConstInit(0)
	return nn.NewConv2D(p, in, out, 1, cfg)
}

// Forward takes two images [B,3,H,W] in temporal order and returns the
// axis-angle rotation and translation [B,3] each, of the motion from the
// first to the second camera as Monodepth2 parameterises it.
func (p *PoseNet) Forward(s *Scope, a, b *ts.Tensor, train bool) (axisangle, translation *ts.Tensor) {
	pair := s.T(ts.MustCat([]ts.Tensor{*a, *b}, 1))
	feats := p.Encoder.Forward(s, pair, train)
	x := s.T(s.T(p.squeeze.Forward(feats[4])).MustRelu(false))
	x = s.T(s.T(p.pose[0].Forward(x)).MustRelu(false))
	x = s.T(s.T(p.pose[1].Forward(x)).MustRelu(false))
	x = s.T(p.pose[2].Forward(x))
	out := s.T(x.MustMeanDim([]int64{2, 3}, false, Float, false))
	rot := s.T(s.T(out.MustNarrow(1, 0, 3, false)).MustMulScalar(s.F(0.01), false))
	tr := s.T(s.T(out.MustNarrow(1, 3, 3, false)).MustMulScalar(s.F(p.TranslationScale), false))
	return rot, tr
}

// InitForwardMotion sets the head's bias so that the untrained net
// predicts a straight forward motion of v per frame (translation
// (0, 0, −v) from the first camera to the second; +z is forward). With
// the depth net started at a metric-like depth (model.init_depth), the
// very first warps are then roughly right and the photometric loss can
// shape depth from step one, instead of first collapsing to "everything
// far, no motion" while the pose net finds the motion from scratch.
func (p *PoseNet) InitForwardMotion(s *Scope, v float64) {
	noGrad(func() {
		b := p.pose[2].Bs
		bias := make([]float32, 6)
		bias[5] = float32(-v / p.TranslationScale)
		b.Copy_(s.T(ts.MustOfSlice(bias)))
	})
}
