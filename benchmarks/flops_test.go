package benchmarks

import (
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/onnx/graph"
)

// smallGraph is a hand-built graph whose counts are worked out by hand:
//
//	image [1,3,8,8] → Conv 3→4 3×3 pad 1 + bias → [1,4,8,8]: 256·27 = 6912 MACs, 2·6912 + 256 = 14080 FLOPs
//	→ Relu: 256 → MaxPool 2×2/2 → [1,4,4,4]: 64·3 = 192
//	→ Conv 4→2 1×1, no bias → [1,2,4,4]: 32·4 = 128 MACs, 256 FLOPs
//	→ Pad reflect 1 → [1,2,6,6] → Slice w[1:2] → [1,2,6,1], Concat with it → [1,2,6,7]
//	→ Resize ×2 → [1,2,12,14] → Sigmoid: 336
//	feat [2,3] · W [3,5] (MatMul): 30 MACs, 60 FLOPs
func smallGraph(t *testing.T) *onnxgraph.Model {
	t.Helper()
	m, err := onnxgraph.New("small", 13)
	if err != nil {
		t.Fatal(err)
	}
	x := m.Input("image", onnxgraph.Float32, onnxgraph.Dims(1, 3, 8, 8))
	w1 := m.Float32Init("w1", []int64{4, 3, 3, 3}, make([]float32, 108))
	b1 := m.Float32Init("b1", []int64{4}, make([]float32, 4))
	x = m.MaxPool(m.Relu(m.Conv(x, w1, b1, 3, 1, 1)), 2, 2, 0)
	x = m.Conv(x, m.Float32Init("w2", []int64{2, 4, 1, 1}, make([]float32, 8)), "", 1, 1, 0)
	x = m.Pad(x, onnxgraph.PadReflect, 0, 0, 1, 1, 0, 0, 1, 1)
	one := func(name string, v int64) string { return m.Int64Init(name, []int64{1}, []int64{v}) }
	col := m.Op("Slice", []string{x, one("start", 1), one("end", 2), one("axis", 3)})
	x = m.Sigmoid(m.ResizeNearest(m.Concat(3, col, x), 2))
	m.Output(x, onnxgraph.Float32, onnxgraph.Dims(1, 2, 12, 14))
	feat := m.Input("feat", onnxgraph.Float32, onnxgraph.Dims(2, 3))
	y := m.Op("MatMul", []string{feat, m.Float32Init("w3", []int64{3, 5}, make([]float32, 15))})
	m.Output(y, onnxgraph.Float32, onnxgraph.Dims(2, 5))
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCountFLOPsOnAHandBuiltGraph(t *testing.T) {
	f, err := CountFLOPs(smallGraph(t))
	if err != nil {
		t.Fatal(err)
	}
	if f.MACs != 6912+128+30 {
		t.Errorf("MACs = %d, want %d", f.MACs, 6912+128+30)
	}
	want := map[string]int64{"Conv": 14080 + 256, "Relu": 256, "MaxPool": 192, "Sigmoid": 336, "MatMul": 60,
		"Pad": 0, "Slice": 0, "Concat": 0, "Resize": 0}
	for op, n := range want {
		if f.ByOp[op] != n {
			t.Errorf("%s: %d FLOPs, want %d", op, f.ByOp[op], n)
		}
	}
	if f.Total != 15180 {
		t.Errorf("total = %d FLOPs, want 15180", f.Total)
	}
}

func TestCountFLOPsRefusesAnUnknownOperator(t *testing.T) {
	m := smallGraph(t)
	m.Op("Einsum", []string{"feat"})
	_, err := CountFLOPs(m)
	if err == nil || !strings.Contains(err.Error(), "Einsum") {
		t.Fatalf("err = %v, want one naming Einsum", err)
	}
}

func TestSliceLenClampsLikeONNX(t *testing.T) {
	for _, c := range []struct{ dim, start, end, step, want int64 }{
		{10, 0, 10, 1, 10}, {10, -3, 1 << 62, 1, 3}, {10, 1, 2, 1, 1}, {10, 0, 10, 3, 4},
		{10, -1, -1 << 62, -1, 10}, {10, 5, 5, 1, 0}, {6, -2, -1, 1, 1},
	} {
		if got := sliceLen(c.dim, c.start, c.end, c.step); got != c.want {
			t.Errorf("len(%d)[%d:%d:%d] = %d, want %d", c.dim, c.start, c.end, c.step, got, c.want)
		}
	}
}
