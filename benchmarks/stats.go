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

// MaxRatioSpread is how far apart (max − min over the median) the pairs
// of a speed ratio may lie for the median to be reported as a result.
const MaxRatioSpread = 0.10

// Ratio summarises the ratios of alternating pairs: their median and
// spread, and whether they agree well enough to conclude. floor, when
// > 0, is a bound no true ratio can cross (a step that contains another
// cannot be faster than it): a pair beyond it is noise, so nothing is
// concluded either.
type Ratio struct {
	Pairs            []float64
	Median, Min, Max float64
	Spread           float64 // (Max − Min) / Median
	Conclusive       bool
	BelowFloor       bool
}

// SummarizeRatio is the Ratio of pairs.
func SummarizeRatio(pairs []float64, floor float64) Ratio {
	r := Ratio{Pairs: pairs}
	if len(pairs) == 0 {
		return r
	}
	r.Median, r.Min, r.Max = Percentile(pairs, 50), slices.Min(pairs), slices.Max(pairs)
	r.Spread = (r.Max - r.Min) / r.Median
	// A round a little below the floor is within the spread allowed; one
	// further below can only be noise.
	r.BelowFloor = floor > 0 && r.Min < floor*(1-MaxRatioSpread)
	r.Conclusive = len(pairs) >= 2 && r.Spread <= MaxRatioSpread && !r.BelowFloor
	return r
}
