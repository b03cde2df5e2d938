package ablation

import (
	"fmt"
	"image"
	"math"
	"sort"
	"strings"

	"github.com/xdistill/edge-depth/internal/plot"
)

// Goal is the relative Abs Rel gain an arm must show over the baseline,
// with the gap of the seed means above twice its standard error.
const Goal = 0.05

// Report is the ablation's markdown report.
type Report struct {
	Title, Header string // the driver's lines: who, when, the shared setup
	Arms          []Arm  // report order; the arm named "baseline" (else the first) is the reference
	Runs          map[string][]Run
	Groups        []string // class groups, in label order
	// Base names of the pictures beside the report ("" = none).
	CurvesPNG, ExamplesPNG, LossPNG string
}

// Stat is a metric over the seeds of one arm.
type Stat struct {
	N         int
	Mean, Std float64 // Std: sample standard deviation (n − 1)
}

// SE is the standard error of the mean.
func (s Stat) SE() float64 {
	if s.N < 2 {
		return math.NaN()
	}
	return s.Std / math.Sqrt(float64(s.N))
}

func statOf(xs []float64) Stat {
	s := Stat{N: len(xs)}
	if s.N == 0 {
		return s
	}
	for _, x := range xs {
		s.Mean += x
	}
	s.Mean /= float64(s.N)
	if s.N > 1 {
		var ss float64
		for _, x := range xs {
			ss += (x - s.Mean) * (x - s.Mean)
		}
		s.Std = math.Sqrt(ss / float64(s.N-1))
	}
	return s
}

// Over is a metric of the final scores over an arm's runs, leaving out
// runs where it is NA.
func Over(runs []Run, pick func(Point) float64) Stat {
	var xs []float64
	for _, r := range runs {
		if v := pick(r.Final()); v != NA {
			xs = append(xs, v)
		}
	}
	return statOf(xs)
}

// common are the runs of a whose seed b also finished, and b's alike: a
// verdict compares the same seeds (same initial weights, same batches).
func common(a, b []Run) (ca, cb []Run) {
	bySeed := map[int64]Run{}
	for _, r := range b {
		bySeed[r.Seed] = r
	}
	for _, r := range a {
		if rb, ok := bySeed[r.Seed]; ok {
			ca, cb = append(ca, r), append(cb, rb)
		}
	}
	return ca, cb
}

// Verdict compares an arm's Abs Rel with the baseline's: the relative
// change, the gap of the means against twice its standard error
// (sqrt(sa²/na + sb²/nb)), and whether the arm meets Goal.
type Verdict struct {
	Change, Gap, TwoSE float64
	Meets, Worse       bool
	Enough             bool // ≥ 2 seeds in both arms
}

// Compare is the verdict of arm against base.
func Compare(arm, base Stat) Verdict {
	v := Verdict{Change: (arm.Mean - base.Mean) / base.Mean, Gap: arm.Mean - base.Mean}
	v.Enough = arm.N >= 2 && base.N >= 2
	if !v.Enough {
		return v
	}
	v.TwoSE = 2 * math.Sqrt(arm.Std*arm.Std/float64(arm.N)+base.Std*base.Std/float64(base.N))
	v.Meets = v.Change <= -Goal && -v.Gap > v.TwoSE
	v.Worse = v.Gap > v.TwoSE
	return v
}

func (v Verdict) String() string {
	s := fmt.Sprintf("%+.1f %%", 100*v.Change)
	switch {
	case !v.Enough:
		return s + " (fewer than 2 seeds: no verdict)"
	case v.Meets:
		return s + fmt.Sprintf(", gap %.4f > 2 SE %.4f: **meets the goal**", -v.Gap, v.TwoSE)
	case v.Worse:
		return s + fmt.Sprintf(", gap %.4f > 2 SE %.4f: worse", v.Gap, v.TwoSE)
	}
	return s + fmt.Sprintf(", |gap| %.4f vs 2 SE %.4f: no difference shown", math.Abs(v.Gap), v.TwoSE)
}

// reference is the baseline arm's name.
func (r Report) reference() string {
	for _, a := range r.Arms {
		if a.Name == "baseline" {
			return a.Name
		}
	}
	if len(r.Arms) == 0 {
		return ""
	}
	return r.Arms[0].Name
}

// Markdown renders the report.
func (r Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", r.Title, r.Header)
	b.WriteString("| arm | overrides of the shared config | seeds finished |\n|---|---|---|\n")
	for _, a := range r.Arms {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", a.Name, code(a.Sets), seedList(r.Runs[a.Name]))
	}
	b.WriteString("\n")
	for _, w := range []struct {
		title string
		pick  func(Point) Scores
	}{
		{"Held-out drive", func(p Point) Scores { return p.Test }},
		{"Style-shifted world (generalisation)", func(p Point) Scores { return p.Shifted }},
	} {
		r.worldTable(&b, w.title, w.pick)
	}
	r.shortcutTable(&b)
	r.curveTable(&b)
	r.groupTable(&b)
	b.WriteString(legend)
	for _, p := range []struct{ title, file string }{
		{"Learning curves", r.CurvesPNG}, {"Examples (first seed)", r.ExamplesPNG}, {"Training losses", r.LossPNG},
	} {
		if p.file != "" {
			fmt.Fprintf(&b, "\n### %s\n\n![%s](%s)\n", p.title, strings.ToLower(p.title), p.file)
		}
	}
	return b.String()
}

const legend = `
Columns: mean ± sample std over the seeds finished, final step. *band*:
Abs Rel within 3 px of a ground-truth label boundary; *edge F1*: depth
edges (a 25 % depth step between neighbours) against label edges, matched
within 2 px (the ground truth's own F1 is the reachable value); *sky far*:
share of sky pixels predicted beyond the image's 95th percentile of true
depth; *level acc*: accuracy of a per-image lookup from disparity level
(32 bins) to class group, i.e. how much a class map the disparity is (the
ground truth's own value is the reference); *translator acc*: the
translator's accuracy on the ground-truth groups. Verdict: change of the
mean Abs Rel against the baseline; the goal is ≥ 5 % lower with the gap
of the means above twice its standard error.
`

func (r Report) worldTable(b *strings.Builder, title string, pick func(Point) Scores) {
	fmt.Fprintf(b, "## %s\n\n", title)
	b.WriteString("| arm | Abs Rel | Sq Rel | RMSE | δ<1.25 | band | thin | vehicle | edge F1 | sky far | vs baseline |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	absRelOf := func(p Point) float64 { return pick(p).Depth.AbsRel }
	for _, a := range r.Arms {
		runs := r.Runs[a.Name]
		if len(runs) == 0 {
			fmt.Fprintf(b, "| %s | not run yet |||||||||\n", a.Name)
			continue
		}
		col := func(f func(Scores) float64, prec int) string {
			return pm(Over(runs, func(p Point) float64 { return f(pick(p)) }), prec)
		}
		absRel := Over(runs, absRelOf)
		verdict := "reference"
		if a.Name != r.reference() {
			mine, ref := common(runs, r.Runs[r.reference()])
			verdict = fmt.Sprintf("%s; seeds both ran: %d%s", Compare(Over(mine, absRelOf), Over(ref, absRelOf)), len(mine), paired(mine, ref, pick))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", a.Name, pm(absRel, 4),
			col(func(s Scores) float64 { return s.Depth.SqRel }, 3), col(func(s Scores) float64 { return s.Depth.RMSE }, 3),
			col(func(s Scores) float64 { return s.Depth.A1 }, 3), col(func(s Scores) float64 { return s.Band }, 3),
			col(func(s Scores) float64 { return group(s, "thin") }, 3), col(func(s Scores) float64 { return group(s, "vehicle") }, 3),
			col(func(s Scores) float64 { return s.EdgeF1 }, 3), col(func(s Scores) float64 { return s.SkyFar }, 3), verdict)
	}
	if gt := Over(r.Runs[r.reference()], func(p Point) float64 { return pick(p).GTEdgeF1 }); gt.N > 0 {
		fmt.Fprintf(b, "\nGround truth's own edge F1: %.3f.\n", gt.Mean)
	}
	b.WriteString("\n")
}

// group is a group's Abs Rel, NA when the group had no valid pixels.
func group(s Scores, name string) float64 {
	if v, ok := s.ByGroup[name]; ok {
		return v
	}
	return NA
}

func (r Report) shortcutTable(b *strings.Builder) {
	b.WriteString("## The class-map shortcut (held-out drive)\n\n| arm | level acc | translator acc | level ÷ translator |\n|---|---:|---:|---:|\n")
	var gt Stat
	for _, a := range r.Arms {
		runs := r.Runs[a.Name]
		if len(runs) == 0 {
			continue
		}
		level := Over(runs, func(p Point) float64 { return p.Test.Level })
		if g := Over(runs, func(p Point) float64 { return p.Test.GTLevel }); g.N > gt.N {
			gt = g
		}
		tr, ratio := "–", "–"
		if t := Over(runs, func(p Point) float64 { return p.Test.Translator }); a.Distills && t.N > 0 && t.Mean > 0 {
			tr, ratio = pm(t, 3), fmt.Sprintf("%.2f", level.Mean/t.Mean)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", a.Name, pm(level, 3), tr, ratio)
	}
	if gt.N > 0 {
		fmt.Fprintf(b, "| ground truth (reference) | %.3f | – | – |\n", gt.Mean)
	}
	b.WriteString("\n")
}

// curveTable is the test Abs Rel at every step any run was scored at.
func (r Report) curveTable(b *strings.Builder) {
	steps := r.steps()
	if len(steps) < 2 {
		return
	}
	b.WriteString("## Learning curves (held-out drive, Abs Rel)\n\n| arm")
	for _, s := range steps {
		fmt.Fprintf(b, " | %d", s)
	}
	b.WriteString(" |\n|---" + strings.Repeat("|---:", len(steps)) + "|\n")
	for _, a := range r.Arms {
		fmt.Fprintf(b, "| %s", a.Name)
		for _, s := range steps {
			st := atStep(r.Runs[a.Name], s, func(p Point) float64 { return p.Test.Depth.AbsRel })
			if st.N == 0 {
				b.WriteString(" | –")
				continue
			}
			fmt.Fprintf(b, " | %s", pm(st, 3))
		}
		b.WriteString(" |\n")
	}
	b.WriteString("\n")
}

func (r Report) groupTable(b *strings.Builder) {
	b.WriteString("## Abs Rel per class group (held-out drive)\n\n| arm")
	for _, g := range r.Groups {
		fmt.Fprintf(b, " | %s", g)
	}
	b.WriteString(" |\n|---" + strings.Repeat("|---:", len(r.Groups)) + "|\n")
	for _, a := range r.Arms {
		fmt.Fprintf(b, "| %s", a.Name)
		for _, g := range r.Groups {
			var xs []float64
			for _, run := range r.Runs[a.Name] {
				if v, ok := run.Final().Test.ByGroup[g]; ok {
					xs = append(xs, v)
				}
			}
			if len(xs) == 0 {
				b.WriteString(" | –")
				continue
			}
			fmt.Fprintf(b, " | %s", pm(statOf(xs), 3))
		}
		b.WriteString(" |\n")
	}
	b.WriteString("\nGroups without valid ground truth (the sky lies beyond the depth cap) show –.\n")
}

// steps are the evaluated steps of all runs, ascending.
func (r Report) steps() []int {
	seen := map[int]bool{}
	for _, runs := range r.Runs {
		for _, run := range runs {
			for _, p := range run.Curve {
				seen[p.Step] = true
			}
		}
	}
	out := make([]int, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Ints(out)
	return out
}

// atStep is a metric over the runs scored at step.
func atStep(runs []Run, step int, pick func(Point) float64) Stat {
	var xs []float64
	for _, run := range runs {
		for _, p := range run.Curve {
			if p.Step == step {
				xs = append(xs, pick(p))
			}
		}
	}
	return statOf(xs)
}

// Curves draws test and style-shifted Abs Rel against step, mean ± std
// over seeds (shaded), one panel each.
func (r Report) Curves() (image.Image, error) {
	var rows [][]image.Image
	steps := r.steps()
	for _, w := range []struct {
		title string
		pick  func(Point) float64
	}{
		{"held-out drive", func(p Point) float64 { return p.Test.Depth.AbsRel }},
		{"style-shifted world", func(p Point) float64 { return p.Shifted.Depth.AbsRel }},
	} {
		ch := plot.Chart{Title: "Abs Rel on the " + w.title + ": mean +- std over seeds", XLabel: "step", YLabel: "Abs Rel"}
		for _, a := range r.Arms {
			s := plot.Series{Name: a.Name}
			for _, step := range steps {
				st := atStep(r.Runs[a.Name], step, w.pick)
				if st.N == 0 {
					continue
				}
				s.X, s.Y = append(s.X, float64(step)), append(s.Y, st.Mean)
				s.Lo, s.Hi = append(s.Lo, st.Mean-st.Std), append(s.Hi, st.Mean+st.Std)
			}
			ch.Series = append(ch.Series, s)
		}
		img, err := ch.Render()
		if err != nil {
			return nil, fmt.Errorf("learning curves: %w", err)
		}
		rows = append(rows, []image.Image{img})
	}
	return plot.Grid(rows), nil
}

// paired is the mean ± SE of the per-seed Abs Rel change against the
// reference at the seeds both ran (same initial weights, same batches):
// information beside the verdict, which is unpaired.
func paired(arm, ref []Run, pick func(Point) Scores) string {
	bySeed := map[int64]float64{}
	for _, r := range ref {
		bySeed[r.Seed] = pick(r.Final()).Depth.AbsRel
	}
	var d []float64
	for _, r := range arm {
		if b, ok := bySeed[r.Seed]; ok && b > 0 {
			d = append(d, (pick(r.Final()).Depth.AbsRel-b)/b)
		}
	}
	if len(d) < 2 {
		return ""
	}
	s := statOf(d)
	return fmt.Sprintf("; paired by seed %+.1f ± %.1f %% (SE)", 100*s.Mean, 100*s.SE())
}

func pm(s Stat, prec int) string {
	if s.N == 0 {
		return "–"
	}
	if s.N == 1 {
		return fmt.Sprintf("%.*f", prec, s.Mean)
	}
	return fmt.Sprintf("%.*f ± %.*f", prec, s.Mean, prec, s.Std)
}

func code(sets []string) string {
	if len(sets) == 0 {
		return "–"
	}
	return "`" + strings.Join(sets, "`, `") + "`"
}

func seedList(runs []Run) string {
	if len(runs) == 0 {
		return "–"
	}
	var s []string
	for _, r := range runs {
		s = append(s, fmt.Sprint(r.Seed))
	}
	return strings.Join(s, ", ")
}
