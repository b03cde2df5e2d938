package metrics

import (
	"fmt"
	"math"
	"slices"
)

// Where X-Distill should act: near semantic boundaries, where photometry
// is ambiguous and depth should jump. These helpers work on w×h maps in
// row-major order; labels use IgnoreLabel for "no class".

// LabelEdges marks every labelled pixel with a 4-neighbour of another
// (labelled) class: both sides of each boundary.
func LabelEdges(labels []uint8, w, h int) []bool {
	out := make([]bool, w*h)
	for y := range h {
		for x := range w {
			i := y*w + x
			a := labels[i]
			if a == IgnoreLabel {
				continue
			}
			for _, j := range neighbours(x, y, w, h) {
				if b := labels[j]; b != IgnoreLabel && b != a {
					out[i] = true
					break
				}
			}
		}
	}
	return out
}

// DepthEdges marks every pixel whose depth differs from a 4-neighbour's by
// more than the ratio 1+jump (both sides of the step). Depth ≤ 0 or not
// finite is "no data" and never an edge.
func DepthEdges(depth []float64, w, h int, jump float64) []bool {
	limit := math.Log1p(jump)
	ok := func(d float64) bool { return d > 0 && !math.IsInf(d, 0) && !math.IsNaN(d) }
	out := make([]bool, w*h)
	for y := range h {
		for x := range w {
			i := y*w + x
			if !ok(depth[i]) {
				continue
			}
			for _, j := range neighbours(x, y, w, h) {
				if ok(depth[j]) && math.Abs(math.Log(depth[i]/depth[j])) > limit {
					out[i] = true
					break
				}
			}
		}
	}
	return out
}

// neighbours are the in-image 4-neighbours of (x, y).
func neighbours(x, y, w, h int) []int {
	out := make([]int, 0, 4)
	if x > 0 {
		out = append(out, y*w+x-1)
	}
	if x+1 < w {
		out = append(out, y*w+x+1)
	}
	if y > 0 {
		out = append(out, (y-1)*w+x)
	}
	if y+1 < h {
		out = append(out, (y+1)*w+x)
	}
	return out
}

// Dilate grows a mask by r pixels in the chessboard metric: a pixel is set
// when any pixel within r rows and r columns is.
func Dilate(mask []bool, w, h, r int) []bool {
	rows := make([]bool, w*h) // horizontal pass, then vertical
	for y := range h {
		for x := range w {
			for dx := max(0, x-r); dx <= min(w-1, x+r); dx++ {
				if mask[y*w+dx] {
					rows[y*w+x] = true
					break
				}
			}
		}
	}
	out := make([]bool, w*h)
	for y := range h {
		for x := range w {
			for dy := max(0, y-r); dy <= min(h-1, y+r); dy++ {
				if rows[dy*w+x] {
					out[y*w+x] = true
					break
				}
			}
		}
	}
	return out
}

// Within is the metrics of the sample's valid pixels inside mask (w×h);
// ok is false when fewer than minPixels of them are.
func (s Sample) Within(mask []bool, minPixels int) (d Depth, ok bool) {
	var pred, gt []float64
	for k, i := range s.Index {
		if mask[i] {
			pred, gt = append(pred, s.Pred[k]), append(gt, s.GT[k])
		}
	}
	if len(gt) < max(minPixels, 1) {
		return Depth{}, false
	}
	return Compute(pred, gt), true
}

// EdgeMatch counts how depth edges line up with label edges: a depth-edge
// pixel is a hit for precision when a label edge lies within Tol pixels,
// a label-edge pixel a hit for recall when a depth edge does. Summed over
// images, so large boundaries weigh more.
type EdgeMatch struct {
	Tol            int
	PredHits, Pred int // depth-edge pixels near a label edge; all depth-edge pixels
	RefHits, Ref   int // label-edge pixels near a depth edge; all label-edge pixels
	Images         int
}

// Add counts one image's depth edges against its label edges.
func (e *EdgeMatch) Add(depthEdges, labelEdges []bool, w, h int) {
	nearLabel := Dilate(labelEdges, w, h, e.Tol)
	nearDepth := Dilate(depthEdges, w, h, e.Tol)
	for i := range depthEdges {
		if depthEdges[i] {
			e.Pred++
			if nearLabel[i] {
				e.PredHits++
			}
		}
		if labelEdges[i] {
			e.Ref++
			if nearDepth[i] {
				e.RefHits++
			}
		}
	}
	e.Images++
}

// Precision is the share of depth edges that lie on a label boundary.
func (e EdgeMatch) Precision() float64 { return ratio(e.PredHits, e.Pred) }

// Recall is the share of label boundaries that a depth edge follows.
func (e EdgeMatch) Recall() float64 { return ratio(e.RefHits, e.Ref) }

// F1 is the harmonic mean of precision and recall.
func (e EdgeMatch) F1() float64 {
	p, r := e.Precision(), e.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// LevelLookup measures the class-map shortcut: how many labelled pixels a
// per-image lookup from disparity level alone classifies correctly. The
// image's disparity range is cut into bins equal steps; each bin predicts
// the most frequent label among its pixels, fitted on the image itself
// (an oracle for these bins, not a classifier that generalises). It
// returns the correct and the labelled pixel counts.
func LevelLookup(disp []float32, labels []uint8, bins int) (correct, total int, err error) {
	if len(disp) != len(labels) {
		return 0, 0, fmt.Errorf("metrics: %d disparities for %d labels", len(disp), len(labels))
	}
	if bins < 1 {
		return 0, 0, fmt.Errorf("metrics: level lookup with %d bins", bins)
	}
	for i, d := range disp {
		if labels[i] != IgnoreLabel && (math.IsNaN(float64(d)) || math.IsInf(float64(d), 0)) {
			return 0, 0, fmt.Errorf("metrics: disparity %g at pixel %d", d, i)
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, d := range disp {
		if labels[i] != IgnoreLabel {
			lo, hi = min(lo, float64(d)), max(hi, float64(d))
		}
	}
	counts := make([][256]int, bins)
	for i, d := range disp {
		l := labels[i]
		if l == IgnoreLabel {
			continue
		}
		b := 0
		if hi > lo {
			b = min(bins-1, int(float64(bins)*(float64(d)-lo)/(hi-lo)))
		}
		counts[b][l]++
		total++
	}
	for _, c := range counts {
		correct += slices.Max(c[:])
	}
	return correct, total, nil
}

// FarShare is the share of the pixels in mask whose depth exceeds limit:
// for sky, predicted farther than the scene's far ground truth.
func FarShare(depth []float64, mask []bool, limit float64) (far, n int) {
	for i, m := range mask {
		if m {
			n++
			if depth[i] > limit {
				far++
			}
		}
	}
	return far, n
}

// Percentile is the p-th percentile (0..100, nearest rank) of xs; 0 for none.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	k := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(k, 0), len(s)-1)]
}

// Geometry accumulates, over labelled test images, the metrics where
// photometry is ambiguous: Abs Rel in a band around label boundaries, how
// depth edges line up with label edges (for the prediction and, as the
// reachable reference, the ground truth), sky predicted far, and the
// class-map shortcut (LevelLookup). Only pixels with valid ground truth
// take part in the edge maps, so both sides see the same domain.
type Geometry struct {
	BandRadius    int     // pixels around a label boundary
	BandMinPixels int     // fewest valid band pixels for an image to count
	EdgeJump      float64 // depth ratio − 1 that makes an edge
	LevelBins     int
	Sky           uint8 // the sky's label (IgnoreLabel: no sky metric)

	Band             Accumulator // one entry per image with enough band pixels
	Edges, GTEdges   EdgeMatch
	SkyFar, SkyN     int
	LevelHit, LevelN int
	// GTLevelHit is LevelLookup on the ground truth's disparity (no data
	// as one level): how far levels alone separate the classes in the
	// true scene, the reference for LevelHit.
	GTLevelHit int
}

// NewGeometry is the setting the reports use: a 3 px band, edges at a 25 %
// depth step matched within 2 px, 32 disparity levels.
func NewGeometry(sky uint8) *Geometry {
	return &Geometry{BandRadius: 3, BandMinPixels: 20, EdgeJump: 0.25, LevelBins: 32, Sky: sky,
		Edges: EdgeMatch{Tol: 2}, GTEdges: EdgeMatch{Tol: 2}}
}

// Add scores one image: s is the protocol's sample, pred the w×h predicted
// depth before scaling, gt the w×h ground truth (≤ 0 = none), disp the
// w×h disparity the network gave, labels the w×h labels.
func (g *Geometry) Add(s Sample, pred, gt []float64, disp []float32, labels []uint8) error {
	w, h := s.W, s.H
	if len(pred) != w*h || len(gt) != w*h || len(disp) != w*h || len(labels) != w*h {
		return fmt.Errorf("metrics: geometry of a %d×%d image got %d predictions, %d ground truths, %d disparities, %d labels",
			w, h, len(pred), len(gt), len(disp), len(labels))
	}
	valid := make([]bool, w*h)
	for _, i := range s.Index {
		valid[i] = true
	}
	onValid := slices.Clone(labels)
	scaled := make([]float64, w*h)
	for i := range scaled {
		if valid[i] {
			scaled[i] = pred[i] * s.Ratio
		} else {
			onValid[i] = IgnoreLabel
		}
	}
	// The band counts every boundary, sky's included (Within keeps only
	// the valid pixels); the edge maps compare on valid pixels alone.
	if d, ok := s.Within(Dilate(LabelEdges(labels, w, h), w, h, g.BandRadius), g.BandMinPixels); ok {
		g.Band.Add(d)
	}
	labelEdges := LabelEdges(onValid, w, h)
	g.Edges.Add(DepthEdges(scaled, w, h, g.EdgeJump), labelEdges, w, h)
	g.GTEdges.Add(DepthEdges(maskedGT(gt, valid), w, h, g.EdgeJump), labelEdges, w, h)
	if g.Sky != IgnoreLabel {
		sky := make([]bool, w*h)
		for i, l := range labels {
			sky[i] = l == g.Sky
		}
		far, n := FarShare(scaledAll(pred, s.Ratio), sky, Percentile(s.GT, 95))
		g.SkyFar, g.SkyN = g.SkyFar+far, g.SkyN+n
	}
	hit, n, err := LevelLookup(disp, labels, g.LevelBins)
	if err != nil {
		return err
	}
	gtHit, _, err := LevelLookup(inverse(gt), labels, g.LevelBins)
	if err != nil {
		return err
	}
	g.LevelHit, g.LevelN, g.GTLevelHit = g.LevelHit+hit, g.LevelN+n, g.GTLevelHit+gtHit
	return nil
}

// GTLevelAccuracy is LevelLookup's accuracy on the ground truth.
func (g *Geometry) GTLevelAccuracy() float64 { return ratio(g.GTLevelHit, g.LevelN) }

// inverse is 1/d, 0 where d ≤ 0 or not finite.
func inverse(depth []float64) []float32 {
	out := make([]float32, len(depth))
	for i, d := range depth {
		if d > 0 && !math.IsInf(d, 0) {
			out[i] = float32(1 / d)
		}
	}
	return out
}

// SkyFarShare is the share of sky pixels predicted farther than the 95th
// percentile of their image's valid ground truth.
func (g *Geometry) SkyFarShare() float64 { return ratio(g.SkyFar, g.SkyN) }

// LevelAccuracy is LevelLookup's accuracy over all labelled pixels.
func (g *Geometry) LevelAccuracy() float64 { return ratio(g.LevelHit, g.LevelN) }

func maskedGT(gt []float64, valid []bool) []float64 {
	out := make([]float64, len(gt))
	for i, v := range valid {
		if v {
			out[i] = gt[i]
		}
	}
	return out
}

func scaledAll(pred []float64, r float64) []float64 {
	out := make([]float64, len(pred))
	for i, p := range pred {
		out[i] = p * r
	}
	return out
}
