package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/onnxgraph"
)

func TestInfoPrintsProviderIOAndMetadata(t *testing.T) {
	m, _ := onnxgraph.New("info", 13)
	x := m.Input("image", onnxgraph.Float32, []onnxgraph.Dim{{Name: "batch"}, {Size: 3}, {Size: 32}, {Size: 64}})
	m.Rename(m.Op("Sigmoid", []string{x}), "disparity")
	m.Output("disparity", onnxgraph.Float32, []onnxgraph.Dim{{Name: "batch"}, {Size: 3}, {Size: 32}, {Size: 64}})
	m.SetMetadata(map[string]string{"xdistill.min_depth": "0.1"})
	p := filepath.Join(t.TempDir(), "m.onnx")
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), &out, options{info: true, model: p, provider: "auto"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"using cpu", "input:  image", "[-1 3 32 64]", "output: disparity", "xdistill.min_depth = 0.1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--info output lacks %q:\n%s", want, out.String())
		}
	}
	if err := run(context.Background(), &out, options{info: true, model: filepath.Join(t.TempDir(), "none.onnx"), provider: "cpu"}); err == nil {
		t.Error("--info on a missing model: want an error")
	}
}

func TestLiveSourceIsRecorded(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "rec.avi")
	var out bytes.Buffer
	o := options{camera: "videotestsrc num-buffers=50 ! video/x-raw,width=64,height=48 ! videoconvert ! appsink", record: rec, maxFrames: 20}
	if err := run(context.Background(), &out, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "frames: 20") {
		t.Errorf("output %q, want frames: 20", out.String())
	}
	src, err := capture.Open(capture.Spec{Kind: capture.File, Target: rec})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	frame := gocv.NewMat()
	defer frame.Close()
	n := 0
	for src.Read(&frame) {
		n++
	}
	if n != 20 {
		t.Errorf("recording %s holds %d frames, want 20", rec, n)
	}
}

func TestFlagErrors(t *testing.T) {
	if _, err := parseFlags([]string{"--camera", "0", "--video", "a.mp4"}); err == nil {
		t.Error("--camera with --video: want an error")
	}
	if err := run(context.Background(), &bytes.Buffer{}, options{}); err == nil {
		t.Error("no source: want an error")
	}
}
