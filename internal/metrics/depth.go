package metrics

import (
	"fmt"
	"math"
)

// Depth holds the error and accuracy metrics of one image, or their mean
// over a test set.
type Depth struct {
	AbsRel  float64 // mean |gt-pred|/gt
	SqRel   float64 // mean (gt-pred)²/gt
	RMSE    float64 // sqrt(mean (gt-pred)²), metres
	RMSELog float64 // sqrt(mean (ln gt - ln pred)²)
	A1      float64 // fraction with max(gt/pred, pred/gt) < 1.25
	A2      float64 // ... < 1.25²
	A3      float64 // ... < 1.25³
	Log10   float64 // mean |log10 gt - log10 pred| (Make3D)
	// Count is the number of valid pixels the metrics were computed over; in
	// a mean over images it is their total.
	Count int
}

// Thresholds of the δ accuracies; powers of 1.25 are exact in binary.
const (
	delta1 = 1.25
	delta2 = 1.25 * 1.25
	delta3 = 1.25 * 1.25 * 1.25
)

// RMSELog10 is the root mean square of log10 errors. Monodepth2's published
// Make3D "log10" column is this quantity (their script computes the RMSE of
// log10 depths), not the mean absolute Log10. It equals RMSELog/ln 10, and
// stays exact under averaging over images because the relation is linear.
func (d Depth) RMSELog10() float64 { return d.RMSELog / math.Ln10 }

// Compute returns the metrics over paired depths. Every pair is taken as
// valid: callers apply masks, scaling and clamping first (see Prepare).
// Depths must be positive. It panics if the slices differ in length, which
// is a programming error.
func Compute(pred, gt []float64) Depth {
	if len(pred) != len(gt) {
		panic(fmt.Sprintf("metrics.Compute: %d predictions for %d ground-truth depths", len(pred), len(gt)))
	}
	var s Depth
	for i, g := range gt {
		p := pred[i]
		diff := g - p
		s.AbsRel += math.Abs(diff) / g
		s.SqRel += diff * diff / g
		s.RMSE += diff * diff
		l := math.Log(g) - math.Log(p)
		s.RMSELog += l * l
		s.Log10 += math.Abs(math.Log10(g) - math.Log10(p))
		t := math.Max(g/p, p/g)
		s.A1 += indicator(t < delta1)
		s.A2 += indicator(t < delta2)
		s.A3 += indicator(t < delta3)
	}
	n := len(gt)
	if n == 0 {
		return Depth{}
	}
	f := 1 / float64(n)
	return Depth{
		AbsRel:  s.AbsRel * f,
		SqRel:   s.SqRel * f,
		RMSE:    math.Sqrt(s.RMSE * f),
		RMSELog: math.Sqrt(s.RMSELog * f),
		A1:      s.A1 * f,
		A2:      s.A2 * f,
		A3:      s.A3 * f,
		Log10:   s.Log10 * f,
		Count:   n,
	}
}

func indicator(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// fields lists the averaged metrics so that mean and std treat all alike.
func (d *Depth) fields() []*float64 {
	return []*float64{&d.AbsRel, &d.SqRel, &d.RMSE, &d.RMSELog, &d.A1, &d.A2, &d.A3, &d.Log10}
}
