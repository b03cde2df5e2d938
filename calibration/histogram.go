package calibration

import (
	"fmt"
	"math"
)

// Bins is the histogram resolution TensorRT's calibrators use: 2048 bins
// of |x| over [0, max|x|].
const Bins = 2048

// Stats is what calibration learns about one tensor: its exact extremes
// and, once the range is known (second pass), a histogram of |x|.
type Stats struct {
	Min, Max float64 // over every value seen
	Count    int64   // values seen in the first pass
	Hist     []int64 // Bins counts over [0, Width·Bins); nil until Init
	Width    float64 // bin width
}

// NewStats starts an empty record.
func NewStats() *Stats { return &Stats{Min: math.Inf(1), Max: math.Inf(-1)} }

// AbsMax is max |x| seen (0 when nothing was seen).
func (s *Stats) AbsMax() float64 {
	if s.Count == 0 {
		return 0
	}
	return math.Max(math.Abs(s.Min), math.Abs(s.Max))
}

// Observe records extremes (first pass).
func (s *Stats) Observe(xs []float32) {
	lo, hi := s.Min, s.Max
	for _, v := range xs {
		f := float64(v)
		if f < lo {
			lo = f
		}
		if f > hi {
			hi = f
		}
	}
	s.Min, s.Max = lo, hi
	s.Count += int64(len(xs))
}

// InitHist fixes the histogram range to [0, AbsMax] for the second pass.
// A tensor that was all zeros gets a unit range so every method agrees on
// a harmless scale.
func (s *Stats) InitHist() {
	amax := s.AbsMax()
	if !(amax > 0) || math.IsInf(amax, 0) {
		amax = 1
	}
	s.Hist = make([]int64, Bins)
	s.Width = amax / Bins
}

// Accumulate adds |x| to the histogram (second pass). Values beyond the
// range (possible only if the frames changed between passes) land in the
// last bin, where clipping would put them anyway.
func (s *Stats) Accumulate(xs []float32) {
	inv := 1 / s.Width
	h := s.Hist
	for _, v := range xs {
		a := float64(v)
		if a < 0 {
			a = -a
		}
		b := int(a * inv)
		if b >= Bins || b < 0 { // b < 0: NaN
			b = Bins - 1
		}
		h[b]++
	}
}

// Method chooses a tensor's range from its statistics.
type Method string

// Calibration methods.
const (
	Entropy    Method = "entropy"    // minimise KL(P‖Q), TensorRT's entropy calibrator
	Percentile Method = "percentile" // the given percentile of |x|
	MinMax     Method = "minmax"     // max |x|
)

// ParseMethod reads a --method value.
func ParseMethod(s string) (Method, error) {
	switch m := Method(s); m {
	case Entropy, Percentile, MinMax:
		return m, nil
	}
	return "", fmt.Errorf("method %q: want entropy, percentile or minmax", s)
}

// DefaultPercentile is the percentile of |x| used by Percentile.
const DefaultPercentile = 99.99

// Threshold is the clipping value T of the symmetric range [−T, T] the
// method picks; the int8 scale is T/127.
func (s *Stats) Threshold(m Method, percentile float64) (float64, error) {
	if m == MinMax {
		if amax := s.AbsMax(); amax > 0 {
			return amax, nil
		}
		return 1, nil
	}
	if s.Hist == nil {
		return 0, fmt.Errorf("%s calibration needs a histogram (second pass missing)", m)
	}
	switch m {
	case Entropy:
		return EntropyThreshold(s.Hist, s.Width), nil
	case Percentile:
		return PercentileThreshold(s.Hist, s.Width, percentile), nil
	}
	return 0, fmt.Errorf("method %q: want entropy, percentile or minmax", m)
}
