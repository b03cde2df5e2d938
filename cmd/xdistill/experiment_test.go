package main

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/benchmarks/ablation"
	"github.com/xdistill/edge-depth/training"
)

// tinyWorld are the overrides of a miniature ablation: a 96×64 world of
// 3 drives × 6 frames, 6 steps of 2 samples, snapshots every 2 steps, one
// libtorch thread (bit-exact runs and resumes).
func tinyWorld(dir string) []string {
	return []string{"data.root=" + filepath.Join(dir, "world"), "data.splits=" + filepath.Join(dir, "world", "splits"),
		"data.width=96", "data.height=64", "data.synth_sequences=3", "data.synth_frames=6",
		"model.width=0.125", "train.batch_size=2", "train.replicas=1", "train.threads=1", "train.steps=6", "train.lr_decay_every=4",
		"train.checkpoint_every=2", "train.log_every=1", "train.snapshot_every=2",
		"distill.teacher=labels"} // the world's own labels: the built-in teacher has its own tests
}

// A miniature ablation runs every arm at every seed on both worlds, scores
// each at its snapshots, and writes the report and its pictures;
// re-running reuses the finished runs.
func TestExperimentWritesTheAblationReport(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "results", "ablation.md")
	args := []string{"experiment", "--config", "../../configs/research.yaml", "--seeds", "1,2", "--runs", filepath.Join(dir, "runs"), "--report", report,
		"--arm", "baseline", "--arm", "xdistill", "--arm", "logdepth:distill.input=log_depth,distill.coords=true"}
	for _, s := range tinyWorld(dir) {
		args = append(args, "--set", s)
	}
	if _, err := runCLI(t, args...); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Held-out drive", "## Style-shifted world", "| baseline | `distill.lambda=0` | 1, 2 |",
		"| logdepth | `distill.input=log_depth`, `distill.coords=true` | 1, 2 |", "vs baseline", "reference",
		"## The class-map shortcut", "| arm | 2 | 4 | 6 |", "| ground |", "6 of 6 runs finished", "![learning curves](ablation-curves.png)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	for _, pic := range []string{"ablation.png", "ablation-curves.png", "ablation-loss.png"} {
		f, err := os.Open(filepath.Join(dir, "results", pic))
		if err != nil {
			t.Errorf("%s: %v", pic, err)
			continue
		}
		_, err = png.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", pic, err)
		}
	}
	for _, run := range []string{"baseline-s1", "xdistill-s2", "logdepth-s1"} {
		r, err := ablation.LoadRun(filepath.Join(dir, "runs", run))
		if err != nil || len(r.Curve) != 3 || r.Curve[0].Step != 2 || r.Final().Step != 6 {
			t.Errorf("run %s scores: %+v, %v; want steps 2, 4, 6", run, r, err)
		}
		if distils := run != "baseline-s1"; distils != (r.Final().Test.Translator > 0) {
			t.Errorf("run %s: translator accuracy %g", run, r.Final().Test.Translator)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "world-shifted", "synth.json")); err != nil {
		t.Errorf("shifted world not generated: %v", err)
	}
	// Again: every run is read back from its scores, none is trained.
	sets := tinyWorld(dir)
	arms, _ := parseArms([]string{"baseline", "xdistill", "logdepth:distill.input=log_depth,distill.coords=true"})
	e := &experiment{file: "../../configs/research.yaml", sets: sets, arms: arms, seeds: []int64{1, 2},
		runs: filepath.Join(dir, "runs"), report: report}
	trained := 0
	e.progress = func(io.Writer, int) training.Progress {
		trained++
		return &cancelAfter{n: math.MaxInt, cancel: func() {}}
	}
	if err := e.run(context.Background(), io.Discard, io.Discard); err != nil || trained != 0 {
		t.Errorf("re-run: %d runs trained, %v", trained, err)
	}
	// A new clone has no run directories: the archive beside the report
	// gives the finished runs back, and nothing is trained.
	if _, err := os.Stat(filepath.Join(dir, "results", "ablation-runs.json")); err != nil {
		t.Fatalf("archive: %v", err)
	}
	if err := os.Rename(filepath.Join(dir, "runs"), filepath.Join(dir, "runs-elsewhere")); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(report)
	if err := e.run(context.Background(), io.Discard, io.Discard); err != nil || trained != 0 {
		t.Errorf("from the archive: %d runs trained, %v", trained, err)
	}
	after, _ := os.ReadFile(report)
	if table := func(md []byte) string {
		return string(md[bytes.Index(md, []byte("## Held-out")):bytes.Index(md, []byte("### Learning"))])
	}; table(before) != table(after) {
		t.Errorf("report from the archive differs:\n%s\nvs\n%s", table(before), table(after))
	}
	if err := os.RemoveAll(filepath.Join(dir, "runs")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "runs-elsewhere"), filepath.Join(dir, "runs")); err != nil {
		t.Fatal(err)
	}
	// A run directory of another config is refused, not relabelled.
	e.sets = append(sets, "train.learning_rate=0.002")
	if err := e.run(context.Background(), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "another config") {
		t.Errorf("another config over finished runs: %v", err)
	}
	os.Remove(filepath.Join(dir, "runs", "baseline-s1", ablation.ScoresFile))
	if err := e.run(context.Background(), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "train.learning_rate: 0.001 → 0.002") {
		t.Errorf("another config over a trained run: %v", err)
	}
	if _, err := runCLI(t, "experiment", "--seeds", "1,1"); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("duplicate seed: %v", err)
	}
	for _, bad := range []struct{ arm, want string }{
		{"Base Line", "must be lower-case"},
		{"x:distill.lambda", "is not key=value"},
		{"x:distill.nosuchkey=1", "arm x"},
	} {
		_, err := runCLI(t, "experiment", "--config", "../../configs/research.yaml", "--arm", bad.arm)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("--arm %q: %v, want %q", bad.arm, err, bad.want)
		}
	}
}

// cancelAfter is a Progress that cancels the experiment after n steps of
// its run.
type cancelAfter struct {
	n       int
	cancel  context.CancelFunc
	skipped int // steps a resume started past
}

func (c *cancelAfter) Add(n int) {
	if c.n -= n; c.n <= 0 {
		c.cancel()
	}
}
func (c *cancelAfter) Skip(n int)       { c.skipped += n }
func (c *cancelAfter) SetStatus(string) {}
func (c *cancelAfter) Finish()          {}

// An experiment interrupted in the middle of its second run resumes and
// ends with the same report rows as an uninterrupted one.
func TestInterruptedExperimentResumesToTheSameReport(t *testing.T) {
	arms, err := parseArms([]string{"baseline", "xdistill"})
	if err != nil {
		t.Fatal(err)
	}
	newExp := func(dir string) *experiment {
		return &experiment{file: "../../configs/research.yaml", sets: tinyWorld(dir), arms: append([]ablation.Arm(nil), arms...),
			seeds: []int64{1}, runs: filepath.Join(dir, "runs"), report: filepath.Join(dir, "report.md")}
	}
	whole := t.TempDir()
	if err := newExp(whole).run(context.Background(), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	cut := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	e := newExp(cut)
	runsMade := 0
	e.progress = func(io.Writer, int) training.Progress {
		if runsMade++; runsMade == 2 { // the second run (xdistill) stops after 3 of its 6 steps
			return &cancelAfter{n: 3, cancel: cancel}
		}
		return &cancelAfter{n: math.MaxInt, cancel: cancel}
	}
	if err := e.run(ctx, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("interrupted experiment: %v", err)
	}
	if _, ok, _ := ablation.ReadRun(filepath.Join(cut, "runs", "xdistill-s1"), "", 6); ok {
		t.Fatal("the interrupted run was scored")
	}
	again := newExp(cut)
	var bars []*cancelAfter
	again.progress = func(io.Writer, int) training.Progress {
		bars = append(bars, &cancelAfter{n: math.MaxInt, cancel: func() {}})
		return bars[len(bars)-1]
	}
	if err := again.run(context.Background(), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if len(bars) != 1 || bars[0].skipped != 3 {
		t.Fatalf("resume: %d runs trained; want only xdistill, resumed at step 3", len(bars))
	}
	rows := func(dir string) []string {
		md, err := os.ReadFile(filepath.Join(dir, "report.md"))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range strings.Split(string(md), "\n") {
			if strings.HasPrefix(l, "| baseline |") || strings.HasPrefix(l, "| xdistill |") {
				out = append(out, l)
			}
		}
		return out
	}
	a, b := rows(whole), rows(cut)
	if len(a) < 6 || strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("rows differ:\nuninterrupted:\n%s\nresumed:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}
