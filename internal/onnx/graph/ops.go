package onnxgraph

import "github.com/xdistill/edge-depth/internal/onnx/pb"

// Typed helpers for the operators the exporter and the calibrator emit.
// They spell out the attributes TensorRT and the checker care about, so
// every caller writes them the same way. Anything else: Op or Node.

// Conv is a 2-D convolution with a square kernel, equal strides and the
// same padding on every side (ResNet and Monodepth2 need no more); b may
// be "" for no bias.
func (m *Model) Conv(x, w, b string, kernel, stride, pad int64) string {
	in := []string{x, w}
	if b != "" {
		in = append(in, b)
	}
	return m.Op("Conv", in,
		Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride),
		Ints("pads", pad, pad, pad, pad), Ints("dilations", 1, 1), Int("group", 1))
}

// MaxPool is 2-D max pooling with a square window.
func (m *Model) MaxPool(x string, kernel, stride, pad int64) string {
	return m.Op("MaxPool", []string{x},
		Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride), Ints("pads", pad, pad, pad, pad))
}

// Relu is max(x, 0).
func (m *Model) Relu(x string) string { return m.Op("Relu", []string{x}) }

// Elu is x for x > 0, alpha·(eˣ−1) otherwise.
func (m *Model) Elu(x string, alpha float32) string {
	return m.Op("Elu", []string{x}, Float("alpha", alpha))
}

// Sigmoid is 1/(1+e⁻ˣ).
func (m *Model) Sigmoid(x string) string { return m.Op("Sigmoid", []string{x}) }

// Add is a+b with NumPy broadcasting; Sub, Mul and Div likewise.
func (m *Model) Add(a, b string) string { return m.Op("Add", []string{a, b}) }

// Sub is a−b.
func (m *Model) Sub(a, b string) string { return m.Op("Sub", []string{a, b}) }

// Mul is a·b.
func (m *Model) Mul(a, b string) string { return m.Op("Mul", []string{a, b}) }

// Div is a/b.
func (m *Model) Div(a, b string) string { return m.Op("Div", []string{a, b}) }

// Concat joins xs along axis.
func (m *Model) Concat(axis int64, xs ...string) string {
	return m.Op("Concat", xs, Int("axis", axis))
}

// Cast converts x to the element type to (Float32, Uint8, …).
func (m *Model) Cast(x string, to int32) string {
	return m.Op("Cast", []string{x}, Int("to", int64(to)))
}

// Transpose permutes x's axes, e.g. perm 0,3,1,2 for NHWC → NCHW.
func (m *Model) Transpose(x string, perm ...int64) string {
	return m.Op("Transpose", []string{x}, Ints("perm", perm...))
}

// Pad modes accepted by Pad.
const (
	PadConstant = "constant" // zeros
	PadReflect  = "reflect"  // mirror without repeating the edge (Monodepth2)
	PadEdge     = "edge"     // repeat the edge
)

// Pad pads x by pads (ONNX order: all begins, then all ends, e.g. 0,0,1,1,
// 0,0,1,1 for one pixel around an NCHW image). Since opset 11 the pads are
// an input, not an attribute.
func (m *Model) Pad(x, mode string, pads ...int64) string {
	if mode != PadConstant && mode != PadReflect && mode != PadEdge {
		m.fail("Pad mode %q: want constant, reflect or edge", mode)
	}
	p := m.Int64Init("pads", []int64{int64(len(pads))}, pads)
	return m.Op("Pad", []string{x, p}, String("mode", mode))
}

// ResizeNearest upsamples the two spatial axes of an NCHW tensor by an
// integer factor with nearest neighbour, written as PyTorch's
// F.interpolate(scale_factor=f, mode="nearest") exports it (asymmetric,
// floor), which TensorRT implements exactly.
func (m *Model) ResizeNearest(x string, factor float32) string {
	scales := m.Float32Init("scales", []int64{4}, []float32{1, 1, factor, factor})
	return m.Op("Resize", []string{x, "", scales},
		String("mode", "nearest"),
		String("coordinate_transformation_mode", "asymmetric"),
		String("nearest_mode", "floor"))
}

// QuantizeLinear is saturate(round(x/scale) + zeroPoint); the zero point's
// type (Int8 or Uint8) is the result's. axis, when given, is the channel
// axis of a per-channel scale.
func (m *Model) QuantizeLinear(x, scale, zeroPoint string, axis ...int64) string {
	return m.Op("QuantizeLinear", []string{x, scale, zeroPoint}, axisAttr(axis)...)
}

// DequantizeLinear is (q − zeroPoint)·scale.
func (m *Model) DequantizeLinear(q, scale, zeroPoint string, axis ...int64) string {
	return m.Op("DequantizeLinear", []string{q, scale, zeroPoint}, axisAttr(axis)...)
}

func axisAttr(axis []int64) []*onnxpb.AttributeProto {
	if len(axis) == 0 {
		return nil
	}
	return []*onnxpb.AttributeProto{Int("axis", axis[0])}
}
