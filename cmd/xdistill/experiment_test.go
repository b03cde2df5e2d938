package main

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/training"
)

// A miniature ablation (tiny world, 2 steps, 2 seeds) runs every arm on
// both worlds and writes the report and its picture; re-running reuses
// the finished runs.
func TestExperimentWritesTheAblationReport(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "results", "ablation.md")
	args := []string{"experiment", "--config", "../../configs/synthetic.yaml", "--seeds", "1,2", "--steps", "2", "--runs", filepath.Join(dir, "runs"), "--report", report,
		"--set", "data.root=" + filepath.Join(dir, "world"), "--set", "data.splits=" + filepath.Join(dir, "world", "splits"),
		"--set", "data.width=96", "--set", "data.height=64", "--set", "data.synth_sequences=3", "--set", "data.synth_frames=4",
		"--set", "model.width=0.125", "--set", "train.batch_size=2", "--set", "train.checkpoint_every=2", "--set", "train.log_every=1",
		"--set", "distill.teacher=labels"} // the world's own labels: the built-in teacher has its own tests
	if _, err := runCLI(t, args...); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Held-out test sequences", "## Style-shifted world", "baseline (λ=0)",
		"X-Distill (λ=0.005, grouped)", "X-Distill (λ=0.005, 19 classes)", "vs the baseline", "| ground |", "seeds [1 2]"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if st, err := os.Stat(strings.TrimSuffix(report, ".md") + ".png"); err != nil || st.Size() < 1000 {
		t.Errorf("examples PNG: %v", err)
	}
	// The training curves: photometric loss, then distill_ce (X-Distill arms ran).
	if !strings.Contains(string(md), "![loss curves](ablation-loss.png)") {
		t.Errorf("report does not link the loss curves:\n%s", md)
	}
	if f, err := os.Open(filepath.Join(dir, "results", "ablation-loss.png")); err != nil {
		t.Errorf("loss PNG: %v", err)
	} else {
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != 720 || cfg.Height != 2*400 {
			t.Errorf("loss PNG: %dx%d, %v; want two 720x400 panels stacked", cfg.Width, cfg.Height, err)
		}
	}
	for _, run := range []string{"baseline-s1", "xdistill-default-s2", "xdistill-none-s1"} {
		if _, err := os.Stat(filepath.Join(dir, "runs", run, "checkpoint")); err != nil {
			t.Errorf("run %s: %v", run, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "world-shifted", "synth.json")); err != nil {
		t.Errorf("shifted world not generated: %v", err)
	}
	again, err := runCLI(t, args...)
	if err != nil || strings.Contains(again, "train [") {
		t.Errorf("re-run retrained or failed: %v", err)
	}
	if _, err := runCLI(t, "experiment", "--lambda", "0"); err == nil || !strings.Contains(err.Error(), "want > 0") {
		t.Errorf("λ = 0: %v", err)
	}
	if _, err := runCLI(t, "experiment", "--arms", "baseline,teacherless"); err == nil || !strings.Contains(err.Error(), `unknown arm "teacherless"`) {
		t.Errorf("unknown arm: %v", err)
	}
}

func TestPickArmsKeepsTheReportOrder(t *testing.T) {
	vs, err := pickArms("none, baseline", 0.1, "default")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].lambda != 0 || vs[1].grouping != "none" {
		t.Errorf("pickArms = %+v, want baseline then the 19-class arm", vs)
	}
}

// Two seeds' metrics.jsonl, one resumed (step 3 logged twice: the later
// line counts) and one missing step 4: each run is smoothed on its own,
// then averaged at the steps both logged.
func TestAverageSeedsSmoothsEachRunThenAverages(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"s1": `{"step":1,"photometric":1,"distill_ce":3}
{"step":2,"photometric":2,"distill_ce":3}
{"step":3,"photometric":9,"distill_ce":3}
{"step":2,"photometric":2,"distill_ce":3}
{"step":3,"photometric":3,"distill_ce":3}
{"step":4,"photometric":4,"distill_ce":3}
`,
		"s2": `{"step":1,"photometric":3,"distill_ce":1}
{"step":2,"photometric":4,"distill_ce":1}
{"step":3,"photometric":8,"distill_ce":1}
`,
	}
	var runs [][]training.StepLog
	for _, name := range []string{"s1", "s2"} {
		run := filepath.Join(dir, name)
		if err := os.MkdirAll(run, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(run, "metrics.jsonl"), []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		logs, err := training.ReadStepLog(run)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, logs)
	}
	if len(runs[0]) != 4 || runs[0][2].Photometric != 3 {
		t.Fatalf("resumed run read as %+v, want steps 1..4 with the later step 3", runs[0])
	}
	// Window 3, centred: s1 → 1.5 2 3 3.5; s2 → 3.5 5 6.
	c := averageSeeds(runs, func(l training.StepLog) float64 { return l.Photometric }, 3)
	want := []struct{ step, mean, std float64 }{{1, 2.5, 1}, {2, 3.5, 1.5}, {3, 4.5, 1.5}}
	if len(c.steps) != len(want) {
		t.Fatalf("curve at steps %v, want 1, 2, 3 (the steps both runs logged)", c.steps)
	}
	for i, w := range want {
		if c.steps[i] != w.step || math.Abs(c.mean[i]-w.mean) > 1e-12 || math.Abs(c.std[i]-w.std) > 1e-12 {
			t.Errorf("step %g: mean %g ± %g, want step %g: %g ± %g", c.steps[i], c.mean[i], c.std[i], w.step, w.mean, w.std)
		}
	}
	ce := averageSeeds(runs, func(l training.StepLog) float64 { return l.Distill }, 1)
	if ce.mean[0] != 2 || ce.std[0] != 1 {
		t.Errorf("distill_ce unsmoothed: %g ± %g, want 2 ± 1", ce.mean[0], ce.std[0])
	}
	if w := smoothingWindow(100); w != 5 {
		t.Errorf("window for 100 logged steps: %d, want 5", w)
	}
	if w := smoothingWindow(3); w != 1 {
		t.Errorf("window for 3 logged steps: %d, want 1", w)
	}
}
