package training

import (
	"fmt"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// Encoder is a ResNet-18 or ResNet-50 feature extractor with a channel
// multiplier. Parameter names follow torchvision (conv1, bn1, layer1.0.conv1,
// …), so an ImageNet state dict loads into it at width 1.
type Encoder struct {
	conv1  *nn.Conv2D
	bn1    *nn.BatchNorm
	layers [4][]block
	// Channels are the widths of the five feature maps (H/2 … H/32).
	Channels [5]int64
}

type block interface {
	forward(s *Scope, x *ts.Tensor, train bool) *ts.Tensor
}

// EncoderSpec says which ResNet to build.
type EncoderSpec struct {
	Depth  int     // 18 or 50
	Width  float64 // channel multiplier in (0, 1]
	Inputs int64   // input channels: 3 for the depth net, 6 for a frame pair
}

func (e EncoderSpec) scaled(c int64) int64 {
	v := int64(float64(c)*e.Width + 0.5)
	if v < 4 {
		v = 4
	}
	return v
}

// NewEncoder builds the encoder under p.
func NewEncoder(p *nn.Path, spec EncoderSpec) (*Encoder, error) {
	if spec.Width <= 0 || spec.Width > 1 {
		return nil, fmt.Errorf("encoder width %g: want (0, 1]", spec.Width)
	}
	var counts [4]int
	bottleneck := false
	switch spec.Depth {
	case 18:
		counts = [4]int{2, 2, 2, 2}
	case 50:
		counts, bottleneck = [4]int{3, 4, 6, 3}, true
	default:
		return nil, fmt.Errorf("encoder resnet%d: want resnet18 or resnet50", spec.Depth)
	}
	stem := spec.scaled(64)
	e := &Encoder{
		conv1: conv(p.Sub("conv1"), spec.Inputs, stem, 7, 2, 3, false),
		bn1:   batchNorm(p.Sub("bn1"), stem),
	}
	e.Channels[0] = stem
	in := stem
	for i := range 4 {
		planes := spec.scaled(64 << i)
		stride := int64(2)
		if i == 0 {
			stride = 1
		}
		lp := p.Sub(fmt.Sprintf("layer%d", i+1))
		for j := 0; j < counts[i]; j++ {
			bp := lp.Sub(fmt.Sprint(j))
			s := int64(1)
			if j == 0 {
				s = stride
			}
			var b block
			if bottleneck {
				b, in = newBottleneck(bp, in, planes, s), planes*4
			} else {
				b, in = newBasic(bp, in, planes, s), planes
			}
			e.layers[i] = append(e.layers[i], b)
		}
		e.Channels[i+1] = in
	}
	return e, nil
}

// Forward returns the five feature maps, finest first. The input is an
// image in [0, 1]; it is normalised the Monodepth2 way, (x − 0.45) / 0.225.
func (e *Encoder) Forward(s *Scope, img *ts.Tensor, train bool) [5]*ts.Tensor {
	var feats [5]*ts.Tensor
	x := s.T(img.MustSubScalar(s.F(0.45), false))
	x = s.T(x.MustDivScalar(s.F(0.225), false))
	x = s.T(e.conv1.Forward(x))
	x = s.T(e.bn1.ForwardT(x, train))
	feats[0] = s.T(x.MustRelu(false))
	x = s.T(feats[0].MustMaxPool2d([]int64{3, 3}, []int64{2, 2}, []int64{1, 1}, []int64{1, 1}, false, false))
	for i, layer := range e.layers {
		for _, b := range layer {
			x = b.forward(s, x, train)
		}
		feats[i+1] = x
	}
	return feats
}

// basic is ResNet-18's two-conv residual block.
type basic struct {
	conv1, conv2 *nn.Conv2D
	bn1, bn2     *nn.BatchNorm
	down         *downsample
}

func newBasic(p *nn.Path, in, planes, stride int64) *basic {
	return &basic{
		conv1: conv(p.Sub("conv1"), in, planes, 3, stride, 1, false),
		bn1:   batchNorm(p.Sub("bn1"), planes),
		conv2: conv(p.Sub("conv2"), planes, planes, 3, 1, 1, false),
		bn2:   batchNorm(p.Sub("bn2"), planes),
		down:  newDownsample(p, in, planes, stride),
	}
}

func (b *basic) forward(s *Scope, x *ts.Tensor, train bool) *ts.Tensor {
	y := s.T(b.bn1.ForwardT(s.T(b.conv1.Forward(x)), train))
	y = s.T(y.MustRelu(false))
	y = s.T(b.bn2.ForwardT(s.T(b.conv2.Forward(y)), train))
	return s.T(s.T(y.MustAdd(b.down.forward(s, x, train), false)).MustRelu(false))
}

// bottleneck is ResNet-50's 1×1 → 3×3 → 1×1 block with expansion 4.
type bottleneck struct {
	conv1, conv2, conv3 *nn.Conv2D
	bn1, bn2, bn3       *nn.BatchNorm
	down                *downsample
}

func newBottleneck(p *nn.Path, in, planes, stride int64) *bottleneck {
	return &bottleneck{
		conv1: conv(p.Sub("conv1"), in, planes, 1, 1, 0, false),
		bn1:   batchNorm(p.Sub("bn1"), planes),
		conv2: conv(p.Sub("conv2"), planes, planes, 3, stride, 1, false),
		bn2:   batchNorm(p.Sub("bn2"), planes),
		conv3: conv(p.Sub("conv3"), planes, planes*4, 1, 1, 0, false),
		bn3:   batchNorm(p.Sub("bn3"), planes*4),
		down:  newDownsample(p, in, planes*4, stride),
	}
}

func (b *bottleneck) forward(s *Scope, x *ts.Tensor, train bool) *ts.Tensor {
	y := s.T(s.T(b.bn1.ForwardT(s.T(b.conv1.Forward(x)), train)).MustRelu(false))
	y = s.T(s.T(b.bn2.ForwardT(s.T(b.conv2.Forward(y)), train)).MustRelu(false))
	y = s.T(b.bn3.ForwardT(s.T(b.conv3.Forward(y)), train))
	return s.T(s.T(y.MustAdd(b.down.forward(s, x, train), false)).MustRelu(false))
}

// downsample is the 1×1 projection on a residual path whose shape changes;
// nil when the identity fits.
type downsample struct {
	conv *nn.Conv2D
	bn   *nn.BatchNorm
}

func newDownsample(p *nn.Path, in, out, stride int64) *downsample {
	if in == out && stride == 1 {
		return nil
	}
	dp := p.Sub("downsample")
	return &downsample{conv: conv(dp.Sub("0"), in, out, 1, stride, 0, false), bn: batchNorm(dp.Sub("1"), out)}
}

func (d *downsample) forward(s *Scope, x *ts.Tensor, train bool) *ts.Tensor {
	if d == nil {
		return x
	}
	return s.T(d.bn.ForwardT(s.T(d.conv.Forward(x)), train))
}
