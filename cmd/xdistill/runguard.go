package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/fsutil"
)

// resumable are the keys a run may be continued with changed: where it
// is, how fast it runs, how often it logs and saves, and train.steps (to
// extend it). Every other key changes what is trained.
var resumable = []string{"train.steps", "train.out", "train.threads", "data.workers", "train.device", "runtime.onnxruntime_lib",
	"train.checkpoint_every", "train.log_every"}

// archKeys change the network itself: its weights cannot be loaded.
var archKeys = []string{"model.encoder", "model.width", "model.padding", "model.scales", "model.min_depth", "model.max_depth", "data.width", "data.height"}

// lockRun takes the run directory for this process (fsutil.LockDir).
func lockRun(dir string) (*fsutil.Lock, error) {
	return fsutil.LockDir(dir, "run directory")
}

// hasCheckpoint says whether run holds a checkpoint a trainer would resume.
func hasCheckpoint(run string) bool {
	for _, d := range []string{checkpoint.CheckpointDir, checkpoint.PrevDir} {
		if _, err := os.Stat(filepath.Join(run, d)); err == nil {
			return true
		}
	}
	return false
}

// checkExistingRun is --resume's check for the implicit resume of a run
// directory that holds a checkpoint: another config is refused (naming
// the keys; another architecture as such), and a run already at
// train.steps is reported on w as complete, nothing trained.
func checkExistingRun(cfg config.Config, w io.Writer) error {
	run := cfg.Train.Out
	if !hasCheckpoint(run) {
		return nil
	}
	rec, err := runRecord(run)
	if err != nil {
		return fmt.Errorf("run %s: %w (move the run directory away to start afresh)", run, err)
	}
	if err := sameConfig(run, rec, cfg); err != nil {
		return fmt.Errorf("run %s already exists: %w, or give another --out", run, err)
	}
	if rec.Step >= int64(cfg.Train.Steps) {
		fmt.Fprintf(w, "run %s is already complete (step %d of %d): nothing was trained; the evaluation below is of that run's model (raise --steps to train further)\n",
			run, rec.Step, cfg.Train.Steps)
	} else if rec.Step > 0 {
		fmt.Fprintf(w, "resuming run %s at step %d of %d (same config)\n", run, rec.Step, cfg.Train.Steps)
	}
	return nil
}

// sameConfig compares cfg with the config a run was trained with.
func sameConfig(run string, rec *checkpoint.Record, cfg config.Config) error {
	var was config.Config
	if err := json.Unmarshal(rec.Config, &was); err != nil {
		return fmt.Errorf("the run record's config: %w", err)
	}
	var arch, other []string
	for _, d := range config.Diff(was, cfg, resumable...) {
		key, _, _ := strings.Cut(d, ":")
		if contains(archKeys, key) {
			arch = append(arch, d)
		} else {
			other = append(other, d)
		}
	}
	switch {
	case len(arch) > 0:
		return fmt.Errorf("it holds another architecture (%s): its weights do not fit this network; use another run directory", strings.Join(arch, "; "))
	case len(other) > 0:
		return fmt.Errorf("the config differs from the run's (%s): continuing would mix two experiments in one run; pass the config it was started with", strings.Join(other, "; "))
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
