package main

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/training"
)

// exportRun saves a random-weight run (no config in the record: the
// intrinsics are then unknown) the way the trainer does.
func exportRun(t *testing.T) string {
	t.Helper()
	mc := config.Default().Model
	mc.Width = 0.125
	m, err := training.NewModel(mc, gotch.CPU)
	if err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(t.TempDir(), "run")
	rec := checkpoint.Record{ProjectVersion: "test", Arch: checkpoint.Arch{Encoder: mc.Encoder, WidthMultiplier: mc.Width,
		InputWidth: 128, InputHeight: 64, Padding: mc.Padding, MinDepth: mc.MinDepth, MaxDepth: mc.MaxDepth, Scales: []int{0, 1, 2, 3}}}
	if err := checkpoint.SaveRun(run, checkpoint.Checkpoint{Record: rec, Weights: m.WeightTensors()}); err != nil {
		t.Fatal(err)
	}
	return run
}

func TestExportCommand(t *testing.T) {
	run := exportRun(t)
	out := filepath.Join(t.TempDir(), "models", "depth.onnx")
	t.Setenv("PATH", t.TempDir()) // no trtexec
	msg, err := runCLI(t, "export", "--checkpoint", run, "--out", out, "--size", "320x128", "--preprocess",
		"--output", "both", "--batch", "dynamic", "--opset", "17", "--scale", "5.4", "--engine", "--fp16")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"wrote " + out, "resnet18 ×0.125, reflect padding", "image uint8 [N,128,320,3] RGB; outputs disparity, depth",
		"trtexec not found", "trtexec --onnx=" + out + " --saveEngine=" + strings.TrimSuffix(out, ".onnx") + ".engine --minShapes=image:1x128x320x3",
		"--maxShapes=image:8x128x320x3 --fp16", "TensorRT provider"} {
		if !strings.Contains(msg, want) {
			t.Errorf("output lacks %q:\n%s", want, msg)
		}
	}
	props, err := onnxgraph.ReadMetadata(out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := modelmeta.Parse(props)
	if err != nil {
		t.Fatal(err)
	}
	if m.Width != 320 || m.Height != 128 || m.Batch != 0 || m.Layout != modelmeta.LayoutNHWCUint8 || m.Scale != 5.4 ||
		!reflect.DeepEqual(m.Outputs, []string{"disparity", "depth"}) || !strings.HasPrefix(m.Version, modelmeta.ProjectVersion) {
		t.Errorf("metadata %+v", m)
	}
}

func TestExportCommandRejectsBadFlags(t *testing.T) {
	run := exportRun(t)
	cases := map[string][]string{
		`--batch "0"`:         {"--batch", "0"},
		`--batch "many"`:      {"--batch", "many"},
		`--output "normals"`:  {"--output", "normals"},
		`size "wide"`:         {"--size", "wide"},
		"multiples of 32":     {"--size", "250x96"},
		"13..17":              {"--opset", "12"},
		`reflect op "mirror"`: {"--reflect-op", "mirror"},
		"--int8 needs":        {"--engine", "--int8"},
	}
	for want, args := range cases {
		_, err := runCLI(t, append([]string{"export", "--checkpoint", run, "--out", filepath.Join(t.TempDir(), "d.onnx")}, args...)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: got %v, want an error with %q", args, err, want)
		}
	}
}
