package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestResumeFlag: --resume continues a run (more steps allowed) and refuses
// a run without a checkpoint or a config that is not the run's.
func TestResumeFlag(t *testing.T) {
	dir := t.TempDir()
	world, run := filepath.Join(dir, "world"), filepath.Join(dir, "run")
	args := []string{"train", "--config", "../../configs/synthetic.yaml", "--data", world, "--batch-size", "2",
		"--set", "data.splits=" + filepath.Join(world, "splits"), "--set", "data.width=96", "--set", "data.height=64",
		"--set", "data.synth_sequences=3", "--set", "data.synth_frames=4", "--set", "model.width=0.125",
		"--set", "train.checkpoint_every=2", "--set", "train.threads=1", "--set", "distill.lambda=0"}
	if _, err := runCLI(t, append(args, "--out", run, "--steps", "2")...); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, append(args, "--resume", run, "--steps", "4")...); err != nil {
		t.Fatalf("resume with more steps: %v", err)
	}
	rec, err := runRecord(run)
	if err != nil || rec.Step != 4 {
		t.Errorf("after resuming to 4 steps: record %+v, %v", rec, err)
	}
	_, err = runCLI(t, append(args, "--resume", run, "--set", "train.learning_rate=0.0123")...)
	if err == nil || !strings.Contains(err.Error(), "train.learning_rate: ") || !strings.Contains(err.Error(), "→ 0.0123") {
		t.Errorf("changed config: got %v, want a refusal naming train.learning_rate", err)
	}
	_, err = runCLI(t, append(args, "--resume", filepath.Join(dir, "nothing"))...)
	if err == nil || !strings.Contains(err.Error(), "no checkpoint to resume") {
		t.Errorf("no run: got %v", err)
	}
}
