package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/edge/edgetest"
	"github.com/xdistill/edge-depth/internal/data/camera"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
)

// groundScene writes n frames whose decoded relative depth is the
// synthetic world's where road(f), else a wall 20 m ahead filling the
// image (no ground plane), and returns the folder and camera.yaml.
func groundScene(t *testing.T, n, w, h int, road func(f int) bool) (dir, cam string, world *synth.World) {
	t.Helper()
	dir = t.TempDir()
	world = edgetest.World(21, n, w, h)
	meta := edgetest.Spec{Width: w, Height: h}.Metadata()
	wall := make([]float32, w*h)
	for i := range wall {
		wall[i] = 20
	}
	f := 0
	err := edgetest.Images(dir, world, func(fr *synthFrame) []uint8 {
		defer func() { f++ }()
		if road(f) {
			return encodeDepth(fr.Depth, 7.5, meta)
		}
		return encodeDepth(wall, 7.5, meta)
	})
	if err != nil {
		t.Fatal(err)
	}
	cam = filepath.Join(t.TempDir(), "camera.yaml")
	if err := camera.Write(cam, camera.FileOf(world.Cam)); err != nil {
		t.Fatal(err)
	}
	return dir, cam, world
}

// checkSaved checks frame f's saved depth PNG against a direct ONNX
// Runtime run's relative depth × scale (1: relative depth), within the
// PNG's step and range; no pixel may be 0 (no data).
func checkSaved(t *testing.T, out, images string, f int, direct *edgetest.Direct, scale float64) {
	t.Helper()
	name := fmt.Sprintf("%06d", f)
	saved, _, _, err := kitti.ReadDepth(filepath.Join(out, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	rgb, _, _, err := kitti.ReadRGB(filepath.Join(images, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := direct.Depth(edgetest.BGR(rgb))
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range saved {
		expect := math.Min(float64(want[i])*scale, kitti.MaxDepth)
		if d == 0 || math.Abs(float64(d)-expect) > 0.5/kitti.DepthScale+1e-5*expect {
			t.Fatalf("frame %d pixel %d: saved %g, want the model's %g × %g", f, i, d, want[i], scale)
		}
	}
}

// Frames without a ground plane never come out as all-zero depth: before
// the first plane they are relative (metric false), after it the last
// scale holds; one warning says why, and the summary counts them.
func TestFramesWithoutGroundAreNeverZero(t *testing.T) {
	const w, h, n = 256, 96, 8
	road := func(f int) bool { return f >= 3 && f <= 5 }
	images, cam, world := groundScene(t, n, w, h, road)
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Decode16, Width: w, Height: h})
	out := filepath.Join(t.TempDir(), "depth")
	stdout, stderr, err := runCLI(t, context.Background(), "--images", images, "--model", model, "--camera", cam,
		"--camera-height", fmt.Sprint(world.CamHeight), "--save-depth", out, "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if c := strings.Count(stderr, "ground-plane scale: no ground plane"); c != 1 {
		t.Errorf("%d warnings about the ground plane, want 1:\n%s", c, stderr)
	}
	if !strings.Contains(stderr, "tilted") || !strings.Contains(stderr, "writing relative depth (metric: false)") {
		t.Errorf("the warning lacks the reason or what is written:\n%s", stderr)
	}
	if c := strings.Count(stderr, "ground-plane scale: ground plane found"); c != 1 || !strings.Contains(stderr, "found\" frame=3") {
		t.Errorf("want one note that the ground plane was found at frame 3:\n%s", stderr)
	}
	if !strings.Contains(stderr, "no ground plane in 5 of 8 frames: 2 held the last scale, 3 written as relative depth") {
		t.Errorf("summary lacks the counts:\n%s", stderr)
	}
	direct, err := edgetest.NewDirect(model)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	lines := jsonLines(t, stdout)
	for f := range n {
		metric, scale := lines[f]["metric"], lines[f]["scale"].(float64)
		switch {
		case f < 3 && (metric != false || scale != 0):
			t.Errorf("frame %d before any ground: metric %v scale %g; want relative depth", f, metric, scale)
		case f >= 3 && (metric != true || math.Abs(scale-7.5)/7.5 > 0.05):
			t.Errorf("frame %d: metric %v scale %g; want metric ≈ 7.5", f, metric, scale)
		case f > 5 && scale != lines[5]["scale"]:
			t.Errorf("frame %d without ground: scale %g, want frame 5's %g held", f, scale, lines[5]["scale"])
		}
		if metric != true {
			scale = 1 // relative depth as the model gives it
		}
		checkSaved(t, out, images, f, direct, scale)
	}
}

// When no frame has a ground plane the run says so at the end, besides
// the per-run warning, and every map is relative depth, not zeros.
func TestNoGroundAtAllIsReported(t *testing.T) {
	const w, h, n = 128, 64, 3
	images, cam, world := groundScene(t, n, w, h, func(int) bool { return false })
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Decode16, Width: w, Height: h})
	out := filepath.Join(t.TempDir(), "depth")
	_, stderr, err := runCLI(t, context.Background(), "--images", images, "--model", model, "--camera", cam,
		"--camera-height", fmt.Sprint(world.CamHeight), "--save-depth", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{"no ground plane in 3 of 3 frames: 0 held the last scale, 3 written as relative depth",
		"no frame had a ground plane, so every depth map is relative"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	direct, err := edgetest.NewDirect(model)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	for f := range n {
		checkSaved(t, out, images, f, direct, 1)
	}
}
