package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/calibration"
	"github.com/xdistill/edge-depth/edge/edgetest"
	"github.com/xdistill/edge-depth/internal/metrics"
)

// TestCalibrationCacheMustFitTheModel: with --int8 --calib, a cache
// calibrated with a layer kept in FP32 is taken and the run says that
// layer stays out of INT8; another model's cache, or a cache with an
// already quantized model, is refused before anything runs.
func TestCalibrationCacheMustFitTheModel(t *testing.T) {
	dir := t.TempDir()
	video := filepath.Join(dir, "v.avi")
	if err := edgetest.Video(video, edgetest.World(1, 3, 64, 32), 10); err != nil {
		t.Fatal(err)
	}
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})
	sets, err := calibration.ReadVideo(video, 64, 32, func(int) [][]int { return [][]int{{0, 1, 2}} })
	if err != nil {
		t.Fatal(err)
	}
	frames := sets[0]
	o := calibration.Int8Options{Model: model, Out: filepath.Join(dir, "q.onnx"), Cache: filepath.Join(dir, "q.calib"),
		Method: calibration.MinMax, Target: calibration.TensorRT, Calib: frames, Protocol: metrics.Synthetic(), TRTVersion: "8.6.2"}
	res, err := calibration.Int8(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	keep := res.Layers[len(res.Layers)-1].Name()
	o.Keep, o.Cache = []string{keep}, filepath.Join(dir, "kept.calib")
	if _, err := calibration.Int8(context.Background(), o); err != nil {
		t.Fatal(err)
	}

	// A PyTorch export's cache: its tensor names are not this model's.
	foreign, err := calibration.NewCache("8.6.2", map[string]float32{"/encoder/conv1/Conv_output_0": 0.01, "image": 0.008})
	if err != nil {
		t.Fatal(err)
	}
	foreignCache := filepath.Join(dir, "foreign.calib")
	if err := foreign.Write(foreignCache); err != nil {
		t.Fatal(err)
	}

	_, stderr, err := runCLI(t, context.Background(), "--video", video, "--model", model, "--int8", "--calib", o.Cache, "--max-frames", "1")
	if err != nil || !strings.Contains(stderr, "INT8 cache "+o.Cache+" has no range for "+keep+": TensorRT runs them in FP16/FP32") {
		t.Errorf("a cache with %s kept: %v; stderr:\n%s", keep, err, stderr)
	}
	for _, c := range []struct{ model, cache, want string }{
		{model, foreignCache, "1 tensors are not in model " + model + " (e.g. /encoder/conv1/Conv_output_0): it was calibrated for another model"},
		{o.Out, o.Cache, "the model is already quantized (int8-qdq)"},
	} {
		_, _, err := runCLI(t, context.Background(), "--video", video, "--model", c.model, "--int8", "--calib", c.cache)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--model %s --calib %s: got %v, want %q", c.model, c.cache, err, c.want)
		}
	}
}
