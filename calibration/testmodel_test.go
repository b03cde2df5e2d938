package calibration

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
)

// tinyNet builds a small depth network from the op kinds the exporter
// writes (normalisation Sub/Div, Conv with bias, Relu, MaxPool with pads,
// residual Add, a strided downsample branch, reflect Pad, Elu, nearest
// Resize, skip Concat, Sigmoid) with seeded He-initialised weights, and
// the exporter's metadata. uint8 selects the NHWC uint8 input (Cast +
// Transpose in the graph).
func tinyNet(t testing.TB, w, h int, uint8In bool, seed uint64) *onnxgraph.Model {
	return depthNet(t, w, h, uint8In, seed, 8)
}

// depthNet is tinyNet with ch channels at the first level (2·ch deeper).
func depthNet(t testing.TB, w, h int, uint8In bool, seed uint64, ch int64) *onnxgraph.Model {
	t.Helper()
	m, err := onnxgraph.New("tiny", 13)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 99))
	b := &netBuilder{m: m, r: r}
	var x string
	layout := modelmeta.LayoutNCHWFloat
	if uint8In {
		layout = modelmeta.LayoutNHWCUint8
		img := m.Input("image", onnxgraph.Uint8, onnxgraph.Dims(1, int64(h), int64(w), 3))
		x = m.Transpose(m.Cast(img, onnxgraph.Float32), 0, 3, 1, 2)
		x = m.Div(x, m.Float32Init("u8_255", nil, []float32{255}))
	} else {
		x = m.Input("image", onnxgraph.Float32, onnxgraph.Dims(1, 3, int64(h), int64(w)))
	}
	mean := m.Float32Init("mean", []int64{1, 3, 1, 1}, []float32{0.485, 0.456, 0.406})
	std := m.Float32Init("std", []int64{1, 3, 1, 1}, []float32{0.229, 0.224, 0.225})
	x = m.Div(m.Sub(x, mean), std)

	c2 := 2 * ch
	stem := m.Relu(b.conv("enc.conv1", x, 3, ch, 3, 2, 1)) // h/2
	p := m.MaxPool(stem, 3, 2, 1)                          // h/4
	c1 := m.Relu(b.conv("enc.layer1.conv1", p, ch, ch, 3, 1, 1))
	a := m.Relu(m.Add(b.conv("enc.layer1.conv2", c1, ch, ch, 3, 1, 1), p))
	d1 := m.Relu(b.conv("enc.layer2.conv1", a, ch, c2, 3, 2, 1)) // h/8
	d2 := b.conv("enc.layer2.conv2", d1, c2, c2, 3, 1, 1)
	ds := b.conv("enc.layer2.downsample", a, ch, c2, 1, 2, 0)
	e := m.Relu(m.Add(d2, ds))

	u := m.Elu(b.conv("dec.upconv2", b.pad(e), c2, ch, 3, 1, 0), 1)
	cat := m.Concat(1, m.ResizeNearest(u, 2), a) // h/4, 2·ch
	v := m.Elu(b.conv("dec.upconv1", b.pad(cat), c2, ch, 3, 1, 0), 1)
	cat2 := m.Concat(1, m.ResizeNearest(v, 2), stem) // h/2, 2·ch
	z := m.Elu(b.conv("dec.upconv0", b.pad(cat2), c2, ch, 3, 1, 0), 1)
	z = m.ResizeNearest(z, 2) // h
	disp := m.Sigmoid(b.conv("dec.dispconv0", b.pad(z), ch, 1, 3, 1, 0))
	m.Rename(disp, modelmeta.OutputDisparity)
	m.Output(modelmeta.OutputDisparity, onnxgraph.Float32, onnxgraph.Dims(1, 1, int64(h), int64(w)))
	props, err := modelmeta.Meta{Width: w, Height: h, Layout: layout, Outputs: []string{modelmeta.OutputDisparity},
		Batch: 1, MinDepth: 0.1, MaxDepth: 100, Encoder: "resnet18", EncoderWidth: 0.25, Padding: "reflect",
		Version: modelmeta.ProjectVersion}.Props()
	if err != nil {
		t.Fatal(err)
	}
	m.SetMetadata(props)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	return m
}

type netBuilder struct {
	m *onnxgraph.Model
	r *rand.Rand
}

func (b *netBuilder) conv(name, x string, in, out, k, stride, pad int64) string {
	n := out * in * k * k
	std := math.Sqrt(2 / float64(in*k*k))
	wd := make([]float32, n)
	for i := range wd {
		wd[i] = float32(b.r.NormFloat64() * std)
	}
	bd := make([]float32, out)
	for i := range bd {
		bd[i] = float32(b.r.NormFloat64() * 0.1)
	}
	w := b.m.Float32Init(name+".weight", []int64{out, in, k, k}, wd)
	bias := b.m.Float32Init(name+".bias", []int64{out}, bd)
	return b.m.Conv(x, w, bias, k, stride, pad)
}

func (b *netBuilder) pad(x string) string {
	return b.m.Pad(x, onnxgraph.PadReflect, 0, 0, 1, 1, 0, 0, 1, 1)
}

func saveModel(t testing.TB, m *onnxgraph.Model, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// testImages are smooth, varied planar RGB images in [0, 1]: gradients,
// stripes and a blob, different per index.
func testImages(n, w, h int, seed uint64) [][]float32 {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([][]float32, n)
	for i := range out {
		img := make([]float32, 3*w*h)
		fx, fy, ph := 1+4*r.Float64(), 1+3*r.Float64(), 6*r.Float64()
		cx, cy := r.Float64()*float64(w), r.Float64()*float64(h)
		for c := range 3 {
			for y := range h {
				for x := range w {
					u, v := float64(x)/float64(w), float64(y)/float64(h)
					val := 0.5 + 0.3*math.Sin(2*math.Pi*fx*u+ph+float64(c))*math.Cos(2*math.Pi*fy*v)
					d := math.Hypot(float64(x)-cx, float64(y)-cy) / float64(w)
					val += 0.3 * math.Exp(-40*d*d) * float64(c%2*2-1)
					img[c*w*h+y*w+x] = float32(min(max(val, 0), 1))
				}
			}
		}
		out[i] = img
	}
	return out
}
