package ablation

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/metrics"
)

func TestStatIsSampleStd(t *testing.T) {
	s := statOf([]float64{1, 2, 3})
	if s.N != 3 || s.Mean != 2 || s.Std != 1 || math.Abs(s.SE()-1/math.Sqrt(3)) > 1e-15 {
		t.Errorf("stat %+v SE %g; want mean 2, std 1 (n−1), SE 1/√3", s, s.SE())
	}
	if one := statOf([]float64{5}); one.Std != 0 || !math.IsNaN(one.SE()) {
		t.Errorf("one seed: %+v", one)
	}
}

func TestCompareAppliesTheGoal(t *testing.T) {
	base := Stat{N: 3, Mean: 0.200, Std: 0.004}
	for _, c := range []struct {
		name         string
		arm          Stat
		meets, worse bool
	}{
		// −10 %, gap 0.02 ≫ 2 SE (≈ 0.0065).
		{"clear gain", Stat{N: 3, Mean: 0.180, Std: 0.004}, true, false},
		// −10 % but the seeds spread so much that 2 SE ≈ 0.033.
		{"gain inside the spread", Stat{N: 3, Mean: 0.180, Std: 0.028}, false, false},
		// −3 %: beyond 2 SE but short of 5 %.
		{"small gain", Stat{N: 3, Mean: 0.194, Std: 0.001}, false, false},
		{"worse", Stat{N: 3, Mean: 0.220, Std: 0.004}, false, true},
	} {
		v := Compare(c.arm, base)
		if v.Meets != c.meets || v.Worse != c.worse || !v.Enough {
			t.Errorf("%s: %+v (%s)", c.name, v, v)
		}
	}
	if v := Compare(Stat{N: 1, Mean: 0.1}, base); v.Enough || v.Meets || !strings.Contains(v.String(), "no verdict") {
		t.Errorf("one seed: %+v %s", v, v)
	}
}

func run(arm string, seed int64, absRel ...float64) Run {
	r := Run{Arm: arm, Seed: seed, Steps: 100 * len(absRel), Key: "k", Scoring: ScoringVersion}
	for i, a := range absRel {
		p := Point{Step: 100 * (i + 1)}
		p.Test.Depth.AbsRel, p.Shifted.Depth.AbsRel = a, a+0.01
		p.Test.ByGroup = map[string]float64{"thin": a * 2}
		p.Test.Level, p.Test.GTLevel, p.Test.Translator = 0.4, 0.5, 0.8
		r.Curve = append(r.Curve, p)
	}
	return r
}

func TestScoresFileRoundTripAndStaleness(t *testing.T) {
	dir := t.TempDir()
	if _, ok, err := ReadRun(dir, "k", 200); ok || err != nil {
		t.Fatalf("no file: ok %v, err %v", ok, err)
	}
	r := run("baseline", 1, 0.3, 0.2)
	if err := WriteRun(dir, r); err != nil {
		t.Fatal(err)
	}
	got, ok, err := ReadRun(dir, "k", 200)
	if err != nil || !ok || got.Final().Test.Depth.AbsRel != 0.2 || len(got.Curve) != 2 {
		t.Errorf("read back %+v ok %v err %v", got, ok, err)
	}
	if _, ok, err := ReadRun(dir, "other config", 200); ok || err == nil || !strings.Contains(err.Error(), "another config") {
		t.Errorf("scores of another config: ok %v, %v", ok, err)
	}
	if _, ok, _ := ReadRun(dir, "k", 400); ok {
		t.Error("scores of a shorter run reused for a longer one")
	}
	r.Scoring--
	if err := WriteRun(dir, r); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ReadRun(dir, "k", 200); ok || err != nil {
		t.Errorf("scores of an older scoring version: ok %v, %v; want a rescore", ok, err)
	}
	os.WriteFile(filepath.Join(dir, ScoresFile), []byte("{"), 0o644)
	if _, _, err := ReadRun(dir, "k", 200); err == nil || !strings.Contains(err.Error(), ScoresFile) {
		t.Errorf("corrupt scores: %v", err)
	}
}

func TestMarkdownAndCurves(t *testing.T) {
	r := Report{Title: "T", Header: "H", Groups: []string{"ground", "thin"},
		Arms: []Arm{{Name: "baseline", Sets: []string{"distill.lambda=0"}}, {Name: "xdistill", Distills: true}, {Name: "later"}},
		Runs: map[string][]Run{
			"baseline": {run("baseline", 1, 0.30, 0.20), run("baseline", 2, 0.31, 0.21), run("baseline", 3, 0.29, 0.19)},
			"xdistill": {run("xdistill", 1, 0.30, 0.17), run("xdistill", 2, 0.31, 0.18), run("xdistill", 3, 0.29, 0.16)},
		},
		CurvesPNG: "c.png"}
	md := r.Markdown()
	for _, want := range []string{
		"| baseline | `distill.lambda=0` | 1, 2, 3 |", "| later | – | – |",
		"| baseline | 0.2000 ± 0.0100 |", "reference", "-15.0 %", "**meets the goal**", "paired by seed -15.0 ± 0.4 % (SE)",
		"| later | not run yet", "| xdistill | 0.400 ± 0.000 | 0.800 ± 0.000 | 0.50 |",
		"| ground truth (reference) | 0.500 |", "| arm | 100 | 200 |", "| xdistill | 0.300 ± 0.010 | 0.170 ± 0.010 |",
		"| baseline | – | 0.400 ± 0.020 |", "![learning curves](c.png)", "seeds both ran: 3",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	img, err := r.Curves()
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dy() <= b.Dx()/2 {
		t.Errorf("curves %v: want two stacked panels", b)
	}
}

func TestFromEval(t *testing.T) {
	g := metrics.NewGeometry(2)
	g.Band.Add(metrics.Depth{AbsRel: 0.25, Count: 30})
	g.Edges = metrics.EdgeMatch{PredHits: 1, Pred: 2, RefHits: 1, Ref: 4}
	g.SkyFar, g.SkyN, g.LevelHit, g.LevelN, g.GTLevelHit = 3, 4, 5, 10, 9
	s := FromEval(metrics.Depth{AbsRel: 0.1}, nil, nil, g)
	if s.Band != 0.25 || s.EdgePrecision != 0.5 || s.EdgeRecall != 0.25 || s.SkyFar != 0.75 || s.Level != 0.5 || s.GTLevel != 0.9 {
		t.Errorf("FromEval = %+v", s)
	}
}

// The verdict compares the seeds both arms finished, and unmeasured
// scores read as – rather than 0.
func TestVerdictOnCommonSeedsAndMissingScores(t *testing.T) {
	base := []Run{run("baseline", 1, 0.20), run("baseline", 2, 0.21), run("baseline", 3, 0.40)}
	arm := []Run{run("x", 1, 0.17), run("x", 2, 0.18)}
	arm[0].Curve[0].Test.Band, arm[1].Curve[0].Test.Band = NA, NA
	delete(arm[0].Curve[0].Test.ByGroup, "thin")
	delete(arm[1].Curve[0].Test.ByGroup, "thin")
	r := Report{Title: "T", Arms: []Arm{{Name: "baseline"}, {Name: "x"}}, Runs: map[string][]Run{"baseline": base, "x": arm}}
	md := r.Markdown()
	// Seeds 1-2 only: 0.205 → 0.175 is −14.6 %; with seed 3 it would be −35 %.
	if !strings.Contains(md, "-14.6 %") || !strings.Contains(md, "seeds both ran: 2") {
		t.Errorf("verdict not on the common seeds:\n%s", md)
	}
	row := ""
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "| x | 0.1750") {
			row = l
		}
	}
	if cells := strings.Split(row, " | "); len(cells) < 8 || cells[5] != "–" || cells[6] != "–" {
		t.Errorf("band and thin of x should read –: %q", row)
	}
}

// The archive gives back a finished run of the same key, version and
// length, and survives a rewrite.
func TestArchive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.json")
	a, err := ReadArchive(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Find("baseline", 1, "k", 200); ok {
		t.Fatal("empty archive found a run")
	}
	for _, r := range []Run{run("x", 2, 0.3, 0.2), run("baseline", 1, 0.3, 0.2)} {
		if err := a.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := ReadArchive(path)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := b.Find("x", 2, "k", 200); !ok || r.Final().Test.Depth.AbsRel != 0.2 {
		t.Errorf("archived run: %+v %v", r, ok)
	}
	for _, miss := range []struct {
		arm   string
		seed  int64
		key   string
		steps int
	}{{"x", 1, "k", 200}, {"x", 2, "other", 200}, {"x", 2, "k", 400}} {
		if _, ok := b.Find(miss.arm, miss.seed, miss.key, miss.steps); ok {
			t.Errorf("found %+v", miss)
		}
	}
	os.WriteFile(path, []byte("[{"), 0o644)
	if _, err := ReadArchive(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("corrupt archive: %v", err)
	}
}
