package calibration

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/onnx/pb"
)

// int8Into returns options that write every output into dir.
func int8Into(dir, model string, calib Frames) Int8Options {
	return Int8Options{Model: model, Out: filepath.Join(dir, "q.onnx"), Cache: filepath.Join(dir, "q.calib"), Report: filepath.Join(dir, "q.md"),
		Method: Entropy, Percentile: DefaultPercentile, Target: TensorRT, Calib: calib, Protocol: metrics.Synthetic(), TRTVersion: "8.6.2"}
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("a failed calibration left %v behind", names)
	}
}

// TestInt8RefusesModelsThatAreNotDepthExports: a segmentation teacher, a
// model without our metadata and one whose metadata contradicts its
// graph are refused before any frame is read, and nothing is written.
func TestInt8RefusesModelsThatAreNotDepthExports(t *testing.T) {
	initORT(t)
	frames := &Images{W: tw, H: th, Data: testImages(2, tw, th, 3), Names: []string{"a", "b"}}
	cases := []struct {
		name, want string
		edit       func(m *onnxgraph.Model)
	}{
		{"no metadata", "not an X-Distill depth model", func(m *onnxgraph.Model) { m.Proto.MetadataProps = nil }},
		{"width lies", "graph input image is 64x32 nchw-float, the metadata says image 96x32", func(m *onnxgraph.Model) {
			m.SetMeta("input_width", strconv.Itoa(tw+32))
		}},
		{"19 class logits", "graph output disparity is not float32 [N,1,32,64]", func(m *onnxgraph.Model) {
			m.Graph().Output[0].Type.GetTensorType().Shape.Dim[1] = &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: 19}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := tinyNet(t, tw, th, false, 2)
			c.edit(m)
			model := saveModel(t, m, "model.onnx")
			dir := t.TempDir()
			_, err := Int8(context.Background(), int8Into(dir, model, frames))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), model) {
				t.Fatalf("want an error naming %s and saying %q, got %v", model, c.want, err)
			}
			assertEmpty(t, dir)
		})
	}
}

// TestInt8FailureLeavesNoOutputs: a corrupt report frame fails the run
// after the QDQ model and cache were made; none of them may stay.
func TestInt8FailureLeavesNoOutputs(t *testing.T) {
	initORT(t)
	data := synthData(t)
	eval := openSplit(t, data, "test")
	e := eval.Entries[eval.Len()-1]
	if err := os.WriteFile(e.Drive.ImagePath(data, e.Frame), []byte("\x89PNG\r\n\x1a\ntruncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	o := int8Into(dir, saveModel(t, tinyNet(t, tw, th, false, 2), "depth.onnx"), openSplit(t, data, "train"))
	o.Eval = eval
	_, err := Int8(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "evaluate") {
		t.Fatalf("want the report frame's error, got %v", err)
	}
	assertEmpty(t, dir)
}
