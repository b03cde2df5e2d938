package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/calibration"
	"github.com/xdistill/edge-depth/calibration/chessboard"
	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/internal/data/camera"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
)

// smallDepthModel is a three-conv float model with the exporter's
// metadata: enough for the command's plumbing.
func smallDepthModel(t *testing.T, path string) {
	t.Helper()
	m, err := onnxgraph.New("small", 13)
	if err != nil {
		t.Fatal(err)
	}
	x := m.Input("image", onnxgraph.Float32, onnxgraph.Dims(1, 3, 32, 64))
	seq := func(n int, s float32) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = s * float32(math.Sin(float64(i)*1.7))
		}
		return out
	}
	h := m.Relu(m.Conv(x, m.Float32Init("enc.conv1.weight", []int64{8, 3, 3, 3}, seq(216, 0.3)), m.Float32Init("enc.conv1.bias", []int64{8}, seq(8, 0.1)), 3, 1, 1))
	h = m.Elu(m.Conv(h, m.Float32Init("dec.conv.weight", []int64{8, 8, 3, 3}, seq(576, 0.15)), m.Float32Init("dec.conv.bias", []int64{8}, seq(8, 0.1)), 3, 1, 1), 1)
	d := m.Sigmoid(m.Conv(h, m.Float32Init("dec.disp.weight", []int64{1, 8, 3, 3}, seq(72, 0.2)), "", 3, 1, 1))
	m.Rename(d, "disparity")
	m.Output("disparity", onnxgraph.Float32, onnxgraph.Dims(1, 1, 32, 64))
	props, err := modelmeta.Meta{Width: 64, Height: 32, Layout: modelmeta.LayoutNCHWFloat, Outputs: []string{"disparity"}, Batch: 1,
		MinDepth: 0.1, MaxDepth: 100, Padding: "zero", Encoder: "resnet18", EncoderWidth: 1, Version: modelmeta.ProjectVersion}.Props()
	if err != nil {
		t.Fatal(err)
	}
	m.SetMetadata(props)
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
}

// stripes is a varied 64×32 RGB frame.
func stripes(i int) []uint8 {
	rgb := make([]uint8, 64*32*3)
	for p := range 64 * 32 {
		x, y := p%64, p/64
		rgb[3*p] = uint8(128 + 100*math.Sin(float64(x*(i+1))/9))
		rgb[3*p+1] = uint8(128 + 100*math.Cos(float64(y*(i+2))/7))
		rgb[3*p+2] = uint8((x + y + 13*i) % 256)
	}
	return rgb
}

func TestCalibrateInt8CommandFromFramesAndVideo(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "depth.onnx")
	smallDepthModel(t, model)
	frames := filepath.Join(dir, "frames")
	if err := os.MkdirAll(frames, 0o755); err != nil {
		t.Fatal(err)
	}
	video := filepath.Join(dir, "clip.avi")
	vw, err := capture.NewWriter(video, 10, 64, 32)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		rgb := stripes(i)
		if err := kitti.WriteRGB(filepath.Join(frames, fmt.Sprintf("%03d.png", i)), rgb, 64, 32); err != nil {
			t.Fatal(err)
		}
		bgr, _ := gocv.NewMatFromBytes(32, 64, gocv.MatTypeCV8UC3, rgb)
		gocv.CvtColor(bgr, &bgr, gocv.ColorBGRToRGB)
		if err := vw.Write(bgr); err != nil {
			t.Fatal(err)
		}
		bgr.Close()
	}
	if err := vw.Close(); err != nil {
		t.Fatal(err)
	}
	for _, src := range [][]string{{"--frames", frames}, {"--video", video}} {
		args := append([]string{"calibrate", "int8", "--model", model, "--count", "6", "--tune-count", "2", "--eval-count", "3", "--latency-runs", "1"}, src...)
		out, err := runCLI(t, args...)
		if err != nil {
			t.Fatalf("%v: %v", src, err)
		}
		for _, want := range []string{"entropy over 6 frames", "INT8 depth against FP32 depth", "## Per-layer sensitivity", "report written to"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: output lacks %q:\n%s", src, want, out)
			}
		}
		c, err := calibration.ReadCache(filepath.Join(dir, "depth.calib"))
		if err != nil || len(c.Scales) < 6 {
			t.Errorf("%v: cache %+v, %v", src, c, err)
		}
		meta, err := onnxgraph.ReadMetadata(filepath.Join(dir, "depth.int8.onnx"))
		if err != nil || meta["quantization"] != "int8-qdq" || meta["format"] != modelmeta.Format {
			t.Errorf("%v: QDQ model metadata %v, %v", src, meta, err)
		}
	}
}

func TestCalibrateInt8CommandRejectsBadFlags(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "depth.onnx")
	smallDepthModel(t, model)
	cases := map[string][]string{
		`method "kl"`:               {"--method", "kl"},
		`target "jetson"`:           {"--target", "jetson"},
		"give one frame source":     {"--frames", dir, "--video", "x.mp4"},
		"no such file or directory": {"--model", filepath.Join(dir, "none.onnx")},
		"would overwrite":           {"--out", model},
		`--trt-version`:             {"--trt-version", "8.6"},
		"--percentile 0":            {"--percentile", "0"},
		"train_files.txt":           {"--data", dir},
	}
	for want, args := range cases {
		_, err := runCLI(t, append([]string{"calibrate", "int8", "--model", model}, args...)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: got %v, want an error with %q", args, err, want)
		}
	}
}

func writeGrey(path string, grey []uint8, w, h int) error {
	rgb := make([]uint8, 3*len(grey))
	for i, v := range grey {
		rgb[3*i], rgb[3*i+1], rgb[3*i+2] = v, v, v
	}
	return kitti.WriteRGB(path, rgb, w, h)
}

func TestCalibrateCameraCommand(t *testing.T) {
	dir := t.TempDir()
	truth := camera.File{Width: 320, Height: 240, Fx: 300, Fy: 296, Cx: 163.5, Cy: 118.25, Distortion: []float64{-0.1, 0.03, 0, 0, 0}}
	r := chessboard.NewBoardRenderer(truth)
	board := chessboard.Board{Cols: 9, Rows: 6, Square: 0.03}
	views := filepath.Join(dir, "views")
	if err := os.MkdirAll(views, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, p := range chessboard.DemoPoses() {
		if err := writeGrey(filepath.Join(views, fmt.Sprintf("v%02d.png", i)), r.Render(board, p), 320, 240); err != nil {
			t.Fatal(err)
		}
	}
	// The same views as a video (MJPG, lossy) go through --video.
	video := filepath.Join(dir, "board.avi")
	vw, err := capture.NewWriter(video, 5, 320, 240)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range chessboard.DemoPoses() {
		g, _ := gocv.NewMatFromBytes(240, 320, gocv.MatTypeCV8U, r.Render(board, p))
		bgr := gocv.NewMat()
		gocv.CvtColor(g, &bgr, gocv.ColorGrayToBGR)
		if err := vw.Write(bgr); err != nil {
			t.Fatal(err)
		}
		g.Close()
		bgr.Close()
	}
	if err := vw.Close(); err != nil {
		t.Fatal(err)
	}
	vout := filepath.Join(dir, "video.yaml")
	if _, err := runCLI(t, "calibrate", "camera", "--video", video, "--square", "0.03", "--out", vout); err != nil {
		t.Fatal(err)
	}
	if f, err := camera.Read(vout); err != nil || math.Abs(f.Fy/truth.Fy-1) > 0.01 || math.Abs(f.Cx-truth.Cx) > 1 {
		t.Errorf("from video: %+v, %v", f, err)
	}

	grey := make([]uint8, 320*240)
	if err := writeGrey(filepath.Join(views, "empty.png"), grey, 320, 240); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "camera.yaml")
	msg, err := runCLI(t, "calibrate", "camera", "--images", views, "--board", "9x6", "--square", "0.03", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	f, err := camera.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(f.Fx/truth.Fx-1) > 0.01 || math.Abs(f.Cy-truth.Cy) > 1 || f.Width != 320 || len(f.Distortion) != 5 {
		t.Errorf("camera.yaml %+v, truth %+v", f, truth)
	}
	if !strings.Contains(msg, fmt.Sprintf("found the board in %d of %d views", len(chessboard.DemoPoses()), len(chessboard.DemoPoses())+1)) ||
		!strings.Contains(msg, "skipped (no whole board found): empty.png") {
		t.Errorf("summary:\n%s", msg)
	}
	_, err = runCLI(t, "calibrate", "camera", "--images", views, "--board", "9x6", "--square", "0.03", "--out", out, "--min-boards", "30")
	if err == nil || !strings.Contains(err.Error(), "need at least 30; skipped: empty.png") {
		t.Errorf("too few boards: %v", err)
	}
	for want, args := range map[string][]string{
		"give --images DIR or --video FILE": {},
		`board "9"`:                         {"--images", views, "--board", "9"},
		"square size 0":                     {"--images", views, "--square", "0"},
	} {
		_, err := runCLI(t, append([]string{"calibrate", "camera", "--out", out}, args...)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: got %v, want %q", args, err, want)
		}
	}
}
