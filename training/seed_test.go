package training

import (
	"slices"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

func TestManualSeedRepeatsDraws(t *testing.T) {
	draw := func() []float32 {
		x := ts.MustRandn([]int64{8}, Float, gotch.CPU)
		defer x.MustDrop()
		return x.Vals().([]float32)
	}
	ManualSeed(42)
	a := draw()
	b := draw()
	ManualSeed(42)
	c := draw()
	if !slices.Equal(a, c) || slices.Equal(a, b) {
		t.Errorf("seeded draws: a=%v b=%v c=%v; want a == c != b", a, b, c)
	}
}
