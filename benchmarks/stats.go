package benchmarks

import (
	"math"
	"slices"
	"time"
)

// Percentile is the p-th percentile (0..100) of v with linear
// interpolation between the closest ranks (NumPy's default), so p50 of an
// even count is the mean of the middle two. NaN for no values.
func Percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	r := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(r))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (r-float64(lo))*(s[hi]-s[lo])
}

// Latency summarises timed runs in milliseconds.
type Latency struct {
	N        int
	P50, P95 float64 // ms
	Min      float64 // ms
}

// Summarize turns run times into a Latency.
func Summarize(ds []time.Duration) Latency {
	ms := make([]float64, len(ds))
	for i, d := range ds {
		ms[i] = float64(d.Nanoseconds()) / 1e6
	}
	return Latency{N: len(ms), P50: Percentile(ms, 50), P95: Percentile(ms, 95), Min: Percentile(ms, 0)}
}
