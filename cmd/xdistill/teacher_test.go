package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/teacher"
	"github.com/xdistill/edge-depth/training/distill"
)

// labelledWorld is a tiny synthetic world (one train drive, one test
// drive, 128×64) with its ground-truth label PNGs.
func labelledWorld(t *testing.T, frames int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if err := synth.Generate(context.Background(), synth.Options{Out: dir, Seed: 4, Sequences: 2, Frames: frames,
		Width: 128, Height: 64, Style: synth.StyleDefault, Workers: 2}, io.Discard); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestTeacherTrainEvalAndLabelCommands(t *testing.T) {
	data := labelledWorld(t, 6)
	dir := t.TempDir()
	model := filepath.Join(dir, "teacher.onnx")
	msg, err := runCLI(t, "teacher", "train", "--data", data, "--steps", "12", "--size", "128x64", "--width", "0.125",
		"--batch-size", "4", "--threads", "1", "--run", filepath.Join(dir, "run"), "--out", model)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"training the teacher on 4 labelled frames", "trained 12 steps", "cross-entropy",
		"wrote " + model, "logits [1,19,64,128]", "mIoU"} {
		if !strings.Contains(msg, want) {
			t.Errorf("teacher train output lacks %q:\n%s", want, msg)
		}
	}
	msg, err = runCLI(t, "teacher", "eval", "--model", model, "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`mIoU ([0-9.]+) \(19 classes.*group mIoU ([0-9.]+)`).FindStringSubmatch(msg)
	if m == nil || !strings.Contains(msg, "traffic light") || !strings.Contains(msg, "vegetation") {
		t.Fatalf("teacher eval output:\n%s", msg)
	}
	if v, _ := strconv.ParseFloat(m[1], 64); !(v > 0 && v <= 1) {
		t.Errorf("mIoU %s: want a value in (0, 1]", m[1])
	}
	// The export's metadata is all `teacher label` needs.
	msg, err = runCLI(t, "teacher", "label", "--model", model, "--data", data, "--split", "test", "--out", filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "128x64 (metadata)") || !strings.Contains(msg, "19 classes at 128x64 (metadata)") || !strings.Contains(msg, "labelled 6 frames") {
		t.Errorf("teacher label output:\n%s", msg)
	}
}

func TestTeacherEvalNeedsGroundTruth(t *testing.T) {
	data := labelledWorld(t, 4)
	dir := t.TempDir()
	model := filepath.Join(dir, "teacher.onnx")
	if _, err := runCLI(t, "teacher", "train", "--data", data, "--steps", "1", "--size", "128x64", "--width", "0.125",
		"--batch-size", "2", "--run", filepath.Join(dir, "run"), "--out", model); err != nil {
		t.Fatal(err)
	}
	gt := synth.Drive(1).LabelPath(data, 2)
	if err := os.Remove(gt); err != nil {
		t.Fatal(err)
	}
	_, err := runCLI(t, "teacher", "eval", "--model", model, "--data", data)
	if err == nil || !strings.Contains(err.Error(), "ground truth") || !strings.Contains(err.Error(), "0000000002.png") {
		t.Errorf("eval without a label PNG: got %v, want an error naming the frame", err)
	}
}

// builtinArgs is a `train` with distill.teacher: builtin, everything tiny.
func builtinArgs(data, dir string, steps int) []string {
	set := func(kv string) []string { return []string{"--set", kv} }
	args := []string{"train", "--config", "../../configs/synthetic.yaml", "--data", data, "--out", filepath.Join(dir, "runs", "latest"),
		"--steps", strconv.Itoa(steps), "--batch-size", "2"}
	for _, kv := range []string{"data.splits=" + filepath.Join(data, "splits"), "data.width=128", "data.height=64",
		"model.width=0.125", "train.device=cpu", "train.checkpoint_every=100", "distill.lambda=0.1", "distill.teacher=builtin",
		"distill.teacher_model=" + filepath.Join(dir, "models", "teacher.onnx"), "distill.teacher_steps=4", "distill.teacher_size=128x64", "distill.teacher_width=0.125"} {
		args = append(args, set(kv)...)
	}
	return args
}

// TestTrainWithBuiltinTeacher: the first run trains and exports the
// teacher, labels the train split into its cache and trains on it; the
// second reuses model and cache.
func TestTrainWithBuiltinTeacher(t *testing.T) {
	data := labelledWorld(t, 5)
	dir := t.TempDir()
	model := filepath.Join(dir, "models", "teacher.onnx")
	msg, err := runCLI(t, builtinArgs(data, dir, 1)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"no " + model + " yet, training it", "trained 4 steps", "wrote " + model, "mIoU",
		"labelled 3 frames, 0 already cached", "training on 3 samples",
		"Where the model's Abs Rel comes from", "| all | | | "} {
		if !strings.Contains(msg, want) {
			t.Errorf("first run lacks %q:\n%s", want, msg)
		}
	}
	cache := teacher.CacheDir(data, model)
	for _, e := range mustSplit(t, kitti.SplitPath(data, "train")) {
		if _, err := kitti.ReadLabelsSized(e.Drive.LabelPath(cache, e.Frame), 128, 64); err != nil {
			t.Errorf("teacher cache: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "runs", "teacher", "checkpoint", "record.json")); err != nil {
		t.Errorf("teacher run beside train.out: %v", err)
	}
	msg, err = runCLI(t, builtinArgs(data, dir, 2)...)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(msg, "training it") || !strings.Contains(msg, "labelled 0 frames, 3 already cached") {
		t.Errorf("second run should reuse the teacher and its labels:\n%s", msg)
	}
	// The ablation report scores the same teacher on the test drive.
	cfg := config.Default()
	cfg.Data.Root, cfg.Data.Splits = data, filepath.Join(data, "splits")
	cfg.Distill.Teacher, cfg.Distill.TeacherModel = "builtin", model
	note := teacherScore(context.Background(), cfg, distill.Default(), io.Discard)
	if !strings.Contains(note, model+" on the test drive: mIoU 0.") || !strings.Contains(note, "over the 7 groups") {
		t.Errorf("teacher score in the report: %q", note)
	}
	cfg.Distill.TeacherModel = filepath.Join(dir, "missing.onnx")
	if note := teacherScore(context.Background(), cfg, distill.Default(), io.Discard); !strings.Contains(note, "not scored") {
		t.Errorf("missing teacher: %q", note)
	}
}

func TestBuiltinTeacherRefusesUnlabelledData(t *testing.T) {
	data := labelledWorld(t, 4)
	if err := os.RemoveAll(filepath.Join(synth.Drive(0).Dir(data), "semantic")); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, err := runCLI(t, builtinArgs(data, dir, 1)...)
	if err == nil || !strings.Contains(err.Error(), "built-in teacher") || !strings.Contains(err.Error(), "no ground-truth label PNG") ||
		!strings.Contains(err.Error(), "semantic") {
		t.Errorf("got %v, want an error naming the missing label PNGs", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, "models", "teacher.onnx")); statErr == nil {
		t.Error("a teacher model was written from data without labels")
	}
}

func mustSplit(t *testing.T, path string) []kitti.Entry {
	t.Helper()
	e, err := kitti.ReadSplit(path)
	if err != nil || len(e) == 0 {
		t.Fatalf("split %s: %v (%d entries)", path, err, len(e))
	}
	return e
}
