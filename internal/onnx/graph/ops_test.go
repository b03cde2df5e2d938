package onnxgraph_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/onnxcheck"
	"github.com/xdistill/edge-depth/internal/ort"
)

// nchw is a float32 tensor for the reference computations.
type nchw struct {
	n, c, h, w int
	d          []float32
}

func newT(n, c, h, w int) nchw { return nchw{n, c, h, w, make([]float32, n*c*h*w)} }

func (t nchw) at(n, c, y, x int) *float32 { return &t.d[((n*t.c+c)*t.h+y)*t.w+x] }

func (t nchw) mapf(f func(float32) float32) nchw {
	out := newT(t.n, t.c, t.h, t.w)
	for i, v := range t.d {
		out.d[i] = f(v)
	}
	return out
}

// pad pads top/left by before and bottom/right by after; reflect mirrors
// without repeating the edge, otherwise zeros.
func (t nchw) pad(before, after int, reflect bool) nchw {
	out := newT(t.n, t.c, t.h+before+after, t.w+before+after)
	mirror := func(i, size int) (int, bool) {
		switch {
		case i < 0 && reflect:
			return -i, true
		case i >= size && reflect:
			return 2*(size-1) - i, true
		}
		return i, i >= 0 && i < size
	}
	for n := 0; n < t.n; n++ {
		for c := 0; c < t.c; c++ {
			for y := 0; y < out.h; y++ {
				for x := 0; x < out.w; x++ {
					sy, oky := mirror(y-before, t.h)
					sx, okx := mirror(x-before, t.w)
					if oky && okx {
						*out.at(n, c, y, x) = *t.at(n, c, sy, sx)
					}
				}
			}
		}
	}
	return out
}

func (t nchw) maxPool2() nchw {
	out := newT(t.n, t.c, t.h/2, t.w/2)
	for n := 0; n < t.n; n++ {
		for c := 0; c < t.c; c++ {
			for y := 0; y < out.h; y++ {
				for x := 0; x < out.w; x++ {
					m := float32(math.Inf(-1))
					for dy := 0; dy < 2; dy++ {
						for dx := 0; dx < 2; dx++ {
							m = max(m, *t.at(n, c, 2*y+dy, 2*x+dx))
						}
					}
					*out.at(n, c, y, x) = m
				}
			}
		}
	}
	return out
}

func (t nchw) upsample2() nchw {
	out := newT(t.n, t.c, 2*t.h, 2*t.w)
	for n := 0; n < t.n; n++ {
		for c := 0; c < t.c; c++ {
			for y := 0; y < out.h; y++ {
				for x := 0; x < out.w; x++ {
					*out.at(n, c, y, x) = *t.at(n, c, y/2, x/2)
				}
			}
		}
	}
	return out
}

// conv3 is a 3×3, stride 1, pad 1 convolution; w is [out][in][3][3].
func (t nchw) conv3(w, b []float32, outC int) nchw {
	out := newT(t.n, outC, t.h, t.w)
	for n := 0; n < t.n; n++ {
		for o := 0; o < outC; o++ {
			for y := 0; y < t.h; y++ {
				for x := 0; x < t.w; x++ {
					acc := float64(b[o])
					for c := 0; c < t.c; c++ {
						for ky := 0; ky < 3; ky++ {
							for kx := 0; kx < 3; kx++ {
								yy, xx := y+ky-1, x+kx-1
								if yy >= 0 && yy < t.h && xx >= 0 && xx < t.w {
									acc += float64(*t.at(n, c, yy, xx)) * float64(w[((o*t.c+c)*3+ky)*3+kx])
								}
							}
						}
					}
					*out.at(n, o, y, x) = float32(acc)
				}
			}
		}
	}
	return out
}

// quantize is ONNX QuantizeLinear to uint8: round half to even, saturate.
func quantize(v, scale float32, zp int) float32 {
	q := math.RoundToEven(float64(v/scale)) + float64(zp)
	return float32(math.Min(255, math.Max(0, q)))
}

func sigmoid(v float32) float32 { return float32(1 / (1 + math.Exp(-float64(v)))) }

func wave(n int, f, a float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(a * math.Sin(float64(i)*f+0.3))
	}
	return out
}

// opsModel uses every helper of the builder, in the order a QDQ depth
// decoder would, and returns the model and the Go reference for its two
// outputs.
func opsModel(t *testing.T, opset int64) (string, []float32, []float32) {
	m, err := onnxgraph.New("ops", opset)
	if err != nil {
		t.Fatal(err)
	}
	const inC, outC = 2, 3
	xData := wave(inC*4*4, 0.9, 1.5)
	wq := make([]int8, outC*inC*9)
	for i := range wq {
		wq[i] = int8((i*37)%255 - 127)
	}
	wScale := []float32{0.004, 0.002, 0.003}
	bias := []float32{0.1, -0.2, 0.05}
	const xScale, xZP = 0.02, 128

	// A zero Pad goes after the MaxPool, not before: ONNX Runtime 1.24's
	// PadFusion folds Pad(0)→MaxPool into MaxPool's pads, which mean −∞,
	// and so computes something else (see docs/ONNX.md).
	x := m.Input("x", onnxgraph.Float32, onnxgraph.Dims(1, inC, 4, 4))
	h := m.MaxPool(m.Pad(x, onnxgraph.PadReflect, 0, 0, 1, 1, 0, 0, 1, 1), 2, 2, 0) // 6×6 → 3×3
	h = m.ResizeNearest(m.Pad(h, onnxgraph.PadConstant, 0, 0, 0, 0, 0, 0, 1, 1), 2) // 4×4 → 8×8
	h = m.Elu(h, 0.5)
	sx := m.Float32Init("x_scale", nil, []float32{xScale})
	zx := m.Uint8Init("x_zero", nil, []uint8{xZP})
	codes := m.QuantizeLinear(h, sx, zx) // uint8
	h = m.DequantizeLinear(codes, sx, zx)
	w := m.DequantizeLinear(m.Int8Init("w_q", []int64{outC, inC, 3, 3}, wq),
		m.Float32Init("w_scale", []int64{outC}, wScale), m.Int8Init("w_zero", []int64{outC}, make([]int8, outC)), 0)
	h = m.Relu(m.Conv(h, w, m.Float32Init("b", []int64{outC}, bias), 3, 1, 1))
	k := func(v float32) string { return m.Float32Init("k", nil, []float32{v}) }
	h = m.Sub(m.Div(m.Mul(m.Add(h, k(0.5)), k(3)), k(2)), k(0.25))
	h = m.Transpose(m.Concat(1, h, m.Sigmoid(h)), 0, 2, 3, 1) // NHWC [1,8,8,6]
	m.Rename(h, "y")
	m.Output("y", onnxgraph.Float32, onnxgraph.Dims(1, 8, 8, 2*outC))
	m.Rename(m.Cast(codes, onnxgraph.Float32), "codes")
	m.Output("codes", onnxgraph.Float32, onnxgraph.Dims(1, inC, 8, 8))
	p := filepath.Join(t.TempDir(), "ops.onnx")
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}

	// The same by hand.
	xt := nchw{1, inC, 4, 4, xData}
	r := xt.pad(1, 1, true).maxPool2().pad(0, 1, false).upsample2()
	r = r.mapf(func(v float32) float32 {
		if v > 0 {
			return v
		}
		return 0.5 * float32(math.Expm1(float64(v)))
	})
	q := r.mapf(func(v float32) float32 { return quantize(v, xScale, xZP) })
	deq := q.mapf(func(c float32) float32 { return (c - xZP) * xScale })
	wf := make([]float32, len(wq))
	for i, v := range wq {
		wf[i] = float32(v) * wScale[i/(inC*9)]
	}
	c := deq.conv3(wf, bias, outC).mapf(func(v float32) float32 {
		return (max(v, 0)+0.5)*3/2 - 0.25
	})
	y := make([]float32, 0, 8*8*2*outC)
	for yy := 0; yy < 8; yy++ {
		for xx := 0; xx < 8; xx++ {
			for ch := 0; ch < 2*outC; ch++ {
				v := *c.at(0, ch%outC, yy, xx)
				if ch >= outC {
					v = sigmoid(v)
				}
				y = append(y, v)
			}
		}
	}
	return p, y, q.d
}

func TestEveryBuilderOpRunsInORTAndPassesTheChecker(t *testing.T) {
	if _, err := ort.Ensure("", ""); err != nil {
		t.Fatal(err)
	}
	for _, opset := range []int64{13, 17} {
		path, wantY, wantCodes := opsModel(t, opset)
		onnxcheck.Check(t, path)
		s, err := ort.Open(path, ort.Options{Provider: "cpu"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Bind(nil)
		if err != nil {
			t.Fatal(err)
		}
		x, _ := b.Float32("x")
		copy(x, wave(len(x), 0.9, 1.5))
		if err := b.Run(); err != nil {
			t.Fatal(err)
		}
		y, _ := b.Float32("y")
		codes, _ := b.Float32("codes")
		dy, dc := maxAbs(y, wantY), maxAbs(codes, wantCodes)
		t.Logf("opset %d: max |ORT − Go| y %.3g, quantised codes %.3g", opset, dy, dc)
		if dy > 1e-5 || dc != 0 {
			t.Errorf("opset %d: y differs by %g, codes by %g", opset, dy, dc)
		}
		s.Close()
	}
}

func maxAbs(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m
}
