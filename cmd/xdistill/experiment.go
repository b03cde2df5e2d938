package main

import (
	"context"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/config"
	"github.com/xdistill/edge-depth/distill"
	"github.com/xdistill/edge-depth/fsutil"
	"github.com/xdistill/edge-depth/metrics"
	"github.com/xdistill/edge-depth/plot"
	"github.com/xdistill/edge-depth/progress"
	"github.com/xdistill/edge-depth/training"
)

func init() { subcommands = append(subcommands, newExperimentCmd) }

// variant is one arm of the ablation.
type variant struct {
	name     string
	lambda   float64
	grouping string
}

type ablation struct {
	base     config.Config
	seeds    []int64
	variants []variant
	runs     string
	report   string
	// teacherNote is the teacher's score on the test drive, for the report.
	teacherNote string
}

func newExperimentCmd() *cobra.Command {
	var file, seeds, runs, report string
	var sets []string
	var lambda float64
	var arms string
	var steps int
	cmd := &cobra.Command{
		Use:   "experiment",
		Short: "The X-Distill ablation: baseline (λ=0) vs X-Distill over seeds, on the test and the style-shifted world",
		Long: `Trains the baseline (λ = 0), X-Distill with the default class grouping and
X-Distill without grouping (19 classes), once per seed, all at the same
budget (the config's steps); evaluates each on the held-out test sequences
and on the style-shifted world, and writes a markdown report with mean ±
std over seeds, Abs Rel per class group, and a PNG of example depth maps.
Runs resume: re-running continues where an interrupted ablation stopped.
It takes (3 variants × seeds) times one training run.`,
		Example: `  xdistill experiment
  xdistill experiment --seeds 1,2,3 --lambda 0.02 --steps 450
  xdistill experiment --set distill.teacher=models/seg.onnx`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !(lambda > 0) {
				return fmt.Errorf("--lambda %g: want > 0 (the baseline arm is λ = 0)", lambda)
			}
			if _, err := pickArms(arms, lambda, ""); err != nil {
				return err
			}
			base, err := config.Load(config.Options{File: file, Sets: sets})
			if err != nil {
				return err
			}
			if steps > 0 {
				base.Train.Steps = steps
			}
			a := ablation{base: base, runs: runs, report: report}
			a.variants, _ = pickArms(arms, lambda, base.Distill.Grouping)
			if a.seeds, err = parseSeeds(seeds); err != nil {
				return err
			}
			return a.run(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&file, "config", "configs/synthetic.yaml", "YAML config shared by every arm")
	f.StringArrayVar(&sets, "set", nil, "override any config key: --set section.key=value (repeatable)")
	f.StringVar(&seeds, "seeds", "1,2,3", "comma-separated training seeds")
	f.Float64Var(&lambda, "lambda", 0.005, "λ of the X-Distill arms (configs/synthetic.yaml's)")
	f.StringVar(&arms, "arms", "baseline,grouped,none", "arms to run: baseline, grouped (X-Distill, default grouping), none (X-Distill, 19 classes); run disjoint sets in parallel processes, then all to write the full report")
	f.IntVar(&steps, "steps", 0, "training steps per run (0 = the config's)")
	f.StringVar(&runs, "runs", "runs/ablation", "where the runs go (one folder per arm and seed)")
	f.StringVar(&report, "report", "benchmarks/results/xdistill-ablation.md", "markdown report (a PNG is written beside it)")
	return cmd
}

// pickArms returns the variants named in a comma-separated list, in the
// report's order.
func pickArms(list string, lambda float64, grouping string) ([]variant, error) {
	all := map[string]variant{
		"baseline": {"baseline (λ=0)", 0, grouping},
		"grouped":  {fmt.Sprintf("X-Distill (λ=%g, grouped)", lambda), lambda, "default"},
		"none":     {fmt.Sprintf("X-Distill (λ=%g, 19 classes)", lambda), lambda, "none"},
	}
	want := map[string]bool{}
	for _, a := range strings.Split(list, ",") {
		a = strings.TrimSpace(a)
		if _, ok := all[a]; !ok {
			return nil, fmt.Errorf("--arms %q: unknown arm %q (want baseline, grouped, none)", list, a)
		}
		want[a] = true
	}
	var out []variant
	for _, name := range []string{"baseline", "grouped", "none"} {
		if want[name] {
			out = append(out, all[name])
		}
	}
	return out, nil
}

func parseSeeds(s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--seeds %q: %q is not an integer", s, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// armResult is one trained run's scores.
type armResult struct {
	test, shifted training.EvalResult
	model         *training.Model
}

func (a ablation) run(ctx context.Context, out, log io.Writer) error {
	shifted := a.base
	shifted.Data.Root = strings.TrimSuffix(a.base.Data.Root, "/") + "-shifted"
	shifted.Data.Splits = filepath.Join(shifted.Data.Root, "splits")
	shifted.Data.SynthStyle = "shifted"
	for _, c := range []config.Config{a.base, shifted} {
		if err := ensureData(ctx, c, log); err != nil {
			return err
		}
	}
	dev, err := training.ParseDevice(a.base.Train.Device)
	if err != nil {
		return err
	}
	groups := distill.Default()
	test, err := openGrouped(a.base, groups)
	if err != nil {
		return err
	}
	shiftedTest, err := openGrouped(shifted, groups)
	if err != nil {
		return err
	}
	results := make([][]armResult, len(a.variants))
	start := time.Now()
	for vi, v := range a.variants {
		for _, seed := range a.seeds {
			cfg := a.arm(v, seed)
			fmt.Fprintf(out, "== %s, seed %d → %s\n", v.name, seed, cfg.Train.Out)
			r, err := trainAndScore(ctx, cfg, test, shiftedTest, dev, log)
			if err != nil {
				return fmt.Errorf("%s seed %d: %w", v.name, seed, err)
			}
			fmt.Fprintf(out, "   Abs Rel test %.4f, shifted %.4f\n", r.test.Mean.AbsRel, r.shifted.Mean.AbsRel)
			results[vi] = append(results[vi], r)
		}
	}
	a.teacherNote = teacherScore(ctx, a.base, groups, log)
	md := a.markdown(results, groups, time.Since(start))
	if err := os.MkdirAll(filepath.Dir(a.report), 0o755); err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(a.report, []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Fprint(out, md)
	if err := ablationExamples(results, test, dev, strings.TrimSuffix(a.report, ".md")+".png"); err != nil {
		return err
	}
	return a.lossCurves(a.lossPNG(), log)
}

// lossPNG is where the training curves go: beside the report.
func (a ablation) lossPNG() string { return strings.TrimSuffix(a.report, ".md") + "-loss.png" }

// arm is the config of one variant and seed.
func (a ablation) arm(v variant, seed int64) config.Config {
	c := a.base
	c.Train.Seed = seed
	c.Distill.Lambda, c.Distill.Grouping = v.lambda, v.grouping
	name := "baseline"
	if v.lambda > 0 {
		name = "xdistill-" + v.grouping
	}
	c.Train.Out = filepath.Join(a.runs, fmt.Sprintf("%s-s%d", name, seed))
	return c
}

// trainAndScore trains one arm (resuming or reusing a finished run) and
// evaluates it on both worlds.
func trainAndScore(ctx context.Context, cfg config.Config, test, shifted *groupedSet, dev gotch.Device, log io.Writer) (armResult, error) {
	lock, err := lockRun(cfg.Train.Out)
	if err != nil {
		return armResult{}, err
	}
	defer lock.Unlock()
	if err := checkExistingRun(cfg, log); err != nil {
		return armResult{}, err
	}
	train, err := training.OpenKITTI(cfg.Data.Root, splitPath(cfg, "train"), cfg.Data.Width, cfg.Data.Height)
	if err != nil {
		return armResult{}, err
	}
	if err := attachTeacher(ctx, cfg, train, log, log); err != nil {
		return armResult{}, err
	}
	tr := &training.Trainer{Cfg: cfg, Data: train, Device: dev, Version: version,
		Progress: progress.New(log, "train", cfg.Train.Steps)}
	if err := tr.Run(ctx); err != nil {
		return armResult{}, err
	}
	r := armResult{model: tr.Model()}
	if r.test, err = tr.Model().Evaluate(ctx, test, metrics.Synthetic(), dev, nil); err != nil {
		return armResult{}, err
	}
	if r.shifted, err = tr.Model().Evaluate(ctx, shifted, metrics.Synthetic(), dev, nil); err != nil {
		return armResult{}, err
	}
	return r, nil
}

// groupedSet is a test set whose ground-truth labels are mapped to class
// groups, so the per-class metrics come out per group.
type groupedSet struct {
	*training.KITTISet
	groups distill.Grouping
}

func openGrouped(cfg config.Config, g distill.Grouping) (*groupedSet, error) {
	set, err := training.OpenKITTI(cfg.Data.Root, splitPath(cfg, "test"), cfg.Data.Width, cfg.Data.Height)
	if err != nil {
		return nil, err
	}
	return &groupedSet{set, g}, nil
}

func (s *groupedSet) LoadEval(i int) (training.EvalSample, error) {
	smp, err := s.KITTISet.LoadEval(i)
	if err == nil && smp.Labels != nil {
		s.groups.Map(smp.Labels)
	}
	return smp, err
}

// seedStats are mean and std over seeds of each run's mean metrics.
func seedStats(rs []armResult, pick func(armResult) metrics.Depth) (mean, std metrics.Depth) {
	var acc metrics.Accumulator
	for _, r := range rs {
		acc.Add(pick(r))
	}
	return acc.Mean(), acc.Std()
}

func (a ablation) markdown(results [][]armResult, g distill.Grouping, took time.Duration) string {
	var b strings.Builder
	c := a.base
	fmt.Fprintf(&b, "# X-Distill ablation on the synthetic world\n\n")
	fmt.Fprintf(&b, "Written by `xdistill experiment` on %s (%s), commit %s; %d runs in %s.\n\n",
		time.Now().UTC().Format("2006-01-02"), machine(), commit(), len(a.variants)*len(a.seeds), took.Round(time.Second))
	fmt.Fprintf(&b, "Every run: %dx%d, ResNet-18 ×%g, batch %d, %d steps, lr %g; seeds %v. Teacher: `%s`",
		c.Data.Width, c.Data.Height, c.Model.Width, c.Train.BatchSize, c.Train.Steps, c.Train.LearningRate, a.seeds, c.Distill.Teacher)
	if c.Distill.Teacher == "labels" {
		b.WriteString(" (the world's ground-truth labels: a perfect teacher, mIoU 100 %)")
	} else if a.teacherNote != "" {
		fmt.Fprintf(&b, " (%s)", a.teacherNote)
	}
	b.WriteString(". Metrics: synthetic protocol (caps 1e-3..80 m, per-image median scaling); mean ± std over seeds.\n\n")
	for _, w := range []struct {
		title string
		pick  func(armResult) metrics.Depth
	}{
		{"Held-out test sequences", func(r armResult) metrics.Depth { return r.test.Mean }},
		{"Style-shifted world (generalisation)", func(r armResult) metrics.Depth { return r.shifted.Mean }},
	} {
		fmt.Fprintf(&b, "## %s\n\n| | Abs Rel | Sq Rel | RMSE | RMSE log | δ<1.25 | δ<1.25² | δ<1.25³ |\n|---|---:|---:|---:|---:|---:|---:|---:|\n", w.title)
		for vi, v := range a.variants {
			m, s := seedStats(results[vi], w.pick)
			fmt.Fprintf(&b, "| %s | %.4f ± %.4f | %.3f ± %.3f | %.3f ± %.3f | %.4f ± %.4f | %.3f ± %.3f | %.3f ± %.3f | %.3f ± %.3f |\n", v.name,
				m.AbsRel, s.AbsRel, m.SqRel, s.SqRel, m.RMSE, s.RMSE, m.RMSELog, s.RMSELog, m.A1, s.A1, m.A2, s.A2, m.A3, s.A3)
		}
		b.WriteString("\n")
		b.WriteString(verdict(a.variants, results, w.pick))
	}
	fmt.Fprintf(&b, "## Abs Rel per class group (test, ground-truth labels)\n\n|")
	for _, name := range g.Groups {
		fmt.Fprintf(&b, " | %s", name)
	}
	b.WriteString(" |\n|---" + strings.Repeat("|---:", len(g.Groups)) + "|\n")
	for vi, v := range a.variants {
		fmt.Fprintf(&b, "| %s", v.name)
		for gi := range g.Groups {
			var acc metrics.Accumulator
			for _, r := range results[vi] {
				if cls := r.test.ByClass.Class(uint8(gi)); cls.Len() > 0 {
					acc.Add(cls.Mean())
				}
			}
			if acc.Len() == 0 {
				b.WriteString(" | –")
				continue
			}
			fmt.Fprintf(&b, " | %.3f ± %.3f", acc.Mean().AbsRel, acc.Std().AbsRel)
		}
		b.WriteString(" |\n")
	}
	fmt.Fprintf(&b, "\nGroups with no valid ground truth (sky is beyond the depth cap) show –.\n\n![examples](%s)\n", filepath.Base(strings.TrimSuffix(a.report, ".md")+".png"))
	fmt.Fprintf(&b, "\n## Training curves\n\nPhotometric loss of every arm and, for the X-Distill arms, the distillation cross-entropy (before λ), from each run's `metrics.jsonl`: mean ± std over seeds (shaded), each run smoothed with a moving average.\n\n![loss curves](%s)\n", filepath.Base(a.lossPNG()))
	return b.String()
}

// verdict compares each X-Distill arm's Abs Rel with the baseline's: the
// relative change, and whether it is beyond the seed spread (the gap
// exceeds the sum of both standard deviations).
func verdict(vs []variant, results [][]armResult, pick func(armResult) metrics.Depth) string {
	bm, bs := seedStats(results[0], pick)
	var b strings.Builder
	for vi := 1; vi < len(vs); vi++ {
		m, s := seedStats(results[vi], pick)
		change := 100 * (m.AbsRel - bm.AbsRel) / bm.AbsRel
		beyond := math.Abs(m.AbsRel-bm.AbsRel) > bs.AbsRel+s.AbsRel
		word := "within the seed spread"
		if beyond {
			word = "beyond the seed spread"
		}
		fmt.Fprintf(&b, "- %s: Abs Rel %+.1f %% vs the baseline (%s).\n", vs[vi].name, change, word)
	}
	return b.String() + "\n"
}

// ablationExamples draws, for the first seed, input | ground truth | each
// arm's disparity, on four test images.
func ablationExamples(results [][]armResult, set *groupedSet, dev gotch.Device, path string) error {
	w, h := set.Size()
	var rows [][]image.Image
	for k := range min(4, set.Len()) {
		smp, err := set.LoadEval(k * max(1, set.Len()/4))
		if err != nil {
			return err
		}
		gt := invert(metrics.ResizeNearest(smp.GT, smp.GTW, smp.GTH, w, h))
		row := []image.Image{rgbPanel(smp.Image, w, h), plot.Heat(gt, w, h, 0, maxOf(gt), true)}
		for _, rs := range results {
			disp := rs[0].model.Predict(smp.Image, w, h, dev)
			row = append(row, plot.Heat(disp, w, h, 0, maxOf(disp), false))
		}
		rows = append(rows, row)
	}
	return plot.SavePNG(path, plot.Grid(rows))
}

func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func machine() string {
	name := runtime.GOARCH
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				name = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores", name, runtime.NumCPU())
}

// teacherScore is the ONNX teacher's mIoU on the test split against the
// world's labels, through the same path that labelled the training frames;
// "" when the teacher is the labels themselves or cannot be scored.
func teacherScore(ctx context.Context, cfg config.Config, g distill.Grouping, log io.Writer) string {
	model := cfg.Distill.Teacher
	switch model {
	case "labels":
		return ""
	case "builtin":
		model = cfg.Distill.TeacherModel
	}
	c, err := evalTeacher(ctx, model, cfg.Data.Root, splitPath(cfg, "test"), cfg.Runtime.ONNXRuntimeLib, log)
	if err != nil {
		return fmt.Sprintf("%s: not scored: %v", model, err)
	}
	gc, err := c.Grouped(g.ToGrp[:], len(g.Groups))
	if err != nil {
		return fmt.Sprintf("%s: not scored: %v", model, err)
	}
	return fmt.Sprintf("%s on the test drive: mIoU %.3f over the 19 classes, %.3f over the %d groups", model, c.MeanIoU(), gc.MeanIoU(), len(g.Groups))
}
