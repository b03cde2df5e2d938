package calibration

import (
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/onnxcheck"
)

// synthData writes a small synthetic dataset (train, val and test drives
// with ground truth) at the tiny net's size.
func synthData(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	o := synth.Options{Out: dir, Seed: 4, Sequences: 5, Frames: 6, Width: tw, Height: th, Style: "default", Workers: 1}
	if err := synth.Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
	return dir
}

func openSplit(t testing.TB, root, name string) *Dataset {
	t.Helper()
	d, err := OpenDataset(root, kitti.SplitPath(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestInt8WritesModelCacheAndReport(t *testing.T) {
	initORT(t)
	data := synthData(t)
	dir := t.TempDir()
	model := saveModel(t, tinyNet(t, tw, th, false, 2), "depth.onnx")
	o := Int8Options{
		Model: model, Out: filepath.Join(dir, "depth.int8.onnx"), Cache: filepath.Join(dir, "depth.calib"), Report: filepath.Join(dir, "depth.int8.md"),
		Method: Entropy, Percentile: DefaultPercentile, Target: TensorRT,
		AutoKeep: true, Budget: 1e-9, // unreachable: keeps the allowed maximum, most sensitive first
		Calib: openSplit(t, data, "train"), Tune: openSplit(t, data, "val"), Eval: openSplit(t, data, "test"),
		CalibSource: "train", TuneSource: "val", EvalSource: "test",
		Protocol: metrics.Synthetic(), TRTVersion: "8.6.2", LatencyRuns: 3,
	}
	res, err := Int8(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	onnxcheck.Check(t, o.Out)

	// AutoKeep kept the two most sensitive layers (a quarter of 10).
	if len(res.AutoKept) != 2 || len(res.Kept) != 2 {
		t.Fatalf("auto kept %v, kept %v: want 2", res.AutoKept, res.Kept)
	}
	for i, s := range res.AutoKept {
		if s.Layer != res.Sensitivity[i].Layer {
			t.Errorf("auto keep step %d kept %s, the %d-th most sensitive is %s", i, s.Layer, i+1, res.Sensitivity[i].Layer)
		}
	}
	if len(res.Sensitivity) != 10 || res.Sensitivity[0].Scores.Agreement.AbsRel < res.Sensitivity[9].Scores.Agreement.AbsRel {
		t.Errorf("sensitivity table not sorted, most sensitive first: %+v", res.Sensitivity)
	}
	if res.Eval == nil || !res.Eval.GT || res.Eval.Images == 0 || res.Latency == nil {
		t.Fatalf("eval %+v latency %+v", res.Eval, res.Latency)
	}

	// The QDQ model keeps the FP32 model's metadata and says what it is.
	q, err := onnxgraph.Load(o.Out)
	if err != nil {
		t.Fatal(err)
	}
	meta := q.Metadata()
	if _, err := modelmeta.Parse(meta); err != nil {
		t.Errorf("QDQ model metadata no longer parses: %v", err)
	}
	fp, _ := onnxgraph.ReadMetadata(model)
	for k, v := range fp {
		if meta[k] != v {
			t.Errorf("metadata %s = %q, FP32 model has %q", k, meta[k], v)
		}
	}
	if meta[MetaQuantization] != "int8-qdq" || meta[MetaTarget] != "tensorrt" || meta[MetaMethod] != "entropy" ||
		meta[MetaKept] != strings.Join(res.Kept, ",") || meta[MetaFrames] != "12" {
		t.Errorf("quantization metadata %v", meta)
	}
	for _, l := range layers(q.Graph()) {
		if !contains(res.Kept, l.Name()) {
			t.Errorf("layer %s has float weights but is not kept in FP32", l.Name())
		}
	}

	// The cache holds every activation's scale, bit for bit, except the
	// kept layers' input and output tensors: without a range TensorRT
	// cannot run them in INT8, whichever route reads the cache.
	c, err := ReadCache(o.Cache)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := onnxgraph.Load(model)
	keptTensors := map[string]bool{}
	for _, l := range layers(m.Graph()) {
		if contains(res.Kept, l.Name()) {
			keptTensors[l.Input], keptTensors[l.Output] = true, true
		}
	}
	acts := activations(m.Graph())
	if len(keptTensors) != 4 || len(c.Scales) != len(acts)-4 || c.Header != "TRT-8602-EntropyCalibration2" {
		t.Errorf("cache has %d tensors (%s), the model %d activations, the 2 kept layers %d tensors", len(c.Scales), c.Header, len(acts), len(keptTensors))
	}
	for _, a := range acts {
		got, in := c.Scales[a]
		if keptTensors[a] {
			if in {
				t.Errorf("cache has a range for %s, a tensor of a layer kept in FP32", a)
			}
			continue
		}
		if want := float32(res.Ranges[a].Threshold / 127); !in || math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("%s: cache scale %g (listed: %v), calibrated threshold/127 %g", a, got, in, want)
		}
	}
	fit, err := CheckCache(model, o.Cache)
	if err != nil || !slices.Equal(fit.NotInt8, res.Kept) {
		t.Errorf("CheckCache: layers without INT8 input %v, kept %v (%v)", fit.NotInt8, res.Kept, err)
	}

	report, err := os.ReadFile(o.Report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Accuracy on held-out frames", "| FP32 |", "| INT8 |", "Abs Rel change INT8 vs FP32",
		"## Per-layer sensitivity", res.Sensitivity[9].Layer, "## ONNX Runtime CPU latency", "--layerPrecisions=",
		"| `edge-depth --provider tensorrt --int8 --calib depth.calib` (ONNX Runtime's TensorRT provider, no per-layer precision) | yes: their 4 input/output tensors are left out"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestKeepFP32NamesMustExist(t *testing.T) {
	all := layers(tinyNet(t, tw, th, false, 1).Graph())
	kept, err := SelectLayers(all, []string{"dec.dispconv0", "Conv"})
	if err != nil || len(kept) != len(all)-2 {
		t.Errorf("keep by layer and node name: %d layers left, %v", len(kept), err)
	}
	_, err = SelectLayers(all, []string{"decoder.nope"})
	if err == nil || !strings.Contains(err.Error(), `"decoder.nope": no such layer`) || !strings.Contains(err.Error(), "enc.layer1.conv1") {
		t.Errorf("unknown layer: %v", err)
	}
}
