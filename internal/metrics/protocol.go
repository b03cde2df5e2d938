package metrics

import (
	"errors"
	"fmt"
	"math"
)

// ErrNoValidPixels is returned for an image whose ground truth has no pixel
// inside the depth range and crop; callers usually skip such an image.
var ErrNoValidPixels = errors.New("no valid ground-truth pixel")

// StereoScale is the factor Monodepth2 applies to depths from stereo-trained
// models: their 0.1 baseline in training units against KITTI's 0.54 m.
const StereoScale = 5.4

// Options selects an evaluation protocol.
type Options struct {
	// Ground truth is valid where MinDepth < gt < MaxDepth; predictions are
	// clamped to [MinDepth, MaxDepth] after scaling.
	MinDepth, MaxDepth float64
	// AnyPositiveGT makes every ground-truth pixel > 0 valid, whatever
	// MinDepth and MaxDepth (which still clamp the predictions): Monodepth2's
	// evaluation of every split but eigen (eigen_benchmark).
	AnyPositiveGT bool
	// GargCrop restricts evaluation to the Garg et al. crop, which removes
	// the sky above the LiDAR's reach and the image borders (Eigen split).
	GargCrop bool
	// MedianScaling multiplies each prediction by median(gt)/median(pred)
	// over its valid pixels: monocular models have no metric scale.
	MedianScaling bool
	// Scale is a fixed factor applied to predictions before median scaling
	// (StereoScale for stereo models); 0 means 1.
	Scale float64
}

// KITTIMono is the Eigen-split protocol for monocular models.
func KITTIMono() Options {
	return Options{MinDepth: 1e-3, MaxDepth: 80, GargCrop: true, MedianScaling: true}
}

// KITTIBenchmark is Monodepth2's protocol for the eigen_benchmark split
// (KITTI's annotated depth maps of the Eigen test frames): as its
// evaluate_depth.py does for any split but eigen, every pixel with ground
// truth counts — no Garg crop, no cap on the ground truth — and the
// predictions are median-scaled and clamped to [1e-3, 80] m.
func KITTIBenchmark() Options {
	return Options{MinDepth: 1e-3, MaxDepth: 80, AnyPositiveGT: true, MedianScaling: true}
}

// KITTIStereo is the Eigen-split protocol for stereo-trained models: a fixed
// metric scale instead of per-image median scaling.
func KITTIStereo() Options {
	return Options{MinDepth: 1e-3, MaxDepth: 80, GargCrop: true, Scale: StereoScale}
}

// Synthetic is the protocol for our synthetic test split: dense ground
// truth with no LiDAR gaps or car bonnet, so no crop; same caps and median
// scaling as KITTI so that the numbers read alike.
func Synthetic() Options {
	return Options{MinDepth: 1e-3, MaxDepth: 80, MedianScaling: true}
}

// GargCrop returns the Garg et al. crop for a w×h ground-truth image as
// half-open ranges rows [r0,r1), cols [c0,c1), computed like Monodepth2
// (fractions of the size, truncated to integers). KITTI's 1242×375 gives
// rows 153..371 and cols 44..1197.
func GargCrop(w, h int) (r0, r1, c0, c1 int) {
	return int(0.40810811 * float64(h)), int(0.99189189 * float64(h)),
		int(0.03594771 * float64(w)), int(0.96405229 * float64(w))
}

// Sample is one image after the protocol: the valid pixels' ground truth and
// scaled, clamped predictions, ready for Compute or a per-class breakdown.
type Sample struct {
	W, H  int
	Pred  []float64
	GT    []float64
	Index []int   // row-major pixel index of each entry in the w×h image
	Ratio float64 // median-scaling ratio applied (1 without median scaling)
}

// Metrics computes the metrics over the sample's valid pixels.
func (s Sample) Metrics() Depth { return Compute(s.Pred, s.GT) }

// Prepare applies the protocol o to a prediction already resized to the w×h
// ground truth (Monodepth2 resizes the disparity bilinearly, then inverts;
// see Resize). Ground truth 0 means "no data".
func Prepare(pred, gt []float32, w, h int, o Options) (Sample, error) {
	return prepare(Widen(pred), Widen(gt), w, h, o)
}

// EvalKITTI evaluates one image under o and returns its metrics and the
// median-scaling ratio applied (1 without median scaling), whose spread
// over a test set RatioSummary reports.
func EvalKITTI(pred, gt []float32, w, h int, o Options) (Depth, float64, error) {
	s, err := Prepare(pred, gt, w, h, o)
	if err != nil {
		return Depth{}, 0, err
	}
	return s.Metrics(), s.Ratio, nil
}

func prepare(pred, gt []float64, w, h int, o Options) (Sample, error) {
	if w <= 0 || h <= 0 || len(gt) != w*h || len(pred) != w*h {
		return Sample{}, fmt.Errorf("metrics: %d predictions and %d ground-truth depths for a %d×%d image", len(pred), len(gt), w, h)
	}
	if !(o.MinDepth < o.MaxDepth) {
		return Sample{}, fmt.Errorf("metrics: depth range [%g, %g] is empty", o.MinDepth, o.MaxDepth)
	}
	s := Sample{W: w, H: h, Ratio: 1}
	r0, r1, c0, c1 := 0, h, 0, w
	if o.GargCrop {
		r0, r1, c0, c1 = GargCrop(w, h)
	}
	fixed := o.Scale
	if fixed == 0 {
		fixed = 1
	}
	for r := r0; r < r1; r++ {
		for c := c0; c < c1; c++ {
			i := r*w + c
			if g := gt[i]; o.valid(g) {
				if p := pred[i]; math.IsNaN(p) || math.IsInf(p, 0) {
					return Sample{}, fmt.Errorf("metrics: prediction at row %d col %d is %g", r, c, p)
				}
				s.GT = append(s.GT, g)
				s.Pred = append(s.Pred, pred[i]*fixed)
				s.Index = append(s.Index, i)
			}
		}
	}
	if len(s.GT) == 0 {
		return Sample{}, ErrNoValidPixels
	}
	if o.MedianScaling {
		s.Ratio = Median(s.GT) / Median(s.Pred)
		for i := range s.Pred {
			s.Pred[i] *= s.Ratio
		}
	}
	for i, p := range s.Pred {
		s.Pred[i] = min(max(p, o.MinDepth), o.MaxDepth)
	}
	return s, nil
}

func (o Options) valid(gt float64) bool {
	if o.AnyPositiveGT {
		return gt > 0
	}
	return gt > o.MinDepth && gt < o.MaxDepth
}

// Widen converts float32 maps to float64.
func Widen(xs []float32) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}
