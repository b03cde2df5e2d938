package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/edge/edgetest"
	"github.com/xdistill/edge-depth/edge/undistort"
	"github.com/xdistill/edge-depth/internal/data/camera"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/ort"
)

func init() {
	capture.QuietOpenCV()
	usageOut = io.Discard // flag mistakes are the tests' point; no usage dumps
}

// syncBuffer is a bytes.Buffer safe to write from the run while a test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func writeModel(t *testing.T, spec edgetest.Spec) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "depth.onnx")
	if err := edgetest.Write(p, spec); err != nil {
		t.Fatal(err)
	}
	return p
}

// runCLI parses args as the binary would and runs them.
func runCLI(t *testing.T, ctx context.Context, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	o, err := parseFlags(args)
	if err != nil {
		return "", "", err
	}
	var out, errOut syncBuffer
	err = run(ctx, &out, &errOut, o)
	return out.String(), errOut.String(), err
}

// framesOf decodes every frame of a video.
func framesOf(t *testing.T, spec capture.Spec, max int) [][]byte {
	t.Helper()
	src, err := capture.Open(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	m := gocv.NewMat()
	defer m.Close()
	var out [][]byte
	for (max == 0 || len(out) < max) && src.Read(&m) {
		out = append(out, m.ToBytes())
	}
	return out
}

// checkDepthPNG compares a saved depth PNG with a direct run's depth under
// the KITTI convention (uint16 of depth×256).
func checkDepthPNG(t *testing.T, path string, want []float32) {
	t.Helper()
	got, _, _, err := kitti.ReadDepth(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	kitti.EncodeDepth(&buf, want, len(want), 1)
	for i, d := range want {
		q := float32(math.Min(math.Round(float64(d)*kitti.DepthScale), 65535)) / kitti.DepthScale
		if got[i] != q {
			t.Fatalf("%s pixel %d: saved %g, direct ORT run %g (quantised %g)", path, i, got[i], d, q)
		}
	}
}

func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("--json line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// From a synthetic-world video: every frame in is a frame out in every
// file sink, and each saved depth PNG equals a direct ONNX Runtime run of
// the same model on the same decoded frame.
func TestVideoEndToEnd(t *testing.T) {
	const w, h, n = 128, 64, 15
	dir := t.TempDir()
	video := filepath.Join(dir, "drive.avi")
	if err := edgetest.Video(video, edgetest.World(9, n, w, h), 10); err != nil {
		t.Fatal(err)
	}
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Tiny, Width: w, Height: h, Seed: 4})
	depthDir, rec := filepath.Join(dir, "depth"), filepath.Join(dir, "view.mp4")
	stdout, stderr, err := runCLI(t, context.Background(), "--video", video, "--model", model, "--provider", "cpu",
		"--save-depth", depthDir, "--record", rec, "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	t.Log(stderr)
	lines := jsonLines(t, stdout)
	pngs, _ := filepath.Glob(filepath.Join(depthDir, "*.png"))
	recorded := framesOf(t, capture.Spec{Kind: capture.File, Target: rec}, 0)
	if len(lines) != n || len(pngs) != n || len(recorded) != n {
		t.Fatalf("frames in %d; out: %d JSON lines, %d depth PNGs, %d recorded", n, len(lines), len(pngs), len(recorded))
	}
	if len(recorded[0]) != 2*w*h*3 {
		t.Errorf("recorded frame of %d bytes, want the %dx%d side-by-side view", len(recorded[0]), 2*w, h)
	}
	direct, err := edgetest.NewDirect(model)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	for i, fr := range framesOf(t, capture.Spec{Kind: capture.File, Target: video}, 0) {
		want, err := direct.Depth(fr)
		if err != nil {
			t.Fatal(err)
		}
		checkDepthPNG(t, filepath.Join(depthDir, fmt.Sprintf("%06d.png", i)), want)
		if lines[i]["frame"] != float64(i) || lines[i]["metric"] != false {
			t.Errorf("JSON line %d: %v", i, lines[i])
		}
	}
	if !strings.Contains(stderr, "relative depth") || !strings.Contains(stderr, "end_to_end") {
		t.Errorf("stderr lacks the depth mode or the stage table:\n%s", stderr)
	}
}

// From a live GStreamer source (the camera stand-in): the pattern is
// static, so every processed frame must equal the direct run on a frame
// grabbed from the same pipeline; --max-frames gives exactly that many.
func TestLiveGStreamerEndToEnd(t *testing.T) {
	const w, h, n = 128, 64, 12
	pipe := fmt.Sprintf("videotestsrc pattern=pinwheel ! video/x-raw,width=%d,height=%d ! videoconvert ! video/x-raw,format=BGR ! appsink", w, h)
	ref := framesOf(t, capture.Spec{Kind: capture.Pipeline, Target: pipe}, 2)
	if !bytes.Equal(ref[0], ref[1]) {
		t.Fatal("the pinwheel test pattern changed between frames; this test needs a static one")
	}
	for _, layout := range []string{modelmeta.LayoutNCHWFloat, modelmeta.LayoutNHWCUint8} {
		model := writeModel(t, edgetest.Spec{Kind: edgetest.Tiny, Width: w, Height: h, Layout: layout, Seed: 2})
		depthDir := filepath.Join(t.TempDir(), "depth")
		stdout, stderr, err := runCLI(t, context.Background(), "--camera", pipe, "--model", model, "--max-frames", fmt.Sprint(n),
			"--save-depth", depthDir, "--json")
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		pngs, _ := filepath.Glob(filepath.Join(depthDir, "*.png"))
		if len(pngs) != n || len(jsonLines(t, stdout)) != n {
			t.Fatalf("%s: --max-frames %d gave %d PNGs, %d JSON lines", layout, n, len(pngs), len(jsonLines(t, stdout)))
		}
		direct, err := edgetest.NewDirect(model)
		if err != nil {
			t.Fatal(err)
		}
		want, err := direct.Depth(ref[0])
		direct.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pngs {
			checkDepthPNG(t, p, want)
		}
	}
}

// Metric depth end to end: image files carry a known relative depth
// (truth ÷ 7.5, as 16 bits in red and green), a model decodes it, the
// runtime recovers the scale from the ground plane with the camera's
// height and camera.yaml; the saved PNGs are within 5 % of the truth.
func TestMetricDepthFromTheGroundPlane(t *testing.T) {
	const w, h, n, factor = 256, 96, 8, 7.5
	dir := t.TempDir()
	world := edgetest.World(21, n, w, h)
	meta := edgetest.Spec{Width: w, Height: h}.Metadata()
	gt := make([][]float32, 0, n)
	err := edgetest.Images(filepath.Join(dir), world, func(fr *synthFrame) []uint8 {
		gt = append(gt, append([]float32(nil), fr.Depth...))
		return encodeDepth(fr.Depth, factor, meta)
	})
	if err != nil {
		t.Fatal(err)
	}
	cam := filepath.Join(t.TempDir(), "camera.yaml")
	if err := camera.Write(cam, camera.FileOf(world.Cam.Scale(2*w, 2*h))); err != nil { // calibrated at another size
		t.Fatal(err)
	}
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Decode16, Width: w, Height: h})
	out := filepath.Join(t.TempDir(), "depth")
	stdout, stderr, err := runCLI(t, context.Background(), "--images", dir, "--model", model, "--camera", cam,
		"--camera-height", fmt.Sprint(world.CamHeight), "--save-depth", out, "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "scale from the ground plane") {
		t.Errorf("stderr: %s", stderr)
	}
	lines := jsonLines(t, stdout)
	for f := range n {
		if lines[f]["metric"] != true {
			t.Fatalf("frame %d not metric: %v", f, lines[f])
		}
		got, _, _, err := kitti.ReadDepth(filepath.Join(out, fmt.Sprintf("%06d.png", f)))
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		k := 0
		for i, z := range gt[f] {
			if z > 0 && z < 80 {
				sum += math.Abs(float64(got[i])-float64(z)) / float64(z)
				k++
			}
		}
		t.Logf("frame %d: scale %.4g (true %g), abs rel %.4f", f, lines[f]["scale"], factor, sum/float64(k))
		if sum/float64(k) > 0.05 {
			t.Errorf("frame %d: metric depth abs rel %.3f, want ≤ 0.05", f, sum/float64(k))
		}
	}
}

// With a camera.yaml that has lens distortion the network sees undistorted
// frames: each saved depth PNG equals a direct ONNX Runtime run on the
// frame undistorted by the undistort package (camera.yaml made at twice
// the video's size); --no-undistort gives the direct run on the frame as
// decoded; a calibration of another aspect ratio is refused clearly.
func TestUndistortionEndToEnd(t *testing.T) {
	const w, h, n = 128, 64, 4
	dir := t.TempDir()
	video := filepath.Join(dir, "drive.avi")
	if err := edgetest.Video(video, edgetest.World(6, n, w, h), 10); err != nil {
		t.Fatal(err)
	}
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Tiny, Width: w, Height: h, Seed: 3})
	lens := camera.File{Width: 2 * w, Height: 2 * h, Fx: 220, Fy: 220, Cx: 129, Cy: 63,
		Distortion: []float64{-0.25, 0.07, 0.001, 0.0005, 0}}
	cam := filepath.Join(dir, "camera.yaml")
	if err := camera.Write(cam, lens); err != nil {
		t.Fatal(err)
	}
	direct, err := edgetest.NewDirect(model)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	u, err := undistort.New(lens, cam, image.Pt(w, h))
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	frames := framesOf(t, capture.Spec{Kind: capture.File, Target: video}, 0)
	for _, skip := range []bool{false, true} {
		out := filepath.Join(dir, fmt.Sprint("depth-", skip))
		args := []string{"--video", video, "--model", model, "--camera", cam, "--save-depth", out}
		if skip {
			args = append(args, "--no-undistort", "--camera-height", "1.5")
		}
		_, stderr, err := runCLI(t, context.Background(), args...)
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		if strings.Contains(stderr, "undistorting frames with "+cam) == skip {
			t.Errorf("--no-undistort %v; stderr:\n%s", skip, stderr)
		}
		if skip {
			continue // metric depth: the ground-plane tests check it
		}
		dst := gocv.NewMat()
		for i, fr := range frames {
			src, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC3, fr)
			if err != nil {
				t.Fatal(err)
			}
			bgr, err := u.Apply(src, &dst)
			src.Close()
			if err != nil {
				t.Fatal(err)
			}
			want, err := direct.Depth(bgr)
			if err != nil {
				t.Fatal(err)
			}
			checkDepthPNG(t, filepath.Join(out, fmt.Sprintf("%06d.png", i)), want)
		}
		dst.Close()
	}
	other := lens
	other.Width = 3 * w // 3:1, the video is 2:1
	if err := camera.Write(cam, other); err != nil {
		t.Fatal(err)
	}
	_, _, err = runCLI(t, context.Background(), "--video", video, "--model", model, "--camera", cam)
	if err == nil || !strings.Contains(err.Error(), cam+" is for 384x128 frames") || !strings.Contains(err.Error(), "--no-undistort") {
		t.Errorf("calibration of another aspect: %v", err)
	}
}

// Without a camera height the model's own scale applies; with neither,
// depth is relative. A model that is not ours, or whose graph does not
// match its metadata, is refused with the reason.
func TestForeignModelsAreRefused(t *testing.T) {
	video := filepath.Join(t.TempDir(), "v.avi")
	if err := edgetest.Video(video, edgetest.World(1, 3, 64, 32), 10); err != nil {
		t.Fatal(err)
	}
	m, _ := onnxgraph.New("foreign", 13)
	x := m.Input("image", onnxgraph.Float32, onnxgraph.Dims(1, 3, 32, 64))
	m.Rename(m.Sigmoid(x), "disparity")
	m.Output("disparity", onnxgraph.Float32, onnxgraph.Dims(1, 3, 32, 64))
	foreign := filepath.Join(t.TempDir(), "foreign.onnx")
	if err := m.Save(foreign); err != nil {
		t.Fatal(err)
	}
	meta := edgetest.Spec{Width: 128, Height: 64}.Metadata() // says 128×64, graph is 64×32
	liar := writeModel(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32, Meta: &meta})
	for path, want := range map[string]string{
		foreign: "not an X-Distill depth model",
		liar:    "image float32[?,3,32,64] does not match the metadata (metadata: 128x64 nchw-float)",
	} {
		_, _, err := runCLI(t, context.Background(), "--video", video, "--model", path)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("got %v; want %q naming %s", err, want, path)
		}
	}
}

// Asking for TensorRT on this CPU-only machine falls back to the CPU with
// one line saying so; --strict fails instead.
func TestProviderFallback(t *testing.T) {
	video := filepath.Join(t.TempDir(), "v.avi")
	if err := edgetest.Video(video, edgetest.World(1, 3, 64, 32), 10); err != nil {
		t.Fatal(err)
	}
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})
	_, stderr, err := runCLI(t, context.Background(), "--video", video, "--model", model, "--provider", "tensorrt", "--fp16", "--engine-cache", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var report []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "onnxruntime") {
			report = append(report, l)
		}
	}
	if len(report) != 1 || !strings.Contains(report[0], "using cpu (asked for tensorrt); tensorrt, cuda unavailable: ") {
		t.Errorf("want one provider line saying cpu is used instead of tensorrt and why; got %q", report)
	}
	t.Log(report)
	_, _, err = runCLI(t, context.Background(), "--video", video, "--model", model, "--provider", "tensorrt", "--strict")
	if err == nil || !strings.Contains(err.Error(), "provider tensorrt") {
		t.Errorf("--strict: got %v, want a tensorrt error", err)
	}
}

func TestInfoPrintsProviderIOAndMetadata(t *testing.T) {
	if _, err := ort.Ensure("", ""); err != nil {
		t.Fatal(err)
	}
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})
	stdout, _, err := runCLI(t, context.Background(), "--info", "--model", model)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"using cpu", "input:  image float32 [-1 3 32 64]", "output: disparity", "input_width = 64", "contract: ok (64x32 nchw-float"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--info output lacks %q:\n%s", want, stdout)
		}
	}
	if _, _, err := runCLI(t, context.Background(), "--info", "--model", filepath.Join(t.TempDir(), "none.onnx")); err == nil {
		t.Error("--info on a missing model: want an error")
	}
}

func TestFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--camera", "0", "--video", "a.mp4"},
		{"--camera", "0", "--camera", "1"},
		{"--camera", "0", "--scale", "2", "--camera-height", "1.5"},
		{"--camera", "0", "--camera", "cam.yaml", "--no-undistort"}, // calibration for nothing
		{"--camera", "0", "--no-undistort"},
		{"--camera", "0", "--calib", "x.cache"},
		{"--camera", "0", "stray"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("%q: want an error", args)
		}
	}
	o, err := parseFlags([]string{"--camera", "cam.yaml", "--camera", "/dev/video1", "--camera-height", "1.2"})
	if err != nil || o.camera != "/dev/video1" || o.cameraYAML != "cam.yaml" {
		t.Errorf("--camera twice: %+v, %v", o, err)
	}
	if _, _, err := runCLI(t, context.Background()); err == nil {
		t.Error("no source: want an error")
	}
	_, _, err = runCLI(t, context.Background(), "--camera", "clip.mp4", "--model", "x.onnx")
	if err == nil || !strings.Contains(err.Error(), "use --video") {
		t.Errorf("a file given to --camera: %v", err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	_, _, err = runCLI(t, context.Background(), "--camera", "0")
	if err == nil || !strings.Contains(err.Error(), "make train && make export") {
		t.Errorf("no model: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "models")); err == nil {
		t.Error("a missing model created models/")
	}
}

type synthFrame = synth.Frame

// encodeDepth writes relative depth (truth ÷ factor) into an image as the
// Decode16 model reads it: disparity d (the sigmoid value whose depth is
// that) as 16 bits, high byte in red, low in green.
func encodeDepth(depth []float32, factor float64, meta modelmeta.Meta) []uint8 {
	rgb := make([]uint8, 3*len(depth))
	minD, maxD := 1/meta.MaxDepth, 1/meta.MinDepth
	for i, z := range depth {
		rel := math.Min(float64(z)/factor, meta.MaxDepth) // sky: the far limit
		d := (1/rel - minD) / (maxD - minD)
		v := uint16(math.Round(math.Max(0, math.Min(1, d)) * 65535))
		rgb[3*i], rgb[3*i+1] = uint8(v>>8), uint8(v)
	}
	return rgb
}

// A model written by the real exporter (`make export`, or any
// `xdistill export` output named by EDGE_DEPTH_TEST_MODEL) runs end to end
// from a video of another size: every frame out, each depth PNG equal to a
// direct run on the same frame resized the same way. Skipped when no
// exported model exists (making one needs a trained checkpoint).
func TestExportedModelEndToEnd(t *testing.T) {
	model := os.Getenv("EDGE_DEPTH_TEST_MODEL")
	if model == "" {
		model = filepath.Join("..", "..", DefaultModel)
	}
	if _, err := os.Stat(model); err != nil {
		t.Skipf("no exported model (%v); run `make export` or set EDGE_DEPTH_TEST_MODEL", err)
	}
	meta, err := onnxgraph.ReadMetadata(model)
	if err != nil {
		t.Fatal(err)
	}
	m, err := modelmeta.Parse(meta)
	if err != nil {
		t.Fatal(err)
	}
	const n = 6
	dir := t.TempDir()
	video := filepath.Join(dir, "drive.avi")
	if err := edgetest.Video(video, edgetest.World(17, n, m.Width*5/4, m.Height*5/4), 10); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "depth")
	if _, stderr, err := runCLI(t, context.Background(), "--video", video, "--model", model, "--save-depth", out); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	direct, err := edgetest.NewDirect(model)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	small := gocv.NewMat()
	defer small.Close()
	for i, fr := range framesOf(t, capture.Spec{Kind: capture.File, Target: video}, 0) {
		src, err := gocv.NewMatFromBytes(m.Height*5/4, m.Width*5/4, gocv.MatTypeCV8UC3, fr)
		if err != nil {
			t.Fatal(err)
		}
		gocv.Resize(src, &small, image.Pt(m.Width, m.Height), 0, 0, gocv.InterpolationLinear)
		src.Close()
		want, err := direct.Depth(small.ToBytes())
		if err != nil {
			t.Fatal(err)
		}
		checkDepthPNG(t, filepath.Join(out, fmt.Sprintf("%06d.png", i)), want)
	}
	t.Logf("%s (%dx%d %s, outputs %v): %d frames match a direct run", model, m.Width, m.Height, m.Layout, m.Outputs, n)
}
