package edgetest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
)

// Kind selects the network body.
type Kind int

const (
	// Tiny is two 3×3 convolutions: cheap, for tests.
	Tiny Kind = iota
	// ResNetLike is an encoder-decoder with the channel widths of the
	// project's default net (ResNet-18 at width 0.25 + Monodepth2-style
	// decoder): about the same work per pixel, for benchmarks.
	ResNetLike
	// Decode16 reads a disparity that the test wrote into the image: the
	// output is (R·256 + G)/65535 of the 8-bit colours, exactly. Tests
	// carry a known relative depth through the whole runtime with it.
	Decode16
)

// Spec describes a test model.
type Spec struct {
	Kind          Kind
	Width, Height int
	Layout        string // modelmeta.LayoutNCHWFloat (default) or LayoutNHWCUint8
	Batch         int    // 0: symbolic batch dimension
	Seed          uint64
	// Meta overrides; zero values get the defaults of Metadata.
	Meta *modelmeta.Meta
}

// Metadata is the contract metadata for s.
func (s Spec) Metadata() modelmeta.Meta {
	if s.Meta != nil {
		return *s.Meta
	}
	layout := s.Layout
	if layout == "" {
		layout = modelmeta.LayoutNCHWFloat
	}
	return modelmeta.Meta{Width: s.Width, Height: s.Height, Layout: layout, Outputs: []string{modelmeta.OutputDisparity},
		Batch: s.Batch, MinDepth: 0.1, MaxDepth: 100, Encoder: "resnet18", EncoderWidth: 0.25, Padding: "zero",
		Version: modelmeta.ProjectVersion}
}

// Write builds the model and saves it to path.
func Write(path string, s Spec) error {
	meta := s.Metadata()
	props, err := meta.Props()
	if err != nil {
		return fmt.Errorf("test model %s: %w", path, err)
	}
	m, err := onnxgraph.New("depth", 13)
	if err != nil {
		return err
	}
	b := builder{m: m, r: rand.New(rand.NewPCG(s.Seed, 7))}
	batch := onnxgraph.Dim{Size: int64(meta.Batch)}
	if meta.Batch == 0 {
		batch = onnxgraph.Sym("batch")
	}
	// The graph has the Spec's size and layout, whatever Meta claims (a
	// test may want a model whose metadata lies).
	graph := s.Metadata()
	graph.Width, graph.Height = s.Width, s.Height
	if s.Layout != "" {
		graph.Layout = s.Layout
	}
	x := b.input(graph, batch)
	var y string
	switch s.Kind {
	case Tiny:
		y = m.Sigmoid(b.conv(m.Relu(b.conv(x, 3, 8, 3, 1)), 8, 1, 3, 1))
	case ResNetLike:
		y = b.resnetLike(x)
	case Decode16:
		w := m.Float32Init("decode.w", []int64{1, 3, 1, 1}, []float32{255 * 256 / 65535.0, 255 / 65535.0, 0})
		y = m.Conv(x, w, "", 1, 1, 0)
	}
	m.Rename(y, modelmeta.OutputDisparity)
	m.Output(modelmeta.OutputDisparity, onnxgraph.Float32, []onnxgraph.Dim{batch, {Size: 1}, {Size: int64(s.Height)}, {Size: int64(s.Width)}})
	m.SetMetadata(props)
	return m.Save(path)
}

type builder struct {
	m *onnxgraph.Model
	r *rand.Rand
}

// input declares "image" and returns float32 NCHW RGB in [0, 1] (Decode16)
// or normalised; the uint8 layout converts inside the graph, as the
// exporter's does.
func (b builder) input(meta modelmeta.Meta, batch onnxgraph.Dim) string {
	m := b.m
	h, w := int64(meta.Height), int64(meta.Width)
	if meta.Layout == modelmeta.LayoutNHWCUint8 {
		x := m.Input(modelmeta.InputImage, onnxgraph.Uint8, []onnxgraph.Dim{batch, {Size: h}, {Size: w}, {Size: 3}})
		x = m.Transpose(m.Cast(x, onnxgraph.Float32), 0, 3, 1, 2)
		return m.Mul(x, m.Float32Init("inv255", []int64{1}, []float32{1.0 / 255}))
	}
	return m.Input(modelmeta.InputImage, onnxgraph.Float32, []onnxgraph.Dim{batch, {Size: 3}, {Size: h}, {Size: w}})
}

// conv is a k×k convolution with He-initialised weights and a bias.
func (b builder) conv(x string, in, out, k, stride int64) string {
	n := out * in * k * k
	w := make([]float32, n)
	std := math.Sqrt(2 / float64(in*k*k))
	for i := range w {
		w[i] = float32(b.r.NormFloat64() * std)
	}
	bias := make([]float32, out)
	for i := range bias {
		bias[i] = float32(0.01 * b.r.NormFloat64())
	}
	return b.m.Conv(x, b.m.Float32Init("w", []int64{out, in, k, k}, w), b.m.Float32Init("b", []int64{out}, bias), k, stride, k/2)
}

// resnetLike: stem 7×7/2 + max-pool, four stages of two 3×3 convs (the
// first strided), then a decoder that upsamples ×2 five times with 3×3
// convs and skip additions, ending in one sigmoid channel.
func (b builder) resnetLike(x string) string {
	m := b.m
	enc := []int64{16, 16, 32, 64, 128}
	dec := []int64{4, 8, 16, 32, 64}
	h := m.Relu(b.conv(x, 3, enc[0], 7, 2))
	skips := []string{h}
	h = m.MaxPool(h, 3, 2, 1)
	in := enc[0]
	for i, c := range enc[1:] {
		stride := int64(2)
		if i == 0 {
			stride = 1
		}
		h = m.Relu(b.conv(m.Relu(b.conv(h, in, c, 3, stride)), c, c, 3, 1))
		skips = append(skips, h)
		in = c
	}
	for i := 4; i >= 0; i-- {
		h = m.Relu(b.conv(h, in, dec[i], 3, 1))
		h = m.ResizeNearest(h, 2)
		if i > 0 {
			h = m.Concat(1, h, skips[i-1])
			in = dec[i] + enc[i-1]
		} else {
			in = dec[i]
		}
		h = m.Relu(b.conv(h, in, dec[i], 3, 1))
		in = dec[i]
	}
	return m.Sigmoid(b.conv(h, in, 1, 3, 1))
}
