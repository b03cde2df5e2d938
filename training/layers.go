package training

import (
	"fmt"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// Padding is how 3×3 convolutions see past the image border.
type Padding int

const (
	// PadReflect mirrors the border, as Monodepth2 does; it avoids dark
	// rims in the predicted depth.
	PadReflect Padding = iota
	// PadZero pads with zeros, for TensorRT versions without reflect padding.
	PadZero
)

// ParsePadding reads the model.padding config value.
func ParsePadding(s string) (Padding, error) {
	switch s {
	case "reflect":
		return PadReflect, nil
	case "zero":
		return PadZero, nil
	}
	return PadReflect, fmt.Errorf("padding %q: want reflect or zero", s)
}

func (p Padding) String() string {
	if p == PadZero {
		return "zero"
	}
	return "reflect"
}

// conv is a plain convolution with explicit stride and zero padding, as
// in torchvision's ResNet; bias is optional.
func conv(p *nn.Path, in, out, k, stride, pad int64, bias bool) *nn.Conv2D {
	cfg := nn.DefaultConv2DConfig()
	cfg.Stride = []int64{stride, stride}
	cfg.Padding = []int64{pad, pad}
	cfg.Bias = bias
	cfg.WsInit = nn.NewKaimingUniformInit()
	return nn.NewConv2D(p, in, out, k, cfg)
}

// batchNorm starts with weight 1, bias 0 (torchvision's initialisation).
func batchNorm(p *nn.Path, c int64) *nn.BatchNorm {
	cfg := nn.DefaultBatchNormConfig()
	cfg.WsInit = nn.NewConstInit(1)
	return nn.BatchNorm2D(p, c, cfg)
}

// Conv3x3 is a 3×3, stride-1 convolution with bias and the chosen padding;
// the decoders' building block.
type Conv3x3 struct {
	conv *nn.Conv2D
	pad  Padding
}

// NewConv3x3 makes a Conv3x3 under p (weights at p.conv.weight/bias, the
// Monodepth2 naming).
func NewConv3x3(p *nn.Path, in, out int64, pad Padding) *Conv3x3 {
	zero := int64(0)
	if pad == PadZero {
		zero = 1
	}
	return &Conv3x3{conv: conv(p.Sub("conv"), in, out, 3, 1, zero, true), pad: pad}
}

// Forward applies the padding and the convolution.
func (c *Conv3x3) Forward(s *Scope, x *ts.Tensor) *ts.Tensor {
	if c.pad == PadReflect {
		x = ReflectPad1(s, x)
	}
	return s.T(c.conv.Forward(x))
}

// ConvBlock is Conv3x3 followed by ELU.
type ConvBlock struct{ c *Conv3x3 }

// NewConvBlock makes a ConvBlock under p.
func NewConvBlock(p *nn.Path, in, out int64, pad Padding) *ConvBlock {
	return &ConvBlock{c: NewConv3x3(p, in, out, pad)}
}

// Forward applies the block.
func (b *ConvBlock) Forward(s *Scope, x *ts.Tensor) *ts.Tensor {
	return s.T(b.c.Forward(s, x).MustElu(false))
}

// upsample2 doubles the spatial size by nearest-neighbour interpolation.
func upsample2(s *Scope, x *ts.Tensor) *ts.Tensor {
	size := x.MustSize()
	return s.T(x.MustUpsampleNearest2d([]int64{size[2] * 2, size[3] * 2}, nil, nil, false))
}
