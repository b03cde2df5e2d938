package export_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/export"
	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/data/camera"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/onnxcheck"
	"github.com/xdistill/edge-depth/internal/ort"
)

// TestMetadataRoundTrip: what the exporter writes is what a reader (our
// onnxgraph, and ONNX Runtime, which edge-depth uses) gets back, and each
// value is the one it should be.
func TestMetadataRoundTrip(t *testing.T) {
	ensureORT(t)
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	_, ck := saveRun(t, run, runSpec{encoder: "resnet18", width: 0.25, padding: "zero", seed: 4, lambda: 0.1})
	path := filepath.Join(dir, "models", "depth.onnx")
	res, err := export.Export(export.Options{Checkpoint: run, Out: path, Opset: 17, Width: 320, Height: 128,
		Batch: 0, Preprocess: true, Outputs: []string{"depth", "disparity"}, Scale: 5.4})
	if err != nil {
		t.Fatal(err)
	}
	onnxcheck.Check(t, path)
	// Expected values, each from its own source.
	calib, err := kitti.ReadCalib(kitti.CalibPath(syntheticData(t), synth.Date))
	if err != nil {
		t.Fatal(err)
	}
	k := calib.Scale(320, 128)
	hash, err := checkpoint.HashFile(filepath.Join(run, checkpoint.CheckpointDir, checkpoint.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	want := modelmeta.Meta{Width: 320, Height: 128, Layout: modelmeta.LayoutNHWCUint8, Outputs: []string{"depth", "disparity"},
		Batch: 0, MinDepth: 0.1, MaxDepth: 100, Scale: 5.4, Fx: k.Fx, Fy: k.Fy, Cx: k.Cx, Cy: k.Cy,
		Encoder: "resnet18", EncoderWidth: 0.25, Padding: "zero", Grouping: "default", Lambda: 0.1,
		Checkpoint: hash.SHA256, Version: modelmeta.ProjectVersion}
	if !reflect.DeepEqual(res.Meta, want) {
		t.Errorf("written:\n %+v\nwant\n %+v", res.Meta, want)
	}
	if hash.SHA256 != ck.Record.Weights.SHA256 || res.IntrinsicsSource != kitti.CalibPath(syntheticData(t), synth.Date) {
		t.Errorf("hash %s vs record %s; intrinsics from %q", hash.SHA256, ck.Record.Weights.SHA256, res.IntrinsicsSource)
	}
	props, err := onnxgraph.ReadMetadata(path)
	if err != nil {
		t.Fatal(err)
	}
	back, err := modelmeta.Parse(props)
	if err != nil || !reflect.DeepEqual(back, want) {
		t.Errorf("read back through onnxgraph: %+v, %v", back, err)
	}
	s, err := ort.Open(path, ort.Options{Provider: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	back, err = modelmeta.Parse(s.Metadata())
	if err != nil || !reflect.DeepEqual(back, want) {
		t.Errorf("read back through ONNX Runtime: %+v, %v", back, err)
	}
	// Graph outputs in the order asked for, with the declared shapes.
	outs := s.Outputs()
	if len(outs) != 2 || outs[0].Name != "depth" || outs[1].Name != "disparity" || !reflect.DeepEqual(outs[0].Shape, []int64{-1, 1, 128, 320}) {
		t.Errorf("outputs %v", outs)
	}
	if in := s.Inputs(); len(in) != 1 || in[0].Type != "uint8" || !reflect.DeepEqual(in[0].Shape, []int64{-1, 128, 320, 3}) {
		t.Errorf("inputs %v", in)
	}
	// Same checkpoint and options, same bytes.
	again := filepath.Join(dir, "again.onnx")
	if _, err := export.Export(export.Options{Checkpoint: run, Out: again, Opset: 17, Width: 320, Height: 128,
		Batch: 0, Preprocess: true, Outputs: []string{"depth", "disparity"}, Scale: 5.4}); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(path)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("exporting twice gave different files")
	}
}

// TestIntrinsicsSources: a camera.yaml wins; without the dataset on disk
// the synthetic world's camera model is used; for another dataset that is
// missing the intrinsics are written as unknown, with a warning.
func TestIntrinsicsSources(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	saveRun(t, run, runSpec{encoder: "resnet18", width: 0.125, padding: "reflect", seed: 5})
	out := filepath.Join(dir, "depth.onnx")

	cam := filepath.Join(dir, "camera.yaml")
	if err := camera.Write(cam, camera.File{Width: 1280, Height: 480, Fx: 1000, Fy: 990, Cx: 640, Cy: 240}); err != nil {
		t.Fatal(err)
	}
	res, err := export.Export(export.Options{Checkpoint: run, Out: out, Camera: cam})
	if err != nil {
		t.Fatal(err)
	}
	if m := res.Meta; m.Fx != 200 || m.Fy != 198 || m.Cx != 128 || m.Cy != 48 {
		t.Errorf("camera.yaml 1280x480 scaled to 256x96: fx %g fy %g cx %g cy %g, want 200 198 128 48", m.Fx, m.Fy, m.Cx, m.Cy)
	}

	// The dataset moved away: the synthetic camera model, same numbers.
	withData, err := export.Export(export.Options{Checkpoint: run, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	rewriteConfig(t, run, func(c *config.Config) { c.Data.Root, c.Data.Splits = filepath.Join(dir, "gone"), "" })
	res, err = export.Export(export.Options{Checkpoint: run, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	want := synth.Intrinsics(synth.StyleDefault, trainW, trainH)
	if m := res.Meta; m.Fx != want.Fx || m.Cy != want.Cy || !strings.Contains(res.IntrinsicsSource, "synthetic") {
		t.Errorf("without the dataset: fx %g cy %g from %q, want %g %g", m.Fx, m.Cy, res.IntrinsicsSource, want.Fx, want.Cy)
	}
	if d := withData.Meta.Fx - res.Meta.Fx; d > 1e-3 || d < -1e-3 {
		t.Errorf("dataset calibration fx %g, synthetic model %g", withData.Meta.Fx, res.Meta.Fx)
	}

	rewriteConfig(t, run, func(c *config.Config) { c.Data.Format = "kitti" })
	res, err = export.Export(export.Options{Checkpoint: run, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if res.Meta.HasIntrinsics() || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "--camera") {
		t.Errorf("missing KITTI data: fx %g, warnings %q", res.Meta.Fx, res.Warnings)
	}
}

// rewriteConfig edits the run config in a saved run (re-saving the
// checkpoint, so hashes stay consistent).
func rewriteConfig(t *testing.T, run string, edit func(*config.Config)) {
	t.Helper()
	ck, err := checkpoint.LoadRun(run)
	if err != nil {
		t.Fatal(err)
	}
	var c config.Config
	if err := json.Unmarshal(ck.Record.Config, &c); err != nil {
		t.Fatal(err)
	}
	edit(&c)
	rec := *ck.Record
	rec.Config, _ = json.Marshal(c)
	if err := checkpoint.SaveRun(run, checkpoint.Checkpoint{Record: rec, Weights: ck.Weights.Tensors}); err != nil {
		t.Fatal(err)
	}
}

// TestCheckerAcceptsDepthOnly: the depth-only graph (the other output sets
// are judged in the parity and metadata tests) at both ends of the opset
// range, with a fixed batch of 3.
func TestCheckerAcceptsDepthOnly(t *testing.T) {
	ensureORT(t)
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	saveRun(t, run, runSpec{encoder: "resnet18", width: 0.125, padding: "zero", seed: 8})
	for _, opset := range []int{13, 17} {
		path := filepath.Join(dir, fmt.Sprintf("depth-%d.onnx", opset))
		if _, err := export.Export(export.Options{Checkpoint: run, Out: path, Opset: opset, Batch: 3, Outputs: []string{"depth"}}); err != nil {
			t.Fatal(err)
		}
		onnxcheck.Check(t, path)
		s, err := ort.Open(path, ort.Options{Provider: "cpu"})
		if err != nil {
			t.Fatal(err)
		}
		outs := s.Outputs()
		s.Close()
		if len(outs) != 1 || outs[0].Name != "depth" || !reflect.DeepEqual(outs[0].Shape, []int64{3, 1, trainH, trainW}) {
			t.Errorf("opset %d: outputs %v", opset, outs)
		}
	}
}
