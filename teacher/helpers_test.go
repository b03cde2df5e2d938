package teacher

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
)

// convNet describes a one-Conv segmentation model built with onnxgraph:
// input [dims] → Conv(kernel, stride, pad kernel/2) → logits [1,classes,…].
type convNet struct {
	in      []onnxgraph.Dim // input dims
	classes int
	kernel  int64
	stride  int64
	out     []onnxgraph.Dim // declared output dims (nil: derived from in)
	meta    map[string]string
}

// weights are fixed, varied values so neighbouring classes differ.
func (c convNet) weights() (w, b []float32) {
	inCh := int(c.in[1].Size)
	w = make([]float32, c.classes*inCh*int(c.kernel*c.kernel))
	for i := range w {
		w[i] = float32(math.Sin(float64(i)*0.77+0.3)) * 0.6
	}
	b = make([]float32, c.classes)
	for i := range b {
		b[i] = float32(math.Cos(float64(i)*1.3)) * 0.05
	}
	return w, b
}

func (c convNet) save(t testing.TB, name string) string {
	t.Helper()
	m, err := onnxgraph.New("seg", 13)
	if err != nil {
		t.Fatal(err)
	}
	x := m.Input("image", onnxgraph.Float32, c.in)
	w, b := c.weights()
	inCh := c.in[1].Size
	y := m.Conv(x, m.Float32Init("w", []int64{int64(c.classes), inCh, c.kernel, c.kernel}, w),
		m.Float32Init("b", []int64{int64(c.classes)}, b), c.kernel, c.stride, c.kernel/2)
	m.Rename(y, "logits")
	out := c.out
	if out == nil {
		out = []onnxgraph.Dim{{Size: 1}, {Size: int64(c.classes)}, outDim(c.in[2], c.stride), outDim(c.in[3], c.stride)}
	}
	m.Output("logits", onnxgraph.Float32, out)
	m.SetMetadata(c.meta)
	p := filepath.Join(t.TempDir(), name)
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func outDim(d onnxgraph.Dim, stride int64) onnxgraph.Dim {
	if d.Size <= 0 {
		return onnxgraph.Sym(d.Name + "_out")
	}
	return onnxgraph.Dim{Size: (d.Size-1)/stride + 1}
}

// nchw is a static [1,c,h,w] input.
func nchw(c, h, w int64) []onnxgraph.Dim { return onnxgraph.Dims(1, c, h, w) }

func open(t testing.TB, path string, o Options) *ONNX {
	t.Helper()
	if o.Provider == "" {
		o.Provider = "cpu"
	}
	m, err := OpenONNX(path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// world writes a small synthetic driving dataset (KITTI layout, splits).
func world(t testing.TB, w, h, frames int) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "world")
	o := synth.Options{Out: root, Seed: 7, Sequences: 2, Frames: frames, Width: w, Height: h, Style: synth.StyleDefault}
	if err := synth.Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
	return root
}
