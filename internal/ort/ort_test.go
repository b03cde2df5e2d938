package ort

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/onnxcheck"
	"github.com/xdistill/edge-depth/internal/pyref"
)

// initORT loads the library the way the product does: Resolve's search.
func initORT(t *testing.T) {
	t.Helper()
	if _, err := Ensure("", ""); err != nil {
		t.Fatal(err)
	}
}

func seq(n int, f func(int) float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func save(t *testing.T, m *onnxgraph.Model, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// convModel: x[batch,3,4,5] → Conv(2 filters, 3×3, pad 1, bias) → Relu →
// Add c → Sigmoid → y. batch is 1, or symbolic when dynamic is set.
func convModel(t *testing.T, opset int64, w, b []float32, c float32, dynamic bool, meta map[string]string) string {
	t.Helper()
	m, err := onnxgraph.New("tiny", opset)
	if err != nil {
		t.Fatal(err)
	}
	batch := onnxgraph.Dim{Size: 1}
	if dynamic {
		batch = onnxgraph.Sym("batch")
	}
	x := m.Input("x", onnxgraph.Float32, []onnxgraph.Dim{batch, {Size: 3}, {Size: 4}, {Size: 5}})
	h := m.Conv(x, m.Float32Init("w", []int64{2, 3, 3, 3}, w), m.Float32Init("b", []int64{2}, b), 3, 1, 1)
	h = m.Sigmoid(m.Add(m.Relu(h), m.Float32Init("c", []int64{1}, []float32{c})))
	m.Rename(h, "y")
	m.Output("y", onnxgraph.Float32, []onnxgraph.Dim{batch, {Size: 2}, {Size: 4}, {Size: 5}})
	m.SetMetadata(meta)
	return save(t, m, "tiny.onnx")
}

// convRef is convModel's computation by hand, for one image.
func convRef(x, w, b []float32, c float32) []float32 {
	const H, W = 4, 5
	out := make([]float32, 2*H*W)
	for o := 0; o < 2; o++ {
		for y := 0; y < H; y++ {
			for xx := 0; xx < W; xx++ {
				acc := float64(b[o])
				for ci := 0; ci < 3; ci++ {
					for ky := -1; ky <= 1; ky++ {
						for kx := -1; kx <= 1; kx++ {
							yy, xk := y+ky, xx+kx
							if yy < 0 || yy >= H || xk < 0 || xk >= W {
								continue
							}
							acc += float64(x[ci*H*W+yy*W+xk]) * float64(w[((o*3+ci)*3+ky+1)*3+kx+1])
						}
					}
				}
				v := math.Max(acc, 0) + float64(c)
				out[o*H*W+y*W+xx] = float32(1 / (1 + math.Exp(-v)))
			}
		}
	}
	return out
}

var (
	convW = seq(54, func(i int) float32 { return float32(math.Cos(float64(i)*1.3)) * 0.4 })
	convB = []float32{0.1, -0.3}
)

const convC = -0.25

func convInput(phase float64) []float32 {
	return seq(60, func(i int) float32 { return float32(math.Sin(float64(i)*0.7 + phase)) })
}

// bindCPU opens path on the CPU and binds it with the given shapes.
func bindCPU(t *testing.T, path string, shapes map[string][]int64) (*Session, *Binding) {
	t.Helper()
	s, err := Open(path, Options{Provider: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	b, err := s.Bind(shapes)
	if err != nil {
		t.Fatal(err)
	}
	return s, b
}

func float32s(t *testing.T, b *Binding, name string) []float32 {
	t.Helper()
	d, err := b.Float32(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestTinyConvModelMatchesGoReference(t *testing.T) {
	initORT(t)
	meta := map[string]string{"xdistill.test": "conv", "xdistill.max_depth": "100"}
	for _, opset := range []int64{13, 17} {
		p := convModel(t, opset, convW, convB, convC, false, meta)
		onnxcheck.Check(t, p)
		s, b := bindCPU(t, p, nil)
		x := convInput(0)
		copy(float32s(t, b, "x"), x)
		if err := b.Run(); err != nil {
			t.Fatal(err)
		}
		d := pyref.MaxAbsDiff(t, float32s(t, b, "y"), convRef(x, convW, convB, convC))
		t.Logf("opset %d: max |ORT − Go| = %.3g", opset, d)
		if d > 1e-5 {
			t.Errorf("opset %d: max |ORT − Go| = %g", opset, d)
		}
		got := s.Metadata()
		if len(got) != len(meta) || got["xdistill.test"] != "conv" || got["xdistill.max_depth"] != "100" {
			t.Errorf("opset %d: metadata through ORT = %v, want %v", opset, got, meta)
		}
		in, out := s.Inputs(), s.Outputs()
		if s.Provider() != "cpu" || len(in) != 1 || in[0].String() != "x float32[1,3,4,5]" || len(out) != 1 || out[0].String() != "y float32[1,2,4,5]" {
			t.Errorf("opset %d: provider %s, inputs %v, outputs %v", opset, s.Provider(), in, out)
		}
	}
}

// Reflect padding then nearest ×2 upsampling: the two ops Monodepth2-style
// decoders export to, and a known source of broken exports.
func TestPadReflectResizeNearest(t *testing.T) {
	initORT(t)
	for _, opset := range []int64{13, 17} {
		m, _ := onnxgraph.New("padresize", opset)
		x := m.Input("x", onnxgraph.Float32, onnxgraph.Dims(1, 1, 2, 3))
		h := m.ResizeNearest(m.Pad(x, onnxgraph.PadReflect, 0, 0, 1, 1, 0, 0, 1, 1), 2)
		m.Rename(h, "y")
		m.Output("y", onnxgraph.Float32, onnxgraph.Dims(1, 1, 8, 10))
		p := save(t, m, "pr.onnx")
		onnxcheck.Check(t, p)
		_, b := bindCPU(t, p, nil)
		copy(float32s(t, b, "x"), []float32{1, 2, 3, 4, 5, 6})
		if err := b.Run(); err != nil {
			t.Fatal(err)
		}
		got := float32s(t, b, "y")
		// Reflect-pad by 1 (mirror without repeating the edge): 4×5.
		padded := [][]float32{{5, 4, 5, 6, 5}, {2, 1, 2, 3, 2}, {5, 4, 5, 6, 5}, {2, 1, 2, 3, 2}}
		for y := 0; y < 8; y++ {
			for x := 0; x < 10; x++ {
				if want := padded[y/2][x/2]; got[y*10+x] != want {
					t.Fatalf("opset %d: y[%d,%d] = %g, want %g", opset, y, x, got[y*10+x], want)
				}
			}
		}
	}
}

// The per-frame path: write the input in place, Run, read the output in
// place. It must allocate nothing in Go and reuse the same tensors.
func TestBindingRunIsAllocationFreeAndReusesTensors(t *testing.T) {
	initORT(t)
	_, b := bindCPU(t, convModel(t, 13, convW, convB, convC, false, nil), nil)
	x, y := float32s(t, b, "x"), float32s(t, b, "y")
	for _, phase := range []float64{0, 1.7} {
		in := convInput(phase)
		copy(x, in)
		if err := b.Run(); err != nil {
			t.Fatal(err)
		}
		if d := pyref.MaxAbsDiff(t, y, convRef(in, convW, convB, convC)); d > 1e-5 {
			t.Errorf("phase %g: the reused output slice is off by %g", phase, d)
		}
	}
	allocs := testing.AllocsPerRun(200, func() {
		if err := b.Run(); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocations per Run: %v", allocs)
	if allocs != 0 {
		t.Errorf("Run allocates %v times per call, want 0", allocs)
	}
}

func TestDynamicBatchBinding(t *testing.T) {
	initORT(t)
	s, err := Open(convModel(t, 17, convW, convB, convC, true, nil), Options{Provider: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if in := s.Inputs()[0]; !in.Dynamic() || in.String() != "x float32[?,3,4,5]" {
		t.Errorf("dynamic input reported as %v", in)
	}
	if _, err := s.Bind(nil); err == nil || !strings.Contains(err.Error(), "dynamic") {
		t.Errorf("Bind without a shape for a dynamic input: got %v", err)
	}
	if _, err := s.Bind(map[string][]int64{"x": {1, 3, 9, 5}}); err == nil {
		t.Error("Bind with a shape that contradicts a fixed dimension: want an error")
	}
	b, err := s.Bind(map[string][]int64{"x": {2, 3, 4, 5}})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Shape("y"); len(got) != 4 || got[0] != 2 || got[1] != 2 {
		t.Fatalf("output shape found by the probe run: %v, want [2 2 4 5]", got)
	}
	x0, x1 := convInput(0), convInput(2)
	copy(float32s(t, b, "x"), append(append([]float32{}, x0...), x1...))
	if err := b.Run(); err != nil {
		t.Fatal(err)
	}
	y := float32s(t, b, "y")
	for i, x := range [][]float32{x0, x1} {
		if d := pyref.MaxAbsDiff(t, y[i*40:(i+1)*40], convRef(x, convW, convB, convC)); d > 1e-5 {
			t.Errorf("batch item %d off by %g", i, d)
		}
	}
}

// The exporter may put the normalisation inside the graph and take camera
// bytes as they come: uint8 NHWC.
func TestUint8NHWCInput(t *testing.T) {
	initORT(t)
	m, _ := onnxgraph.New("u8", 13)
	x := m.Input("image", onnxgraph.Uint8, onnxgraph.Dims(1, 4, 5, 3))
	h := m.Transpose(m.Cast(x, onnxgraph.Float32), 0, 3, 1, 2)
	h = m.Div(h, m.Float32Init("255", nil, []float32{255}))
	m.Rename(h, "y")
	m.Output("y", onnxgraph.Float32, onnxgraph.Dims(1, 3, 4, 5))
	p := save(t, m, "u8.onnx")
	onnxcheck.Check(t, p)
	_, b := bindCPU(t, p, nil)
	img, err := b.Uint8("image")
	if err != nil {
		t.Fatal(err)
	}
	for i := range img {
		img[i] = uint8(i * 4)
	}
	if err := b.Run(); err != nil {
		t.Fatal(err)
	}
	y := float32s(t, b, "y")
	for c := 0; c < 3; c++ {
		for i := 0; i < 20; i++ {
			if want := float32(img[i*3+c]) / 255; y[c*20+i] != want {
				t.Fatalf("y[%d,%d] = %g, want %g", c, i, y[c*20+i], want)
			}
		}
	}
	if _, err := b.Float32("image"); err == nil || !strings.Contains(err.Error(), "uint8") {
		t.Errorf("Float32 of a uint8 input: got %v", err)
	}
	if _, err := b.Float32("nope"); err == nil {
		t.Error("unknown tensor name: want an error")
	}
}

func TestSessionCloseClosesItsBindings(t *testing.T) {
	initORT(t)
	s, err := Open(convModel(t, 13, convW, convB, convC, false, nil), Options{Provider: "cpu", IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Bind(nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := b.Run(); err == nil {
		t.Error("Run after the session closed: want an error, not a crash")
	}
	b.Close() // twice is harmless
	if _, err := s.Bind(nil); err == nil {
		t.Error("Bind on a closed session: want an error")
	}
}

func TestGarbageModelsAreRefused(t *testing.T) {
	initORT(t)
	dir := t.TempDir()
	data, _ := os.ReadFile(convModel(t, 13, convW, convB, convC, false, nil))
	bodies := map[string][]byte{
		"truncated.onnx": data[:len(data)/2],
		"text.onnx":      []byte("hello, not a model"),
		"empty.onnx":     {},
	}
	why := map[string]string{filepath.Join(dir, "missing.onnx"): "no such file", dir: "is a directory"}
	for name, body := range bodies {
		p := filepath.Join(dir, name)
		os.WriteFile(p, body, 0o644)
		why[p] = "not an ONNX model"
	}
	for p, want := range why {
		_, err := Open(p, Options{Provider: "cpu"})
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line naming the file and %q", p, err, want)
		}
		t.Logf("%v", err)
	}
}

// BenchmarkBindingRun is the steady-state cost of one 640×192 frame
// through a binding: one 3→16 3×3 conv, Relu, Sigmoid on the CPU.
func BenchmarkBindingRun(b *testing.B) {
	if _, err := Ensure("", ""); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	m, _ := onnxgraph.New("bench", 13)
	x := m.Input("x", onnxgraph.Float32, onnxgraph.Dims(1, 3, 192, 640))
	w := m.Float32Init("w", []int64{16, 3, 3, 3}, seq(16*27, func(i int) float32 { return float32(i%7) * 0.01 }))
	m.Rename(m.Sigmoid(m.Relu(m.Conv(x, w, "", 3, 1, 1))), "y")
	m.Output("y", onnxgraph.Float32, onnxgraph.Dims(1, 16, 192, 640))
	p := filepath.Join(dir, "bench.onnx")
	if err := m.Save(p); err != nil {
		b.Fatal(err)
	}
	s, err := Open(p, Options{Provider: "cpu"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	bind, err := s.Bind(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := bind.Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// NoSpinning is accepted by ONNX Runtime (the config keys exist) and gives
// the same results.
func TestNoSpinningSessionRuns(t *testing.T) {
	initORT(t)
	p := convModel(t, 13, convW, convB, convC, false, nil)
	s, err := Open(p, Options{Provider: "cpu", NoSpinning: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := s.Bind(nil)
	if err != nil {
		t.Fatal(err)
	}
	x := convInput(0)
	copy(float32s(t, b, "x"), x)
	if err := b.Run(); err != nil {
		t.Fatal(err)
	}
	if d := pyref.MaxAbsDiff(t, float32s(t, b, "y"), convRef(x, convW, convB, convC)); d > 1e-5 {
		t.Errorf("max |ORT − Go| = %g", d)
	}
}
