package benchmarks

import (
	"math"
	"testing"
	"time"
)

func TestPercentileInterpolatesBetweenRanks(t *testing.T) {
	hundred := make([]float64, 101)
	for i := range hundred {
		hundred[i] = float64(100 - i) // unsorted on purpose
	}
	for _, c := range []struct {
		v    []float64
		p    float64
		want float64
	}{
		{[]float64{4, 1, 3, 2}, 50, 2.5}, {[]float64{4, 1, 3, 2}, 0, 1}, {[]float64{4, 1, 3, 2}, 100, 4},
		{[]float64{1, 2, 3, 4, 5}, 50, 3}, {hundred, 95, 95}, {[]float64{10, 20}, 95, 19.5}, {[]float64{7}, 95, 7},
	} {
		if got := Percentile(c.v, c.p); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("p%g of %v = %g, want %g", c.p, c.v, got, c.want)
		}
	}
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Error("p50 of nothing is not NaN")
	}
}

func TestSummarizeInMilliseconds(t *testing.T) {
	l := Summarize([]time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond})
	if l.N != 3 || l.P50 != 2 || l.Min != 1 || math.Abs(l.P95-2.9) > 1e-12 {
		t.Errorf("Summarize = %+v, want N 3, p50 2, p95 2.9, min 1", l)
	}
}

func TestSummarizeRatio(t *testing.T) {
	// The harness's old figure: pairs 0.41, 0.65, 1.86 are noise.
	r := SummarizeRatio([]float64{0.41, 0.65, 1.86}, 1)
	if r.Conclusive || !r.BelowFloor || r.Median != 0.65 {
		t.Errorf("noisy pairs: %+v", r)
	}
	r = SummarizeRatio([]float64{1.08, 1.05, 1.10}, 1)
	if !r.Conclusive || r.Median != 1.08 || math.Abs(r.Spread-0.05/1.08) > 1e-12 {
		t.Errorf("agreeing pairs: %+v", r)
	}
	if r := SummarizeRatio([]float64{1.4, 1.2}, 0); r.Conclusive {
		t.Errorf("pairs 14 %% apart concluded: %+v", r)
	}
	if r := SummarizeRatio([]float64{1.1}, 0); r.Conclusive {
		t.Errorf("one pair concluded: %+v", r)
	}
	// A small true overhead: rounds just under 1 are within the spread.
	if r := SummarizeRatio([]float64{0.99, 1.01, 1.02}, 1); !r.Conclusive || r.BelowFloor {
		t.Errorf("rounds around 1.00: %+v", r)
	}
}
