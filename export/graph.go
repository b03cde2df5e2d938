package export

import (
	"fmt"

	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
)

// Monodepth2's input normalisation, applied inside the encoder in training.
const (
	normMean = 0.45
	normStd  = 0.225
)

// graphSpec is what the graph looks like from outside.
type graphSpec struct {
	width, height int
	batch         int // 0 = dynamic
	preprocess    bool
	outputs       []string
	minDepth      float64
	maxDepth      float64
	reflectOp     string // ReflectSlice or ReflectPad
}

// builder writes the depth network into an ONNX model.
type builder struct {
	m    *onnxgraph.Model
	w    *weights
	spec netSpec
	// reflectOp says how reflect padding is written; the slice indices
	// are shared by every padded convolution.
	reflectOp string
	slices    map[string]string
}

// buildGraph writes encoder + decoder at the finest scale only; no pose
// net, translator or teacher.
func buildGraph(m *onnxgraph.Model, w *weights, g graphSpec) error {
	b := newBuilder(m, w, g)
	batch, h, wd := g.dims()
	disp := b.decoder(b.encoder(b.input(g)))
	out := []onnxgraph.Dim{batch, {Size: 1}, {Size: h}, {Size: wd}}
	m.Rename(disp, modelmeta.OutputDisparity)
	for _, name := range g.outputs {
		switch name {
		case modelmeta.OutputDisparity:
			m.Output(modelmeta.OutputDisparity, onnxgraph.Float32, out)
		case modelmeta.OutputDepth:
			m.Rename(b.depth(modelmeta.OutputDisparity, g.minDepth, g.maxDepth), modelmeta.OutputDepth)
			m.Output(modelmeta.OutputDepth, onnxgraph.Float32, out)
		}
	}
	if err := w.checkAllUsed(); err != nil {
		return err
	}
	return m.Err()
}

// buildSegGraph writes a segmentation net (the built-in teacher):
// float32 image [N,3,H,W] in [0,1] → encoder → decoder → logits
// [N,classes,H,W], the shapes package teacher takes.
func buildSegGraph(m *onnxgraph.Model, w *weights, g graphSpec) error {
	b := newBuilder(m, w, g)
	batch, h, wd := g.dims()
	m.Rename(b.segHead(b.encoder(b.input(g))), SegOutput)
	m.Output(SegOutput, onnxgraph.Float32, []onnxgraph.Dim{batch, {Size: w.spec.classes}, {Size: h}, {Size: wd}})
	if err := w.checkAllUsed(); err != nil {
		return err
	}
	return m.Err()
}

func newBuilder(m *onnxgraph.Model, w *weights, g graphSpec) *builder {
	return &builder{m: m, w: w, spec: w.spec, reflectOp: g.reflectOp, slices: map[string]string{}}
}

// dims are the batch (symbolic when dynamic), height and width.
func (g graphSpec) dims() (onnxgraph.Dim, int64, int64) {
	batch := onnxgraph.Dim{Size: int64(g.batch)}
	if g.batch == 0 {
		batch = onnxgraph.Sym("batch")
	}
	return batch, int64(g.height), int64(g.width)
}

// input declares the image input and returns it as float32 NCHW in [0,1].
func (b *builder) input(g graphSpec) string {
	m := b.m
	batch, h, wd := g.dims()
	if !g.preprocess {
		return m.Input(modelmeta.InputImage, onnxgraph.Float32, []onnxgraph.Dim{batch, {Size: 3}, {Size: h}, {Size: wd}})
	}
	in := m.Input(modelmeta.InputImage, onnxgraph.Uint8, []onnxgraph.Dim{batch, {Size: h}, {Size: wd}, {Size: 3}})
	x := m.Transpose(m.Cast(in, onnxgraph.Float32), 0, 3, 1, 2)
	return m.Div(x, b.scalar("u8_to_unit", 255))
}

// scalar is a float32 constant that broadcasts against anything.
func (b *builder) scalar(name string, v float32) string {
	return b.m.Float32Init(name, nil, []float32{v})
}

// encoder returns the five feature maps, finest first, exactly as
// training's Encoder.Forward: normalise, stem, max-pool, four layers.
func (b *builder) encoder(x string) [5]string {
	m, s := b.m, b.spec
	var feats [5]string
	x = m.Div(m.Sub(x, b.scalar("norm_mean", normMean)), b.scalar("norm_std", normStd))
	stem := s.scaled(64)
	x = m.Relu(b.convBN(x, "encoder.conv1", "encoder.bn1", stem, 3, 7, 2, 3))
	feats[0] = x
	// MaxPool's own pads (−∞), never a zero Pad in front: ONNX Runtime
	// folds such a Pad into the pool wrongly (docs/ONNX.md).
	x = m.MaxPool(x, 3, 2, 1)
	in := stem
	for i := range 4 {
		planes := s.scaled(64 << i)
		for j := range s.blocks[i] {
			stride := int64(1)
			if i > 0 && j == 0 {
				stride = 2
			}
			name := fmt.Sprintf("encoder.layer%d.%d", i+1, j)
			if s.bottleneck {
				x, in = b.bottleneck(x, name, in, planes, stride), planes*4
			} else {
				x, in = b.basic(x, name, in, planes, stride), planes
			}
		}
		feats[i+1] = x
	}
	return feats
}

// convBN is a bias-free convolution with its batch norm folded in.
func (b *builder) convBN(x, conv, bn string, out, in, k, stride, pad int64) string {
	wt, bias := b.w.convBN(conv, bn, out, in, k)
	wn := b.m.Float32Init(conv+".weight", []int64{out, in, k, k}, wt)
	bn2 := b.m.Float32Init(conv+".bias", []int64{out}, bias)
	return b.m.Conv(x, wn, bn2, k, stride, pad)
}

func (b *builder) basic(x, name string, in, planes, stride int64) string {
	m := b.m
	y := m.Relu(b.convBN(x, name+".conv1", name+".bn1", planes, in, 3, stride, 1))
	y = b.convBN(y, name+".conv2", name+".bn2", planes, planes, 3, 1, 1)
	return m.Relu(m.Add(y, b.shortcut(x, name, in, planes, stride)))
}

func (b *builder) bottleneck(x, name string, in, planes, stride int64) string {
	m := b.m
	y := m.Relu(b.convBN(x, name+".conv1", name+".bn1", planes, in, 1, 1, 0))
	y = m.Relu(b.convBN(y, name+".conv2", name+".bn2", planes, planes, 3, stride, 1))
	y = b.convBN(y, name+".conv3", name+".bn3", planes*4, planes, 1, 1, 0)
	return m.Relu(m.Add(y, b.shortcut(x, name, in, planes*4, stride)))
}

// shortcut is the residual path: identity, or a 1×1 projection where the
// shape changes.
func (b *builder) shortcut(x, name string, in, out, stride int64) string {
	if in == out && stride == 1 {
		return x
	}
	return b.convBN(x, name+".downsample.0", name+".downsample.1", out, in, 1, stride, 0)
}

// decoder is the Monodepth2 decoder up to the finest disparity, as
// training's DepthNet.Forward: conv block, ×2 nearest upsampling, skip
// concat, conv block, five times; then the sigmoid disparity head.
func (b *builder) decoder(feats [5]string) string {
	x, in := b.upsampler(feats)
	return b.m.Sigmoid(b.conv3x3(x, "decoder.dispconv_0", 1, in))
}

// segHead is a segmentation net's finest-scale head (DepthNetSpec.Classes
// in training): the same decoder, then raw logits.
func (b *builder) segHead(feats [5]string) string {
	x, in := b.upsampler(feats)
	return b.conv3x3(x, "decoder.segconv_0", b.spec.classes, in)
}

// upsampler is the decoder without a head: the full-resolution features
// and their channel count.
func (b *builder) upsampler(feats [5]string) (string, int64) {
	m, s := b.m, b.spec
	encCh := [5]int64{s.scaled(64)}
	for i := range 4 {
		encCh[i+1] = s.scaled(64 << i)
		if s.bottleneck {
			encCh[i+1] *= 4
		}
	}
	x, in := feats[4], encCh[4]
	for i := 4; i >= 0; i-- {
		out := s.scaled(decoderChannels[i])
		x = m.Elu(b.conv3x3(x, fmt.Sprintf("decoder.upconv_%d_0", i), out, in), 1)
		x = m.ResizeNearest(x, 2)
		in = out
		if i > 0 {
			x = m.Concat(1, x, feats[i-1])
			in = out + encCh[i-1]
		}
		x = m.Elu(b.conv3x3(x, fmt.Sprintf("decoder.upconv_%d_1", i), out, in), 1)
		in = out
	}
	return x, in
}

// conv3x3 is training's Conv3x3: a 3×3 convolution with bias after
// reflect padding, or with zero padding.
func (b *builder) conv3x3(x, name string, out, in int64) string {
	wt := b.w.get(name+".conv.weight", out, in, 3, 3)
	bias := b.w.get(name+".conv.bias", out)
	wn := b.m.Float32Init(name+".weight", []int64{out, in, 3, 3}, wt)
	bn := b.m.Float32Init(name+".bias", []int64{out}, bias)
	if b.spec.padding == "zero" {
		return b.m.Conv(x, wn, bn, 3, 1, 1)
	}
	return b.m.Conv(b.reflect1(x), wn, bn, 3, 1, 0)
}

// reflect1 is a one-pixel reflection pad (PyTorch's ReflectionPad2d(1)).
// As Slice + Concat it is exact and parsed by every TensorRT 8, whose
// older ONNX parsers take only constant-zero Pad; width first, then
// height, so each corner is the diagonal neighbour, as in PyTorch. As
// ONNX Pad (mode reflect) it is one node.
func (b *builder) reflect1(x string) string {
	if b.reflectOp == ReflectPad {
		return b.m.Pad(x, onnxgraph.PadReflect, 0, 0, 1, 1, 0, 0, 1, 1)
	}
	for _, axis := range []int64{3, 2} {
		first := b.slice(x, axis, 1, 2)  // index 1
		last := b.slice(x, axis, -2, -1) // index n−2
		x = b.m.Concat(axis, first, x, last)
	}
	return x
}

// slice takes [start, end) on one axis; the index tensors are shared.
func (b *builder) slice(x string, axis, start, end int64) string {
	key := func(what string, v int64) string {
		name := fmt.Sprintf("slice_%s_%d", what, v)
		if b.slices[name] == "" {
			b.slices[name] = b.m.Int64Init(name, []int64{1}, []int64{v})
		}
		return b.slices[name]
	}
	return b.m.Op("Slice", []string{x, key("start", start), key("end", end), key("axis", axis)})
}

// depth maps the sigmoid disparity to depth like training's DispToDepth:
// 1 / (minDisp + (maxDisp − minDisp)·disp).
func (b *builder) depth(disp string, minDepth, maxDepth float64) string {
	minDisp, maxDisp := 1/maxDepth, 1/minDepth
	m := b.m
	scaled := m.Add(m.Mul(disp, b.scalar("disp_range", float32(maxDisp-minDisp))), b.scalar("min_disp", float32(minDisp)))
	return m.Op("Reciprocal", []string{scaled})
}
