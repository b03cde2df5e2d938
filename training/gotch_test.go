package training

import (
	"math"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// These tests pin down the native dependency itself: gotch v0.7.0 compiled
// against Debian's libtorch through native/torchcompat.

func tensor(t *testing.T, data []float64, shape ...int64) *ts.Tensor {
	t.Helper()
	x, err := ts.NewTensorFromData(data, shape)
	if err != nil {
		t.Fatalf("tensor %v: %v", shape, err)
	}
	return x
}

func seq(n int, f func(i int) float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

// smallNet is conv(2→3, 3×3, pad 1) → tanh → conv(3→1, 3×3) → sum of squares.
// tanh keeps the loss smooth so central differences are accurate.
func smallNetLoss(x, w1, b1, w2 *ts.Tensor) *ts.Tensor {
	h := ts.MustConv2d(x, w1, b1, []int64{1, 1}, []int64{1, 1}, []int64{1, 1}, 1)
	a := h.MustTanh(true)
	// gotch v0.7.0 dereferences a nil optional bias, so pass zeros.
	b2 := ts.MustZeros([]int64{1}, gotch.Double, gotch.CPU)
	defer b2.MustDrop()
	y := ts.MustConv2d(a, w2, b2, []int64{1, 1}, []int64{0, 0}, []int64{1, 1}, 1)
	a.MustDrop()
	return y.MustSquare(true).MustSum(gotch.Double, true)
}

func TestConvNetGradientMatchesFiniteDifference(t *testing.T) {
	x := tensor(t, seq(2*5*5, func(i int) float64 { return math.Sin(float64(i) * 0.37) }), 1, 2, 5, 5)
	w1data := seq(3*2*3*3, func(i int) float64 { return 0.3 * math.Cos(float64(i)*0.91) })
	b1 := tensor(t, []float64{0.1, -0.2, 0.05}, 3)
	w2 := tensor(t, seq(3*3*3, func(i int) float64 { return 0.2 * math.Sin(float64(i)*1.3+0.5) }), 1, 3, 3, 3)

	w1 := tensor(t, w1data, 3, 2, 3, 3).MustSetRequiresGrad(true, true)
	loss := smallNetLoss(x, w1, b1, w2)
	if got := loss.Float64Values()[0]; !(got > 0) || math.IsInf(got, 0) {
		t.Fatalf("forward: loss %v, want a positive finite number", got)
	}
	loss.MustBackward()
	grad := w1.MustGrad(false).Float64Values()

	const eps = 1e-6
	lossAt := func(data []float64) float64 {
		w := tensor(t, data, 3, 2, 3, 3)
		l := smallNetLoss(x, w, b1, w2)
		defer l.MustDrop()
		return l.Float64Values()[0]
	}
	var maxRel float64
	for _, i := range []int{0, 5, 17, 29, 40, 53} {
		plus := append([]float64(nil), w1data...)
		minus := append([]float64(nil), w1data...)
		plus[i] += eps
		minus[i] -= eps
		fd := (lossAt(plus) - lossAt(minus)) / (2 * eps)
		rel := math.Abs(fd-grad[i]) / math.Max(1e-3, math.Abs(fd))
		maxRel = math.Max(maxRel, rel)
		if rel > 1e-5 {
			t.Errorf("dL/dw1[%d]: autograd %.9g, finite difference %.9g (rel %.2g)", i, grad[i], fd, rel)
		}
	}
	t.Logf("max relative gradient error over 6 weights: %.2g", maxRel)
}

// bilinearBorder is the reference: sample img (h×w) at normalised (gx, gy)
// with align_corners=true, clamping coordinates to the border.
func bilinearBorder(img []float64, h, w int, gx, gy float64) float64 {
	clamp := func(v, hi float64) float64 { return math.Min(math.Max(v, 0), hi) }
	x := clamp((gx+1)/2*float64(w-1), float64(w-1))
	y := clamp((gy+1)/2*float64(h-1), float64(h-1))
	x0, y0 := math.Floor(x), math.Floor(y)
	x1, y1 := math.Min(x0+1, float64(w-1)), math.Min(y0+1, float64(h-1))
	fx, fy := x-x0, y-y0
	at := func(yy, xx float64) float64 { return img[int(yy)*w+int(xx)] }
	return (1-fx)*(1-fy)*at(y0, x0) + fx*(1-fy)*at(y0, x1) + (1-fx)*fy*at(y1, x0) + fx*fy*at(y1, x1)
}

func TestGridSamplerBilinearBorder(t *testing.T) {
	const h, w = 3, 4
	img := []float64{
		1, 2, 4, 8,
		3, 5, 7, 9,
		0, 10, 20, 30,
	}
	// Interior points, a pixel centre, and points outside on every side.
	points := [][2]float64{{0, 0}, {-1, -1}, {1, 1}, {0.25, -0.4}, {-0.9, 0.7}, {1.7, 0.1}, {-3, -2}, {0.3, 1.5}}
	grid := make([]float64, 0, 2*len(points))
	for _, p := range points {
		grid = append(grid, p[0], p[1])
	}
	in := tensor(t, img, 1, 1, h, w)
	g := tensor(t, grid, 1, 1, int64(len(points)), 2)
	const bilinear, border = 0, 1
	out := ts.MustGridSampler(in, g, bilinear, border, true).Float64Values()
	for i, p := range points {
		want := bilinearBorder(img, h, w, p[0], p[1])
		if math.Abs(out[i]-want) > 1e-12 {
			t.Errorf("sample at (%g, %g): gotch %v, hand-computed %v", p[0], p[1], out[i], want)
		}
	}
	// A hand-worked value so the reference itself is checked: (0.25, -0.4)
	// maps to pixel (1.875, 0.6): row 0 → 2+0.875·2 = 3.75, row 1 → 5+0.875·2 = 6.75;
	// 0.4·3.75 + 0.6·6.75 = 5.55.
	if want := 5.55; math.Abs(out[3]-want) > 1e-12 {
		t.Errorf("sample at (0.25, -0.4): got %v, want %v", out[3], want)
	}
}

func TestParseDevice(t *testing.T) {
	if d, err := ParseDevice("cpu"); err != nil || d != gotch.CPU {
		t.Errorf("cpu: %v, %v", d, err)
	}
	if _, err := ParseDevice("tpu"); err == nil {
		t.Error("tpu: want an error")
	}
	if !gotch.CUDA.IsAvailable() {
		if _, err := ParseDevice("cuda"); err == nil {
			t.Error("cuda on a machine without CUDA: want an error")
		}
		if d, _ := ParseDevice("auto"); d != gotch.CPU {
			t.Errorf("auto without CUDA: got %v, want CPU", d)
		}
	}
}
