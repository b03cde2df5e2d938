package chessboard

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/internal/data/camera"
)

// truth is the camera the test views are rendered with: not centred,
// fx ≠ fy, with barrel distortion and a little tangential.
var truth = camera.File{Width: 640, Height: 480, Fx: 600, Fy: 590, Cx: 330.5, Cy: 235.25,
	Distortion: []float64{-0.12, 0.05, 0.001, -0.0008, 0}}

var testBoard = Board{Cols: 9, Rows: 6, Square: 0.03}

var renderer = sync.OnceValue(func() *BoardRenderer { return NewBoardRenderer(truth) })

// renderViews writes one PNG per pose into dir (in parallel: rendering is
// the slow part) and returns the file names.
func renderViews(t testing.TB, dir string, poses []BoardPose) []string {
	t.Helper()
	names := make([]string, len(poses))
	var wg sync.WaitGroup
	errs := make([]error, len(poses))
	r := renderer()
	for i, p := range poses {
		names[i] = filepath.Join(dir, fmt.Sprintf("view%02d.png", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = writeGrey(names[i], r.Render(testBoard, p), truth.Width, truth.Height)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return names
}

func writeGrey(path string, pix []uint8, w, h int) error {
	m, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8U, pix)
	if err != nil {
		return err
	}
	defer m.Close()
	if !gocv.IMWrite(path, m) {
		return fmt.Errorf("write %s failed", path)
	}
	return nil
}

func TestCameraRecoversKnownIntrinsics(t *testing.T) {
	dir := t.TempDir()
	renderViews(t, dir, DemoPoses())
	files, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Calibrate(context.Background(), ImageViews(files), Options{Board: testBoard})
	if err != nil {
		t.Fatal(err)
	}
	f := res.File
	t.Logf("fx %.3f (%+.3f %%) fy %.3f (%+.3f %%) cx %.3f (%+.3f px) cy %.3f (%+.3f px) k %v RMS %.4f px; %d views",
		f.Fx, 100*(f.Fx/truth.Fx-1), f.Fy, 100*(f.Fy/truth.Fy-1), f.Cx, f.Cx-truth.Cx, f.Cy, f.Cy-truth.Cy, f.Distortion, f.RMS, len(res.Used))
	if len(res.Used) != len(DemoPoses()) || len(res.Skipped) != 0 {
		t.Errorf("used %v, skipped %v: the board is in every view", res.Used, res.Skipped)
	}
	if math.Abs(f.Fx/truth.Fx-1) > 0.01 || math.Abs(f.Fy/truth.Fy-1) > 0.01 {
		t.Errorf("focal lengths %.2f, %.2f: want %g, %g within 1 %%", f.Fx, f.Fy, truth.Fx, truth.Fy)
	}
	if math.Abs(f.Cx-truth.Cx) > 1 || math.Abs(f.Cy-truth.Cy) > 1 {
		t.Errorf("principal point (%.2f, %.2f): want (%g, %g) within 1 px", f.Cx, f.Cy, truth.Cx, truth.Cy)
	}
	if math.Abs(f.Distortion[0]-truth.Distortion[0]) > 0.02 || f.Distortion[4] != 0 {
		t.Errorf("distortion %v: want k1 near %g and k3 fixed at 0", f.Distortion, truth.Distortion[0])
	}
	if f.Width != 640 || f.Height != 480 || !(f.RMS > 0 && f.RMS < 0.3) {
		t.Errorf("size %dx%d, RMS %g px", f.Width, f.Height, f.RMS)
	}
	// camera.yaml round trip keeps everything.
	path := filepath.Join(dir, "camera.yaml")
	if err := camera.Write(path, f); err != nil {
		t.Fatal(err)
	}
	back, err := camera.Read(path)
	if err != nil || back.Fx != f.Fx || back.RMS != f.RMS || len(back.Distortion) != 5 {
		t.Errorf("camera.yaml read back %+v, %v", back, err)
	}
}

func TestCameraRefusesTooFewBoardsAndListsSkips(t *testing.T) {
	dir := t.TempDir()
	renderViews(t, dir, DemoPoses()[:2])
	blank := make([]uint8, truth.Width*truth.Height)
	for i := range blank {
		blank[i] = 128
	}
	for _, n := range []string{"wall.png", "zz-blurred.png"} {
		if err := writeGrey(filepath.Join(dir, n), blank, truth.Width, truth.Height); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	res, err := Calibrate(context.Background(), ImageViews(files), Options{Board: testBoard, MinBoards: 3})
	if err == nil {
		t.Fatal("2 boards with a minimum of 3: want an error")
	}
	for _, want := range []string{"found the 9x6 board in 2 of 4 views, need at least 3", "wall.png, zz-blurred.png", "inner corners"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if len(res.Skipped) != 2 || len(res.Used) != 2 {
		t.Errorf("used %v, skipped %v", res.Used, res.Skipped)
	}
	// The wrong board size finds nothing at all.
	_, err = Calibrate(context.Background(), ImageViews(files), Options{Board: Board{Cols: 7, Rows: 5, Square: 0.03}})
	if err == nil || !strings.Contains(err.Error(), "in 0 of 4 views") {
		t.Errorf("wrong --board: %v", err)
	}
}

func TestParseBoard(t *testing.T) {
	if b, err := ParseBoard("9x6", 0.025); err != nil || b != (Board{9, 6, 0.025}) {
		t.Errorf("9x6: %+v, %v", b, err)
	}
	for _, c := range []struct {
		s  string
		sq float64
	}{{"9", 0.02}, {"1x6", 0.02}, {"7x7", 0.02}, {"9x6", 0}, {"9x6", -1}, {"axb", 0.02}} {
		if _, err := ParseBoard(c.s, c.sq); err == nil {
			t.Errorf("%q square %g: want an error", c.s, c.sq)
		}
	}
}
