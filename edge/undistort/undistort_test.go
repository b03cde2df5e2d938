package undistort_test

import (
	"image"
	"math"
	"strings"
	"sync"
	"testing"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/calibration/chessboard"
	"github.com/xdistill/edge-depth/edge/depthnet"
	"github.com/xdistill/edge-depth/edge/undistort"
	"github.com/xdistill/edge-depth/internal/data/camera"
)

// lens is the camera the frames are rendered with: strong barrel
// distortion (a corner moves ~30 px), some tangential, fx ≠ fy, off-centre.
var lens = camera.File{Width: 640, Height: 480, Fx: 600, Fy: 590, Cx: 330.5, Cy: 235.25,
	Distortion: []float64{-0.2, 0.06, 0.001, -0.0008, 0}}

// board is large, so that its rows span most of the frame and bend
// visibly through the lens.
var board = chessboard.Board{Cols: 9, Rows: 6, Square: 0.05}

// poses: filling the frame, then off-centre and tilted towards the
// corners, where distortion is strongest.
var poses = func() []chessboard.BoardPose {
	deg := math.Pi / 180
	return []chessboard.BoardPose{
		{Z: 0.62},
		{Pitch: 15 * deg, Yaw: -15 * deg, Roll: 5 * deg, X: -0.1, Y: -0.06, Z: 0.75},
		{Pitch: -15 * deg, Yaw: 20 * deg, Roll: -8 * deg, X: 0.1, Y: 0.06, Z: 0.75},
	}
}()

var renderer = sync.OnceValue(func() *chessboard.BoardRenderer { return chessboard.NewBoardRenderer(lens) })

// frame renders the board at pose p through the distorted lens, as BGR.
func frame(t *testing.T, p chessboard.BoardPose) gocv.Mat {
	grey, err := gocv.NewMatFromBytes(lens.Height, lens.Width, gocv.MatTypeCV8U, renderer().Render(board, p))
	if err != nil {
		t.Fatal(err)
	}
	defer grey.Close()
	bgr := gocv.NewMat()
	gocv.CvtColor(grey, &bgr, gocv.ColorGrayToBGR)
	return bgr
}

// rotation is the renderer's convention: R = Rz(roll)·Ry(yaw)·Rx(pitch).
func rotation(p chessboard.BoardPose) [3][3]float64 {
	cx, sx := math.Cos(p.Pitch), math.Sin(p.Pitch)
	cy, sy := math.Cos(p.Yaw), math.Sin(p.Yaw)
	cz, sz := math.Cos(p.Roll), math.Sin(p.Roll)
	rx := [3][3]float64{{1, 0, 0}, {0, cx, -sx}, {0, sx, cx}}
	ry := [3][3]float64{{cy, 0, sy}, {0, 1, 0}, {-sy, 0, cy}}
	rz := [3][3]float64{{cz, -sz, 0}, {sz, cz, 0}, {0, 0, 1}}
	mul := func(a, b [3][3]float64) (o [3][3]float64) {
		for i := range 3 {
			for j := range 3 {
				for k := range 3 {
					o[i][j] += a[i][k] * b[k][j]
				}
			}
		}
		return o
	}
	return mul(rz, mul(ry, rx))
}

// corners3D are the board's inner corners in camera coordinates at pose p
// (the board's centre at p's position), row by row.
func corners3D(p chessboard.BoardPose) [][3]float64 {
	rot := rotation(p)
	at := func(bx, by float64) [3]float64 {
		return [3]float64{rot[0][0]*bx + rot[0][1]*by, rot[1][0]*bx + rot[1][1]*by, rot[2][0]*bx + rot[2][1]*by}
	}
	c := at(float64(board.Cols-1)*board.Square/2, float64(board.Rows-1)*board.Square/2)
	var out [][3]float64
	for r := range board.Rows {
		for col := range board.Cols {
			q := at(float64(col)*board.Square, float64(r)*board.Square)
			out = append(out, [3]float64{q[0] - c[0] + p.X, q[1] - c[1] + p.Y, q[2] - c[2] + p.Z})
		}
	}
	return out
}

// project projects the corners with an ideal camera; distorted through
// lens (at its own size) when distort is set.
func project(pts [][3]float64, in camera.Intrinsics, distort bool) [][2]float64 {
	out := make([][2]float64, len(pts))
	for i, q := range pts {
		x, y := q[0]/q[2], q[1]/q[2]
		if distort {
			x, y = lens.Distort(x, y)
		}
		out[i] = [2]float64{in.Fx*x + in.Cx, in.Fy*y + in.Cy}
	}
	return out
}

// detect finds the inner corners to sub-pixel accuracy, row by row (as
// OpenCV orders them, possibly reversed).
func detect(t *testing.T, img gocv.Mat) [][2]float64 {
	grey := gocv.NewMat()
	defer grey.Close()
	gocv.CvtColor(img, &grey, gocv.ColorBGRToGray)
	found := gocv.NewMat()
	defer found.Close()
	if !gocv.FindChessboardCorners(grey, image.Pt(board.Cols, board.Rows), &found, gocv.CalibCBAdaptiveThresh|gocv.CalibCBNormalizeImage) {
		t.Fatal("no chessboard found")
	}
	gocv.CornerSubPix(grey, &found, image.Pt(4, 4), image.Pt(-1, -1), gocv.NewTermCriteria(gocv.Count|gocv.EPS, 40, 0.001))
	var out [][2]float64
	for _, p := range gocv.NewPoint2fVectorFromMat(found).ToPoints() {
		out = append(out, [2]float64{float64(p.X), float64(p.Y)})
	}
	if len(out) != board.Cols*board.Rows {
		t.Fatalf("%d corners, want %d", len(out), board.Cols*board.Rows)
	}
	return out
}

// worstError is the largest distance between the detected corners and the
// expected ones, in whichever of OpenCV's two orders fits.
func worstError(got, want [][2]float64) float64 {
	best := math.Inf(1)
	for _, reversed := range []bool{false, true} {
		worst := 0.0
		for i, w := range want {
			g := got[i]
			if reversed {
				g = got[len(got)-1-i]
			}
			worst = math.Max(worst, math.Hypot(g[0]-w[0], g[1]-w[1]))
		}
		best = math.Min(best, worst)
	}
	return best
}

// curvature is the largest distance of a corner from the straight line
// fitted (total least squares) through its board row.
func curvature(pts [][2]float64) float64 {
	worst := 0.0
	for r := range board.Rows {
		row := pts[r*board.Cols : (r+1)*board.Cols]
		var mx, my float64
		for _, p := range row {
			mx, my = mx+p[0]/float64(len(row)), my+p[1]/float64(len(row))
		}
		var sxx, sxy, syy float64
		for _, p := range row {
			dx, dy := p[0]-mx, p[1]-my
			sxx, sxy, syy = sxx+dx*dx, sxy+dx*dy, syy+dy*dy
		}
		theta := 0.5 * math.Atan2(2*sxy, sxx-syy) // direction of the line
		nx, ny := -math.Sin(theta), math.Cos(theta)
		for _, p := range row {
			worst = math.Max(worst, math.Abs((p[0]-mx)*nx+(p[1]-my)*ny))
		}
	}
	return worst
}

// The renderer's distorted frames, undistorted (at the frame size, at a
// network size of another aspect, and with a camera.yaml made at twice the
// frame size): chessboard corners land within 0.5 px of the pinhole
// projection of the output camera and board rows come back straight; the
// raw frames miss both by far (so the test can tell).
func TestUndistortedCornersMatchThePinhole(t *testing.T) {
	doubled := lens // the same camera, calibrated at 1280×960
	doubled.Width, doubled.Height = 2*lens.Width, 2*lens.Height
	doubled.Fx, doubled.Fy, doubled.Cx, doubled.Cy = 2*lens.Fx, 2*lens.Fy, 2*lens.Cx+0.5, 2*lens.Cy+0.5
	cases := []struct {
		name string
		cal  camera.File
		out  image.Point
	}{
		{"same size", lens, image.Pt(640, 480)},
		{"network size (anisotropic)", lens, image.Pt(512, 240)},
		{"calibrated at 1280x960", doubled, image.Pt(640, 480)},
	}
	for i, p := range poses {
		src := frame(t, p)
		raw := detect(t, src)
		pts := corners3D(p)
		// The ground truth itself: detections in the raw frame sit on the
		// distorted projection.
		if e := worstError(raw, project(pts, lens.Intrinsics(), true)); e > 0.3 {
			t.Fatalf("pose %d: raw corners %.2f px from the distorted projection; the test's geometry is off", i, e)
		}
		rawErr, rawBend := worstError(raw, project(pts, lens.Intrinsics(), false)), curvature(raw)
		for _, c := range cases {
			u, err := undistort.New(c.cal, "camera.yaml", c.out)
			if err != nil {
				t.Fatal(err)
			}
			dst := gocv.NewMat()
			if _, err := u.Apply(src, &dst); err != nil {
				t.Fatal(err)
			}
			got := detect(t, dst)
			e, bend := worstError(got, project(pts, u.Camera(), false)), curvature(got)
			t.Logf("pose %d, %s: corners within %.3f px of the pinhole (raw frame: %.1f px), rows bend %.3f px (raw: %.2f px)", i, c.name, e, rawErr, bend, rawBend)
			// 0.4 px of bend is corner detection's noise at the smaller size.
			if e > 0.5 || bend > 0.4 {
				t.Errorf("pose %d, %s: corners %.3f px from the pinhole projection, rows bend %.3f px; want ≤ 0.5, ≤ 0.4", i, c.name, e, bend)
			}
			dst.Close()
			u.Close()
		}
		if rawErr < 5 || rawBend < 1 {
			t.Errorf("pose %d: the raw frame is only %.1f px from the pinhole, bends %.2f px: distortion too weak to test", i, rawErr, rawBend)
		}
		src.Close()
	}
}

// A calibration of another aspect ratio (another sensor crop) is refused
// with both sizes in the message.
func TestOtherAspectIsRefused(t *testing.T) {
	u, err := undistort.New(lens, "cam.yaml", image.Pt(256, 96))
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	src := gocv.NewMatWithSize(720, 1280, gocv.MatTypeCV8UC3)
	defer src.Close()
	dst := gocv.NewMat()
	defer dst.Close()
	_, err = u.Apply(src, &dst)
	if err == nil || !strings.Contains(err.Error(), "cam.yaml is for 640x480") || !strings.Contains(err.Error(), "1280x720") {
		t.Fatalf("got %v; want a refusal naming both sizes", err)
	}
}

// After the first frame, undistorting allocates nothing on the Go heap.
func TestApplyAllocatesNothing(t *testing.T) {
	u, err := undistort.New(lens, "camera.yaml", image.Pt(256, 96))
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	src := gocv.NewMatWithSize(480, 640, gocv.MatTypeCV8UC3)
	defer src.Close()
	dst := gocv.NewMat()
	defer dst.Close()
	if _, err := u.Apply(src, &dst); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { u.Apply(src, &dst) }); n > 0 {
		t.Errorf("%g allocations per frame", n)
	}
}

// BenchmarkApply: a 1280×720 camera frame to the 640×192 network, by
// undistortion (one remap) and, for comparison, by the plain resize it
// replaces.
func BenchmarkApply(b *testing.B) {
	big := lens
	big.Width, big.Height, big.Fx, big.Fy, big.Cx, big.Cy = 1280, 720, 900, 900, 640, 360
	src := gocv.NewMatWithSize(720, 1280, gocv.MatTypeCV8UC3)
	defer src.Close()
	gocv.RandU(&src, gocv.NewScalar(0, 0, 0, 0), gocv.NewScalar(255, 255, 255, 0))
	dst := gocv.NewMat()
	defer dst.Close()
	out := image.Pt(640, 192)
	b.Run("undistort", func(b *testing.B) {
		u, err := undistort.New(big, "camera.yaml", out)
		if err != nil {
			b.Fatal(err)
		}
		defer u.Close()
		for range b.N {
			if _, err := u.Apply(src, &dst); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("resize", func(b *testing.B) {
		for range b.N {
			if _, err := depthnet.Resize(src, &dst, out); err != nil {
				b.Fatal(err)
			}
		}
	})
}
