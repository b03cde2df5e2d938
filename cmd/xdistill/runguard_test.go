package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/fsutil"
)

func smallTrainArgs(world string) []string {
	return []string{"train", "--config", "../../configs/synthetic.yaml", "--data", world, "--batch-size", "2",
		"--set", "data.splits=" + filepath.Join(world, "splits"), "--set", "data.width=96", "--set", "data.height=64",
		"--set", "data.synth_sequences=3", "--set", "data.synth_frames=4", "--set", "model.width=0.125",
		"--set", "train.checkpoint_every=2", "--set", "train.threads=1", "--set", "distill.lambda=0"}
}

// TestRerunIntoAnExistingRun: without --resume, a run directory with a
// checkpoint is continued only under the same config (as --resume); a
// finished run says nothing was trained.
func TestRerunIntoAnExistingRun(t *testing.T) {
	dir := t.TempDir()
	world, run := filepath.Join(dir, "world"), filepath.Join(dir, "run")
	args := append(smallTrainArgs(world), "--out", run)
	if _, err := runCLI(t, append(args, "--steps", "2")...); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, append(args, "--steps", "2")...)
	if err != nil || !strings.Contains(out, "run "+run+" is already complete (step 2 of 2): nothing was trained") {
		t.Errorf("rerun of a finished run: %v\n%s", err, out)
	}
	for _, c := range []struct {
		extra []string
		want  string
	}{
		{[]string{"--set", "distill.lambda=0.001"}, "the config differs from the run's (distill.lambda: 0 → 0.001)"},
		{[]string{"--lr", "0.0123", "--steps", "4"}, "train.learning_rate: 0.001 → 0.0123"},
		{[]string{"--set", "model.width=0.25"}, "it holds another architecture (model.width: 0.125 → 0.25)"},
	} {
		_, err := runCLI(t, append(append(args, "--steps", "2"), c.extra...)...)
		if err == nil || !strings.Contains(err.Error(), "run "+run+" already exists: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.extra, err, c.want)
		}
	}
	if rec, err := runRecord(run); err != nil || rec.Step != 2 {
		t.Errorf("a refused rerun changed the run: %+v, %v", rec, err)
	}
	if out, err := runCLI(t, append(args, "--steps", "4")...); err != nil || !strings.Contains(out, "resuming run "+run+" at step 2 of 4") {
		t.Errorf("more steps, same config: %v\n%s", err, out)
	}
}

// TestASecondWriterIsRefused: a run directory, a dataset or a label cache
// held by another writer is refused, naming the holder's PID.
func TestASecondWriterIsRefused(t *testing.T) {
	dir := t.TempDir()
	world, run := filepath.Join(dir, "world"), filepath.Join(dir, "run")
	want := fmt.Sprintf("is in use by another process (PID %d: ", os.Getpid())
	hold := func(d string) *fsutil.Lock {
		l, err := fsutil.LockDir(d, "test")
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := hold(run)
	_, err := runCLI(t, append(smallTrainArgs(world), "--out", run, "--steps", "1")...)
	if err == nil || !strings.Contains(err.Error(), "run directory "+run+" "+want) {
		t.Errorf("train into a held run: %v", err)
	}
	l.Unlock()
	data := filepath.Join(dir, "synth")
	l = hold(data)
	_, err = runCLI(t, "synth", "--out", data, "--sequences", "2", "--frames", "3", "--size", "96x64")
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("synth into a held folder: %v", err)
	}
	l.Unlock()
	if _, err := runCLI(t, "synth", "--out", data, "--sequences", "2", "--frames", "3", "--size", "96x64"); err != nil {
		t.Errorf("synth after the lock was released: %v", err)
	}
	model, cache := filepath.Join(dir, "seg.onnx"), filepath.Join(dir, "labels")
	segModel(t, model)
	l = hold(cache)
	defer l.Unlock()
	_, err = runCLI(t, "teacher", "label", "--model", model, "--data", data, "--split", "train", "--out", cache)
	if err == nil || !strings.Contains(err.Error(), "label cache "+cache+" "+want) {
		t.Errorf("teacher label into a held cache: %v", err)
	}
}

// TestBrokenTrainingData: a missing frame is found before training (no
// step taken, the split line named); a frame whose pixels are cut short
// (its header reads) fails when sampled, after the steps before it were
// saved in a checkpoint.
func TestBrokenTrainingData(t *testing.T) {
	dir := t.TempDir()
	world, run := filepath.Join(dir, "world"), filepath.Join(dir, "run")
	args := append(smallTrainArgs(world), "--out", run, "--set", "data.synth_frames=12")
	if _, err := runCLI(t, append(args, "--steps", "2")...); err != nil {
		t.Fatal(err)
	}
	split := filepath.Join(world, "splits", "train_files.txt")
	entries, err := kitti.ReadSplit(split)
	if err != nil {
		t.Fatal(err)
	}
	e := entries[len(entries)/2]
	frame := e.Drive.ImagePath(world, e.Frame)
	good, err := os.ReadFile(frame)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(frame); err != nil {
		t.Fatal(err)
	}
	_, err = runCLI(t, append(args, "--steps", "40")...)
	if err == nil || !strings.Contains(err.Error(), "split "+split+":") || !strings.Contains(err.Error(), frame) {
		t.Errorf("missing frame: got %v, want the split file and line, and the frame", err)
	}
	if rec, _ := runRecord(run); rec == nil || rec.Step != 2 {
		t.Errorf("a run with a missing frame trained: %+v", rec)
	}
	if err := os.WriteFile(frame, good[:120], 0o644); err != nil { // header whole, pixels cut
		t.Fatal(err)
	}
	_, err = runCLI(t, append(args, "--steps", "40", "--set", "train.checkpoint_every=100")...)
	m := regexp.MustCompile(`checkpoint saved at step (\d+) in `).FindStringSubmatch(fmt.Sprint(err))
	if err == nil || m == nil || !strings.Contains(err.Error(), frame) {
		t.Fatalf("a frame cut short mid-run: got %v, want its name and a checkpoint", err)
	}
	step, _ := strconv.Atoi(m[1])
	if rec, _ := runRecord(run); rec == nil || rec.Step != int64(step) || step <= 2 {
		t.Errorf("want a checkpoint at step %d, past the last one (2): %+v", step, rec)
	}
	t.Logf("failed at step %d: %v", step, err)
}
