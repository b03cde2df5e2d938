package benchmarks

import (
	"fmt"
	"math"
	"sort"
)

// MinSpread is the least p95 − p5 a reference disparity (sigmoid, in
// (0, 1)) must span before runtimes are compared on it: a constant or
// saturated output agrees with anything, INT8 included, and would make
// a max |Δ| of 0 look like exactness.
const MinSpread = 0.1

// MinInside is the least fraction of a reference disparity that must lie
// off the sigmoid's flat ends, in (0.01, 0.99): where it is saturated the
// output barely moves whatever the network computes.
const MinInside = 0.5

// Spread is the 5th and 95th percentile of an output and the fraction of
// it inside (0.01, 0.99).
type Spread struct{ P5, P95, Inside float64 }

// Width is P95 − P5.
func (s Spread) Width() float64 { return s.P95 - s.P5 }

// SpreadOf measures v (NaNs count as no spread).
func SpreadOf(v []float32) Spread {
	xs := make([]float64, 0, len(v))
	inside := 0
	for _, x := range v {
		if math.IsNaN(float64(x)) {
			return Spread{}
		}
		if x > 0.01 && x < 0.99 {
			inside++
		}
		xs = append(xs, float64(x))
	}
	if len(xs) == 0 {
		return Spread{}
	}
	sort.Float64s(xs)
	return Spread{P5: Percentile(xs, 5), P95: Percentile(xs, 95), Inside: float64(inside) / float64(len(xs))}
}

// CheckSpread refuses a reference output that carries too little
// information for a comparison against it to mean anything.
func CheckSpread(what string, ref []float32, min float64) error {
	s := SpreadOf(ref)
	if !(s.Width() >= min) || !(s.Inside >= MinInside) {
		return fmt.Errorf("%s: the reference output spans %.3g (p5 %.3g, p95 %.3g; want ≥ %g) with %.0f %% of it off the sigmoid's flat ends (want ≥ %.0f %%): constant or saturated, so agreement with it proves nothing; use weights whose output varies",
			what, s.Width(), s.P5, s.P95, min, 100*s.Inside, 100*MinInside)
	}
	return nil
}
