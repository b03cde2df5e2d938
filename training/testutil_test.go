package training

import (
	"math/rand/v2"
	"testing"

	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/pyref"
)

// randArray is a reproducible uniform array in [lo, hi).
func randArray(seed uint64, lo, hi float32, shape ...int) pyref.Array {
	r := rand.New(rand.NewPCG(seed, 7))
	n := 1
	for _, d := range shape {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = lo + (hi-lo)*r.Float32()
	}
	return pyref.Array{Shape: shape, Data: data}
}

// toTensor copies an array into a float32 tensor owned by s.
func toTensor(s *Scope, a pyref.Array) *ts.Tensor {
	shape := make([]int64, len(a.Shape))
	for i, d := range a.Shape {
		shape[i] = int64(d)
	}
	return s.T(ts.MustOfSlice(a.Data).MustView(shape, true))
}

func values(t *testing.T, x *ts.Tensor) []float32 {
	t.Helper()
	v, ok := x.MustContiguous(false).Vals().([]float32)
	if !ok {
		t.Fatalf("tensor is not float32")
	}
	return v
}

// maxAbsDiff is max |a − b| over all elements.
func maxAbsDiff(s *Scope, a, b *ts.Tensor) float64 {
	return s.T(s.T(s.T(a.MustSub(b, false)).MustAbs(false)).MustMax(false)).Float64Values()[0]
}
