package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/xdistill/edge-depth/internal/onnx/graph"
)

// segModel is a segmentation-shaped ONNX model (19 class logits at the
// input size, no depth metadata): what `teacher label` takes and what
// must not pass for a depth export.
func segModel(t *testing.T, path string) {
	t.Helper()
	m, err := onnxgraph.New("seg", 13)
	if err != nil {
		t.Fatal(err)
	}
	x := m.Input("image", onnxgraph.Float32, onnxgraph.Dims(1, 3, 64, 128))
	w := make([]float32, 19*3)
	for i := range w {
		w[i] = float32(i%7) * 0.1
	}
	y := m.Conv(x, m.Float32Init("w", []int64{19, 3, 1, 1}, w), "", 1, 1, 0)
	m.Rename(y, "logits")
	m.Output("logits", onnxgraph.Float32, onnxgraph.Dims(1, 19, 64, 128))
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
}

// runNoPanic runs the CLI and turns a panic into a test failure naming
// the arguments (a panic is never an answer to user input).
func runNoPanic(t *testing.T, args ...string) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%q panicked: %v\n%s", args, r, debug.Stack())
			err = fmt.Errorf("panic")
		}
	}()
	_, err = runCLI(t, args...)
	return err
}

// TestEveryCommandRefusesTheWrongKindOfFile feeds every command that
// reads a model, checkpoint, video, image folder or ground-truth file the
// wrong kind of one: each must fail with an error, never panic or pass.
func TestEveryCommandRefusesTheWrongKindOfFile(t *testing.T) {
	dir := t.TempDir()
	data := labelledWorld(t, 3)
	depth, seg := filepath.Join(dir, "depth.onnx"), filepath.Join(dir, "seg.onnx")
	smallDepthModel(t, depth)
	segModel(t, seg)
	text := filepath.Join(dir, "notes.txt")
	junkDir := filepath.Join(dir, "junk")
	if err := os.WriteFile(text, []byte("not a model, video, image or checkpoint\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(junkDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.png", "b.jpg", "run.json", "model.safetensors"} {
		if err := os.WriteFile(filepath.Join(junkDir, name), []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := func(name string) string { return filepath.Join(t.TempDir(), name) }
	train := func(args ...string) []string {
		return append([]string{"train", "--config", "../../configs/synthetic.yaml", "--data", data, "--steps", "1",
			"--set", "data.splits=" + filepath.Join(data, "splits"), "--set", "data.width=128", "--set", "data.height=64",
			"--set", "model.width=0.125", "--set", "distill.lambda=0"}, args...)
	}
	cases := [][]string{
		{"calibrate", "int8", "--model", seg, "--data", data, "--count", "2", "--latency-runs", "0"},
		{"calibrate", "int8", "--model", text, "--data", data, "--count", "2"},
		{"calibrate", "int8", "--model", depth, "--video", text, "--out", out("q.onnx")},
		{"calibrate", "int8", "--model", depth, "--frames", junkDir, "--out", out("q.onnx")},
		{"calibrate", "camera", "--images", junkDir, "--out", out("c.yaml")},
		{"calibrate", "camera", "--video", text, "--out", out("c.yaml")},
		{"teacher", "label", "--model", depth, "--data", data, "--out", out("labels")},
		{"teacher", "label", "--model", text, "--data", data, "--out", out("labels")},
		{"teacher", "eval", "--model", depth, "--data", data},
		{"teacher", "eval", "--model", text, "--data", data},
		{"eval", "--checkpoint", depth, "--data", data},
		{"eval", "--checkpoint", junkDir, "--data", data},
		{"eval", "--checkpoint", text, "--data", data},
		{"export", "--checkpoint", junkDir, "--out", out("d.onnx")},
		{"export", "--checkpoint", depth, "--out", out("d.onnx")},
		train("--encoder-weights", text, "--out", out("run")),
		train("--encoder-weights", depth, "--out", out("run")),
		train("--encoder-weights", junkDir, "--out", out("run")),
		train("--resume", junkDir),
		train("--resume", text),
		{"eval", "--checkpoint", junkDir, "--data", data, "--gt", text},
		{"prepare-video", "--video", text, "--camera", text, "--out", out("prep")},
		{"kitti", "export-gt", "--data", junkDir, "--split", text},
	}
	for _, args := range cases {
		if err := runNoPanic(t, args...); err == nil {
			t.Errorf("%q: want an error", args)
		} else {
			t.Logf("%q: %v", args, err)
		}
	}
}
