package training

import (
	"fmt"
	"math"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// DepthNet is the depth network: a ResNet encoder and the Monodepth2
// decoder, which upsamples with skip connections and predicts a sigmoid
// disparity at four scales (full, 1/2, 1/4, 1/8 resolution).
type DepthNet struct {
	Encoder  *Encoder
	upconv   [5][2]*ConvBlock // [level][0: before upsampling, 1: after the skip concat]
	dispconv [4]*Conv3x3      // the heads; for a segmentation net only [0], the logits
	Scales   int
	classes  int
}

// DepthNetSpec is the depth network's architecture.
type DepthNetSpec struct {
	Encoder EncoderSpec
	Padding Padding
	Scales  int // number of output scales used (1..4)
	// Classes > 0 makes the same encoder + decoder a segmentation network
	// (the built-in teacher, SegModel): one head at the finest scale,
	// "decoder.segconv_0", with Classes logit channels and no sigmoid.
	// Scales must then be 1.
	Classes int
}

// decoderChannels are Monodepth2's decoder widths, finest first.
var decoderChannels = [5]int64{16, 32, 64, 128, 256}

// NewDepthNet builds the depth network under p ("encoder.*", "decoder.*").
func NewDepthNet(p *nn.Path, spec DepthNetSpec) (*DepthNet, error) {
	if spec.Scales < 1 || spec.Scales > 4 {
		return nil, fmt.Errorf("depth net scales %d: want 1..4", spec.Scales)
	}
	if spec.Classes < 0 || (spec.Classes > 0 && spec.Scales != 1) {
		return nil, fmt.Errorf("segmentation net with %d classes at %d scales: want classes ≥ 1 at 1 scale", spec.Classes, spec.Scales)
	}
	spec.Encoder.Inputs = 3
	enc, err := NewEncoder(p.Sub("encoder"), spec.Encoder)
	if err != nil {
		return nil, err
	}
	d := &DepthNet{Encoder: enc, Scales: spec.Scales, classes: spec.Classes}
	dp := p.Sub("decoder")
	for i := 4; i >= 0; i-- {
		in := enc.Channels[4]
		if i < 4 {
			in = d.width(spec, i+1)
		}
		out := d.width(spec, i)
		d.upconv[i][0] = NewConvBlock(dp.Sub(fmt.Sprintf("upconv_%d_0", i)), in, out, spec.Padding)
		if i > 0 {
			in = out + enc.Channels[i-1]
		} else {
			in = out
		}
		d.upconv[i][1] = NewConvBlock(dp.Sub(fmt.Sprintf("upconv_%d_1", i)), in, out, spec.Padding)
	}
	if spec.Classes > 0 {
		d.dispconv[0] = NewConv3x3(dp.Sub("segconv_0"), d.width(spec, 0), int64(spec.Classes), spec.Padding)
		return d, nil
	}
	for sc := range 4 {
		d.dispconv[sc] = NewConv3x3(dp.Sub(fmt.Sprintf("dispconv_%d", sc)), d.width(spec, sc), 1, spec.Padding)
	}
	return d, nil
}

func (d *DepthNet) width(spec DepthNetSpec, level int) int64 {
	return spec.Encoder.scaled(decoderChannels[level])
}

// Forward returns sigmoid disparities for scales 0..Scales-1 (scale s has
// 1/2^s of the input resolution). Only scale 0 is needed at inference.
// A segmentation net (Classes > 0) returns its logits [B,Classes,H,W].
func (d *DepthNet) Forward(s *Scope, img *ts.Tensor, train bool) []*ts.Tensor {
	feats := d.Encoder.Forward(s, img, train)
	disps := make([]*ts.Tensor, d.Scales)
	x := feats[4]
	for i := 4; i >= 0; i-- {
		x = d.upconv[i][0].Forward(s, x)
		x = upsample2(s, x)
		if i > 0 {
			x = s.T(ts.MustCat([]ts.Tensor{*x, *feats[i-1]}, 1))
		}
		x = d.upconv[i][1].Forward(s, x)
		switch {
		case i < d.Scales && d.classes > 0:
			disps[i] = d.dispconv[i].Forward(s, x)
		case i < d.Scales:
			disps[i] = s.T(d.dispconv[i].Forward(s, x).MustSigmoid(false))
		}
	}
	return disps
}

// DispToDepth maps a sigmoid disparity to depth within [minDepth, maxDepth]:
// the disparity is scaled linearly into [1/maxDepth, 1/minDepth] and inverted.
// It returns the scaled disparity and the depth.
func DispToDepth(s *Scope, disp *ts.Tensor, minDepth, maxDepth float64) (scaled, depth *ts.Tensor) {
	minDisp, maxDisp := 1/maxDepth, 1/minDepth
	scaled = s.T(s.T(disp.MustMulScalar(s.F(maxDisp-minDisp), false)).MustAddScalar(s.F(minDisp), false))
	depth = s.T(scaled.MustReciprocal(false))
	return scaled, depth
}

// InitDepth sets every disparity head's bias so that the untrained net
// predicts depth d everywhere, instead of sigmoid(0) = 0.5 ≈ 2/maxDisp
// (0.2 m for the default 0.1..100 m range). Starting near the scene's
// typical depth saves the hundreds of Adam steps the bias would otherwise
// spend getting there, which a short CPU schedule cannot afford.
func (d *DepthNet) InitDepth(s *Scope, depth, minDepth, maxDepth float64) {
	if d.classes > 0 {
		return // a segmentation net has no disparity head
	}
	minDisp, maxDisp := 1/maxDepth, 1/minDepth
	p := (1/depth - minDisp) / (maxDisp - minDisp)
	logit := math.Log(p / (1 - p))
	noGrad(func() {
		for _, c := range d.dispconv {
			b := c.conv.Bs
			b.Copy_(s.T(s.T(b.MustOnesLike(false)).MustMulScalar(s.F(logit), false)))
		}
	})
}
