package metrics

import (
	"math"
	"slices"
	"testing"
)

// boolMap turns rows of '#' and '.' into a mask.
func boolMap(rows ...string) []bool {
	var out []bool
	for _, r := range rows {
		for _, c := range r {
			out = append(out, c == '#')
		}
	}
	return out
}

func TestLabelEdgesMarkBothSidesAndSkipIgnore(t *testing.T) {
	const I = IgnoreLabel
	labels := []uint8{
		0, 0, 1, 1,
		0, 0, 1, 1,
		I, I, I, 1,
	}
	want := boolMap(
		".##.",
		".##.",
		"....",
	)
	if got := LabelEdges(labels, 4, 3); !slices.Equal(got, want) {
		t.Errorf("LabelEdges = %v, want %v", got, want)
	}
}

func TestDepthEdgesAtRatioJumps(t *testing.T) {
	depth := []float64{
		10, 10, 12, 30,
		10, 10, 12, 0, // 0: no data, never an edge, nor a neighbour's
	}
	// 10→12 is a 20 % step (no edge at 25 %); 12→30 is 150 %.
	want := boolMap(
		"..##",
		"....",
	)
	if got := DepthEdges(depth, 4, 2, 0.25); !slices.Equal(got, want) {
		t.Errorf("DepthEdges = %v, want %v", got, want)
	}
}

func TestDilateIsAChessboardSquare(t *testing.T) {
	m := boolMap(
		".....",
		".....",
		"..#..",
		".....",
		".....",
	)
	want := boolMap(
		".....",
		".###.",
		".###.",
		".###.",
		".....",
	)
	if got := Dilate(m, 5, 5, 1); !slices.Equal(got, want) {
		t.Errorf("Dilate r=1 = %v", got)
	}
	if got := Dilate(m, 5, 5, 0); !slices.Equal(got, m) {
		t.Error("Dilate r=0 changed the mask")
	}
}

func TestEdgeMatchPrecisionRecall(t *testing.T) {
	// Label edge: column 2. Depth edges: column 3 in rows 0-1 (1 px off:
	// hits at tol 1) and column 0 in rows 2-3 (2 px off: misses). The
	// square tolerance reaches the label edge's row 2 from row 1: 3 of 4.
	label := boolMap("..#..", "..#..", "..#..", "..#..")
	depth := boolMap("...#.", "...#.", "#....", "#....")
	e := EdgeMatch{Tol: 1}
	e.Add(depth, label, 5, 4)
	if e.Pred != 4 || e.PredHits != 2 || e.Ref != 4 || e.RefHits != 3 {
		t.Fatalf("counts %+v, want 2 of 4 depth edges, 3 of 4 label edges", e)
	}
	if e.Precision() != 0.5 || e.Recall() != 0.75 || math.Abs(e.F1()-0.6) > 1e-12 {
		t.Errorf("P %g R %g F1 %g, want 0.5, 0.75, 0.6", e.Precision(), e.Recall(), e.F1())
	}
	var none EdgeMatch
	if none.Precision() != 0 || none.F1() != 0 {
		t.Error("empty match is not 0")
	}
}

func TestLevelLookup(t *testing.T) {
	// Two classes on two disparity levels: a lookup gets every pixel.
	disp := []float32{0.1, 0.1, 0.9, 0.9, 0.1, 0.9}
	labels := []uint8{3, 3, 5, 5, 3, 5}
	c, n, err := LevelLookup(disp, labels, 32)
	if err != nil || c != 6 || n != 6 {
		t.Errorf("separable: %d of %d, %v; want 6 of 6", c, n, err)
	}
	// A constant disparity says nothing: the majority class, 4 of 6.
	flat := []float32{0.5, 0.5, 0.5, 0.5, 0.5, 0.5}
	labels = []uint8{1, 1, 1, 2, 2, 1}
	if c, n, _ := LevelLookup(flat, labels, 32); c != 4 || n != 6 {
		t.Errorf("constant: %d of %d, want 4 of 6", c, n)
	}
	// Ignored pixels count for nothing, and do not stretch the range.
	labels = []uint8{1, IgnoreLabel, 2, 2, 1, IgnoreLabel}
	disp = []float32{0.2, 100, 0.4, 0.4, 0.2, -100}
	if c, n, _ := LevelLookup(disp, labels, 2); c != 4 || n != 4 {
		t.Errorf("with ignore: %d of %d, want 4 of 4", c, n)
	}
	if _, _, err := LevelLookup(disp, labels[:2], 2); err == nil {
		t.Error("size mismatch accepted")
	}
	if _, _, err := LevelLookup(disp, labels, 0); err == nil {
		t.Error("0 bins accepted")
	}
	disp[0] = float32(math.NaN())
	if _, _, err := LevelLookup(disp, labels, 2); err == nil {
		t.Error("NaN disparity accepted")
	}
}

func TestSampleWithinAndPercentile(t *testing.T) {
	s := Sample{W: 2, H: 2, Pred: []float64{2, 4, 8}, GT: []float64{2, 2, 4}, Index: []int{0, 1, 3}, Ratio: 1}
	d, ok := s.Within([]bool{false, true, true, true}, 1)
	// pixels 1 and 3: |4−2|/2 = 1 and |8−4|/4 = 1.
	if !ok || d.AbsRel != 1 {
		t.Errorf("Within = %v %v, want Abs Rel 1", d.AbsRel, ok)
	}
	if _, ok := s.Within([]bool{true, false, false, false}, 2); ok {
		t.Error("1 pixel passed a minimum of 2")
	}
	if p := Percentile([]float64{5, 1, 4, 2, 3}, 95); p != 5 {
		t.Errorf("p95 = %g", p)
	}
	if p := Percentile([]float64{5, 1, 4, 2, 3}, 40); p != 2 {
		t.Errorf("p40 = %g", p)
	}
}

// A hand-made 6×4 scene: a near box (label 1, 5 m) on a far wall (label 0,
// 20 m), sky (label 2, no ground truth) on the top row.
func TestGeometryOnAHandMadeScene(t *testing.T) {
	const w, h = 6, 4
	labels := []uint8{
		2, 2, 2, 2, 2, 2,
		0, 0, 0, 0, 0, 0,
		0, 1, 1, 0, 0, 0,
		0, 1, 1, 0, 0, 0,
	}
	gt := make([]float64, w*h)
	for i, l := range labels {
		switch l {
		case 0:
			gt[i] = 20
		case 1:
			gt[i] = 5
		}
	}
	disp := make([]float32, w*h)
	for i := range gt {
		disp[i] = 0.1
		if gt[i] > 0 {
			disp[i] = float32(1 / gt[i])
		}
	}
	// A perfect prediction with the sky at 100 m.
	pred := slices.Clone(gt)
	for i, l := range labels {
		if l == 2 {
			pred[i] = 100
		}
	}
	o := Synthetic()
	o.MedianScaling = false
	s, err := prepare(pred, gt, w, h, o)
	if err != nil {
		t.Fatal(err)
	}
	g := NewGeometry(2)
	g.BandRadius = 0
	if err := g.Add(s, pred, gt, disp, labels); err != nil {
		t.Fatal(err)
	}
	if g.Band.Len() != 0 {
		t.Errorf("band with 20-pixel minimum on a 24-pixel image: %d entries", g.Band.Len())
	}
	// Perfect depth: every depth edge is a label edge and back.
	if g.Edges.Precision() != 1 || g.Edges.Recall() != 1 || g.Edges != g.GTEdges {
		t.Errorf("edges %+v vs ground truth %+v, want identical and perfect", g.Edges, g.GTEdges)
	}
	if g.SkyFarShare() != 1 {
		t.Errorf("sky at 100 m beyond a 20 m scene: share %g, want 1", g.SkyFarShare())
	}
	if g.GTLevelAccuracy() != 1 {
		t.Errorf("ground truth: level accuracy %g, want 1 (sky as the no-data level)", g.GTLevelAccuracy())
	}
	if g.LevelAccuracy() != 1 {
		t.Errorf("three classes on three disparities: level accuracy %g, want 1", g.LevelAccuracy())
	}
	// A flat prediction: no depth edge, sky not far, levels say nothing.
	flat := make([]float64, w*h)
	for i := range flat {
		flat[i] = 10
	}
	s, _ = prepare(flat, gt, w, h, o)
	g = NewGeometry(2)
	g.BandRadius, g.BandMinPixels = 0, 1
	if err := g.Add(s, flat, gt, make([]float32, w*h), labels); err != nil {
		t.Fatal(err)
	}
	if g.Edges.Pred != 0 || g.Edges.Recall() != 0 || g.SkyFarShare() != 0 {
		t.Errorf("flat: edges %+v, sky far %g", g.Edges, g.SkyFarShare())
	}
	if want := 14.0 / 24; math.Abs(g.LevelAccuracy()-want) > 1e-12 {
		t.Errorf("flat: level accuracy %g, want the majority share %g", g.LevelAccuracy(), want)
	}
	// The band at radius 0 is every label edge's valid pixels, the sky's
	// boundary included: 10 wall pixels (the row under the sky and the
	// box's sides; 20 m, Abs Rel 0.5) and the 4 box pixels (5 m, 1).
	if g.Band.Len() != 1 || math.Abs(g.Band.Mean().AbsRel-9.0/14) > 1e-12 {
		t.Errorf("band: %d entries, Abs Rel %g; want 1 entry of 9/14", g.Band.Len(), g.Band.Mean().AbsRel)
	}
	if err := g.Add(s, flat[:3], gt, nil, labels); err == nil {
		t.Error("mismatched sizes accepted")
	}
}
