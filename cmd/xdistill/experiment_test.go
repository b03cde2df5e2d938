package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		"--set", "model.width=0.125", "--set", "train.batch_size=2", "--set", "train.checkpoint_every=2", "--set", "train.log_every=1"}
	if _, err := runCLI(t, args...); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Held-out test sequences", "## Style-shifted world", "baseline (λ=0)",
		"X-Distill (λ=0.1, grouped)", "X-Distill (λ=0.1, 19 classes)", "vs the baseline", "| ground |", "seeds [1 2]"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if st, err := os.Stat(strings.TrimSuffix(report, ".md") + ".png"); err != nil || st.Size() < 1000 {
		t.Errorf("examples PNG: %v", err)
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
