package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/benchmarks/ablation"
	"github.com/xdistill/edge-depth/internal/colormap"
	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/format/safetensors"
	"github.com/xdistill/edge-depth/internal/fsutil"
	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/internal/plot"
	"github.com/xdistill/edge-depth/internal/progress"
	"github.com/xdistill/edge-depth/training"
	"github.com/xdistill/edge-depth/training/data"
	"github.com/xdistill/edge-depth/training/distill"
)

// experiment is one ablation: arms × seeds on a shared config.
type experiment struct {
	file     string   // the shared config
	sets     []string // overrides for every arm
	steps    int      // 0 = the config's
	arms     []ablation.Arm
	seeds    []int64
	runs     string
	report   string
	groups   distill.Grouping
	dev      gotch.Device
	teacher  string // the teacher's score, for the report header
	finished map[string][]ablation.Run
	archive  *ablation.Archive // every finished run, beside the report
	// progress makes each run's progress display (nil: a terminal bar).
	progress func(log io.Writer, total int) training.Progress
}

func newExperimentCmd() *cobra.Command {
	e := &experiment{}
	var seeds string
	var arms []string
	cmd := &cobra.Command{
		Use:   "experiment",
		Short: "The X-Distill ablation: arms (baseline, X-Distill variants) × seeds, with learning curves",
		Long: `Trains every arm once per seed on the shared config, scores each run on the
held-out drive and on the style-shifted world at every snapshot
(train.snapshot_every) and at the end, and writes a markdown report: the 7
metrics, Abs Rel near label boundaries and per class group, depth-edge
alignment, sky, the class-map shortcut, a verdict against the baseline
(≥ 5 % lower Abs Rel with the gap above twice its standard error), and
learning curves as a PNG beside it.

An arm is NAME or NAME:key=value,key=value (config overrides). "baseline"
alone means distill.lambda=0; any other bare name is the config as is.
Runs go seed by seed (every arm at seed 1, then seed 2, ...). Everything
resumes: an interrupted run continues from its checkpoint, a finished run
is never retrained or rescored (RUN/scores.json), and the report is
rewritten after every run, so a second invocation only adds what is
missing.`,
		Example: `  make experiment                      # configs/research.yaml, the research arms, seeds 1-3
  xdistill experiment --config configs/synthetic.yaml --seeds 1,2,3
  xdistill experiment --arm baseline --arm scalefree:distill.input=scale_free --seeds 1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if e.seeds, err = parseSeeds(seeds); err != nil {
				return err
			}
			if e.arms, err = parseArms(arms); err != nil {
				return err
			}
			return e.run(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&e.file, "config", "configs/research.yaml", "YAML config shared by every arm")
	f.StringArrayVar(&e.sets, "set", nil, "override any config key for every arm: --set section.key=value (repeatable)")
	f.StringVar(&seeds, "seeds", "1,2,3", "comma-separated training seeds")
	f.StringArrayVar(&arms, "arm", []string{"baseline", "xdistill"}, "an arm: NAME or NAME:key=value,key=value (repeatable, in report order)")
	f.IntVar(&e.steps, "steps", 0, "training steps per run (0 = the config's)")
	f.StringVar(&e.runs, "runs", "runs/research", "where the runs go (one folder per arm and seed: NAME-sSEED)")
	f.StringVar(&e.report, "report", "benchmarks/results/xdistill-research.md", "markdown report (PNGs are written beside it)")
	return cmd
}

var armName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// parseArms reads NAME[:key=value,...] specs; bare "baseline" is λ = 0.
func parseArms(specs []string) ([]ablation.Arm, error) {
	var out []ablation.Arm
	seen := map[string]bool{}
	for _, spec := range specs {
		name, rest, _ := strings.Cut(spec, ":")
		name = strings.TrimSpace(name)
		if !armName.MatchString(name) {
			return nil, fmt.Errorf("--arm %q: name %q must be lower-case letters, digits, '.', '_' or '-'", spec, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("--arm %q: arm %q given twice", spec, name)
		}
		seen[name] = true
		a := ablation.Arm{Name: name}
		for _, kv := range strings.Split(rest, ",") {
			if kv = strings.TrimSpace(kv); kv == "" {
				continue
			}
			if !strings.Contains(kv, "=") {
				return nil, fmt.Errorf("--arm %q: %q is not key=value", spec, kv)
			}
			a.Sets = append(a.Sets, kv)
		}
		if name == "baseline" && len(a.Sets) == 0 {
			a.Sets = []string{"distill.lambda=0"}
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--arm: no arm given")
	}
	return out, nil
}

// uniqueSeeds refuses a seed given twice: its run would count twice.
func uniqueSeeds(seeds []int64) error {
	seen := map[int64]bool{}
	for _, s := range seeds {
		if seen[s] {
			return fmt.Errorf("--seeds: seed %d given twice", s)
		}
		seen[s] = true
	}
	return nil
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

// armConfig is the resolved config of arm at seed (its overrides are
// checked like any --set: an unknown key is an error naming the arm).
func (e *experiment) armConfig(a ablation.Arm, seed int64) (config.Config, error) {
	cfg, err := config.Load(config.Options{File: e.file, Sets: append(append([]string{}, e.sets...), a.Sets...)})
	if err != nil {
		return cfg, fmt.Errorf("arm %s: %w", a.Name, err)
	}
	if e.steps > 0 {
		cfg.Train.Steps = e.steps
	}
	cfg.Train.Seed = seed
	cfg.Train.Out = filepath.Join(e.runs, fmt.Sprintf("%s-s%d", a.Name, seed))
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("arm %s: %w", a.Name, err)
	}
	return cfg, nil
}

func (e *experiment) run(ctx context.Context, out, log io.Writer) error {
	if err := uniqueSeeds(e.seeds); err != nil {
		return err
	}
	base, err := e.armConfig(ablation.Arm{Name: "shared"}, e.seeds[0]) // the shared config, no arm's overrides
	if err != nil {
		return err
	}
	for i, a := range e.arms { // every arm's config checked before hours of training
		cfg, err := e.armConfig(a, e.seeds[0])
		if err != nil {
			return err
		}
		e.arms[i].Distills = cfg.Distill.Lambda > 0
	}
	shifted := shiftedWorld(base)
	for _, c := range []config.Config{base, shifted} {
		if err := ensureData(ctx, c, log); err != nil {
			return err
		}
	}
	if e.dev, err = training.ParseDevice(base.Train.Device); err != nil {
		return err
	}
	e.groups = distill.Default()
	test, err := openGrouped(base, e.groups)
	if err != nil {
		return err
	}
	shiftedTest, err := openGrouped(shifted, e.groups)
	if err != nil {
		return err
	}
	e.finished = map[string][]ablation.Run{}
	if err := os.MkdirAll(filepath.Dir(e.report), 0o755); err != nil {
		return err
	}
	if e.archive, err = ablation.ReadArchive(strings.TrimSuffix(e.report, ".md") + "-runs.json"); err != nil {
		return err
	}
	start := time.Now()
	for _, seed := range e.seeds {
		for _, a := range e.arms {
			cfg, err := e.armConfig(a, seed)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "== %s, seed %d → %s\n", a.Name, seed, cfg.Train.Out)
			r, err := e.trainAndScore(ctx, a, cfg, test, shiftedTest, log)
			if err != nil {
				return fmt.Errorf("%s seed %d: %w", a.Name, seed, err)
			}
			fin := r.Final()
			fmt.Fprintf(out, "   Abs Rel test %.4f, shifted %.4f\n", fin.Test.Depth.AbsRel, fin.Shifted.Depth.AbsRel)
			e.finished[a.Name] = append(e.finished[a.Name], r)
			if err := e.archive.Put(r); err != nil {
				return err
			}
			if err := e.writeReport(ctx, base, test, time.Since(start), log); err != nil {
				return err
			}
		}
	}
	md, err := os.ReadFile(e.report)
	if err == nil {
		fmt.Fprint(out, string(md))
	}
	return err
}

// shiftedWorld is the style-shifted copy of cfg's synthetic world.
func shiftedWorld(cfg config.Config) config.Config {
	c := cfg
	c.Data.Root = strings.TrimSuffix(cfg.Data.Root, "/") + "-shifted"
	c.Data.Splits = filepath.Join(c.Data.Root, "splits")
	c.Data.SynthStyle = "shifted"
	return c
}

// trainAndScore trains one arm at one seed (resuming an interrupted run)
// and scores it at every snapshot and at the end; a run already scored
// for this config is read back instead.
func (e *experiment) trainAndScore(ctx context.Context, a ablation.Arm, cfg config.Config, test, shifted *groupedSet, log io.Writer) (ablation.Run, error) {
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return ablation.Run{}, err
	}
	key := string(cfgJSON)
	if r, ok, err := ablation.ReadRun(cfg.Train.Out, key, cfg.Train.Steps); err != nil || ok {
		return r, err
	}
	if r, ok := e.archive.Find(a.Name, cfg.Train.Seed, key, cfg.Train.Steps); ok && !hasCheckpoint(cfg.Train.Out) {
		fmt.Fprintf(log, "%s: not here; its scores come from the archive beside the report\n", cfg.Train.Out)
		return r, nil
	}
	lock, err := lockRun(cfg.Train.Out)
	if err != nil {
		return ablation.Run{}, err
	}
	defer lock.Unlock()
	if err := checkExistingRun(cfg, io.Discard); err != nil { // another config's run is refused, not relabelled
		return ablation.Run{}, err
	}
	train, err := data.OpenKITTI(cfg.Data.Root, splitPath(cfg, "train"), cfg.Data.Width, cfg.Data.Height)
	if err != nil {
		return ablation.Run{}, err
	}
	if err := attachTeacher(ctx, cfg, train, log, log); err != nil {
		return ablation.Run{}, err
	}
	if err := checkData(ctx, train, log); err != nil {
		return ablation.Run{}, err
	}
	var bar training.Progress = progress.New(log, "train", cfg.Train.Steps)
	if e.progress != nil {
		bar = e.progress(log, cfg.Train.Steps)
	}
	tr := &training.Trainer{Cfg: cfg, Data: train, Device: e.dev, Version: version, Progress: bar}
	if err := tr.Run(ctx); err != nil {
		return ablation.Run{}, err
	}
	m := tr.Model()
	defer m.Drop()
	r := ablation.Run{Arm: a.Name, Seed: cfg.Train.Seed, Steps: cfg.Train.Steps, Key: key, Scoring: ablation.ScoringVersion}
	final, err := e.score(ctx, m, cfg, cfg.Train.Steps, test, shifted)
	if err != nil {
		return r, err
	}
	for _, step := range snapshotSteps(cfg) {
		f, err := safetensors.Read(training.SnapshotPath(cfg.Train.Out, step))
		if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(log, "learning curve of %s: no snapshot at step %d; left out\n", cfg.Train.Out, step)
			continue
		}
		if err != nil {
			return r, fmt.Errorf("learning curve: %w", err)
		}
		if err := m.LoadWeights(f); err != nil {
			return r, fmt.Errorf("learning curve: %w", err)
		}
		p, err := e.score(ctx, m, cfg, step, test, shifted)
		if err != nil {
			return r, err
		}
		r.Curve = append(r.Curve, p)
	}
	r.Curve = append(r.Curve, final)
	return r, ablation.WriteRun(cfg.Train.Out, r)
}

// snapshotSteps are the steps before the last that the run keeps weights of.
func snapshotSteps(cfg config.Config) []int {
	var out []int
	for n := cfg.Train.SnapshotEvery; n > 0 && n < cfg.Train.Steps; n += cfg.Train.SnapshotEvery {
		out = append(out, n)
	}
	return out
}

// score evaluates m on both worlds (and its translator on the test drive,
// when it predicts the report's groups).
func (e *experiment) score(ctx context.Context, m *training.Model, cfg config.Config, step int, test, shifted *groupedSet) (ablation.Point, error) {
	p := ablation.Point{Step: step}
	for _, w := range []struct {
		set *groupedSet
		dst *ablation.Scores
	}{{test, &p.Test}, {shifted, &p.Shifted}} {
		res, err := m.Evaluate(ctx, w.set, metrics.Synthetic(), e.dev, nil)
		if err != nil {
			return p, fmt.Errorf("score step %d: %w", step, err)
		}
		*w.dst = ablation.FromEval(res.Mean, res.ByClass, e.groups.Groups, res.Geometry)
	}
	p.Test.Translator, p.Shifted.Translator = ablation.NA, ablation.NA
	if m.Translator != nil && cfg.Distill.Grouping == "default" {
		hit, n, err := m.TranslatorAccuracy(ctx, test, e.dev)
		if err != nil {
			return p, err
		}
		p.Test.Translator = float64(hit) / float64(max(n, 1))
	}
	return p, nil
}

// writeReport rewrites the report and its pictures from the runs finished.
func (e *experiment) writeReport(ctx context.Context, base config.Config, test *groupedSet, took time.Duration, log io.Writer) error {
	if e.teacher == "" && e.distilled() { // the teacher exists once an X-Distill arm ran
		e.teacher = teacherScore(ctx, base, e.groups, log)
	}
	stem := strings.TrimSuffix(e.report, ".md")
	r := ablation.Report{Title: "X-Distill ablation on the synthetic world", Header: e.header(base, took),
		Arms: e.arms, Runs: e.finished, Groups: e.groups.Groups,
		CurvesPNG: filepath.Base(stem + "-curves.png"), ExamplesPNG: filepath.Base(stem + ".png"), LossPNG: filepath.Base(stem + "-loss.png")}
	curves, err := r.Curves()
	if err != nil {
		return err
	}
	if err := plot.SavePNG(stem+"-curves.png", curves); err != nil {
		return err
	}
	if err := e.examples(test, stem+".png"); err != nil {
		return err
	}
	if err := e.lossCurves(stem+"-loss.png", log); err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(e.report, []byte(r.Markdown()), 0o644)
}

// distilled is true once an X-Distill arm has finished a run.
func (e *experiment) distilled() bool {
	for _, a := range e.arms {
		if a.Distills && len(e.finished[a.Name]) > 0 {
			return true
		}
	}
	return false
}

func (e *experiment) header(c config.Config, took time.Duration) string {
	n := 0
	for _, runs := range e.finished {
		n += len(runs)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Written by `xdistill experiment --config %s` on %s (%s), commit %s: %d of %d runs finished, %s in this invocation.\n\n",
		e.file, time.Now().UTC().Format("2006-01-02"), machine(), commit(), n, len(e.arms)*len(e.seeds), took.Round(time.Second))
	fmt.Fprintf(&b, "Shared config: %dx%d, ResNet-18 ×%g, batch %d, %d steps (%d samples), lr %g (×%g every %d steps), %s loss, λ %g, translator input %s%s; seeds %v; scored every %d steps. Teacher: `%s`",
		c.Data.Width, c.Data.Height, c.Model.Width, c.Train.BatchSize, c.Train.Steps, c.Train.Steps*c.Train.BatchSize, c.Train.LearningRate,
		c.Train.LRDecay, c.Train.LRDecayEvery, c.Train.Multiscale, c.Distill.Lambda, c.Distill.Input, coordsNote(c), e.seeds, c.Train.SnapshotEvery, c.Distill.Teacher)
	if c.Distill.Teacher == "labels" {
		b.WriteString(" (the world's ground-truth labels: a perfect teacher)")
	} else if e.teacher != "" {
		fmt.Fprintf(&b, " (%s)", e.teacher)
	}
	b.WriteString(". Metrics: synthetic protocol (caps 1e-3..80 m, per-image median scaling).")
	return b.String()
}

func coordsNote(c config.Config) string {
	if c.Distill.Coords {
		return " + coordinates"
	}
	return ""
}

// examples draws, for each arm's first finished run (that is here, not
// only archived), its disparity on four test images beside the input and
// the ground truth.
func (e *experiment) examples(set *groupedSet, path string) error {
	var models []*training.Model
	for _, a := range e.arms {
		if runs := e.finished[a.Name]; len(runs) > 0 {
			cfg, err := e.armConfig(a, runs[0].Seed)
			if err != nil {
				return err
			}
			if !hasCheckpoint(cfg.Train.Out) {
				continue // archived: scores only
			}
			m, _, err := training.LoadModel(cfg.Train.Out, e.dev)
			if err != nil {
				return fmt.Errorf("examples: %w", err)
			}
			models = append(models, m)
		}
	}
	w, h := set.Size()
	var rows [][]image.Image
	for k := range min(4, set.Len()) {
		smp, err := set.LoadEval(k * max(1, set.Len()/4))
		if err != nil {
			return err
		}
		gt := invert(metrics.ResizeNearest(smp.GT, smp.GTW, smp.GTH, w, h))
		row := []image.Image{rgbPanel(smp.Image, w, h), colormap.Heat(gt, w, h, 0, maxOf(gt), true)}
		for _, m := range models {
			disp := m.Predict(smp.Image, w, h, e.dev)
			row = append(row, colormap.Heat(disp, w, h, 0, maxOf(disp), false))
		}
		rows = append(rows, row)
	}
	for _, m := range models {
		m.Drop()
	}
	return plot.SavePNG(path, plot.Grid(rows))
}

// groupedSet is a test set whose ground-truth labels are mapped to class
// groups, so the per-class metrics come out per group.
type groupedSet struct {
	*data.KITTISet
	groups distill.Grouping
}

func openGrouped(cfg config.Config, g distill.Grouping) (*groupedSet, error) {
	set, err := data.OpenKITTI(cfg.Data.Root, splitPath(cfg, "test"), cfg.Data.Width, cfg.Data.Height)
	if err != nil {
		return nil, err
	}
	return &groupedSet{set, g}, nil
}

func (s *groupedSet) LoadEval(i int) (data.EvalSample, error) {
	smp, err := s.KITTISet.LoadEval(i)
	if err == nil && smp.Labels != nil {
		s.groups.Map(smp.Labels)
	}
	return smp, err
}

// SkyLabel is the sky's group (for the sky metric).
func (s *groupedSet) SkyLabel() uint8 {
	for i, name := range s.groups.Groups {
		if name == "sky" {
			return uint8(i)
		}
	}
	return metrics.IgnoreLabel
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
