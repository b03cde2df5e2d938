package chessboard

import (
	"context"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/internal/data/camera"
	"github.com/xdistill/edge-depth/internal/progress"
)

// Board is a chessboard target: Cols×Rows inner corners (OpenCV's pattern
// size: a board of 10×7 squares has 9×6), squares of Square metres.
type Board struct {
	Cols, Rows int
	Square     float64
}

// ParseBoard reads "9x6" (inner corners) and the square size in metres.
func ParseBoard(s string, square float64) (Board, error) {
	a, b, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	c, err1 := strconv.Atoi(a)
	r, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || c < 2 || r < 2 {
		return Board{}, fmt.Errorf("board %q: want inner corners COLSxROWS, e.g. 9x6 for a board of 10×7 squares", s)
	}
	if c == r {
		// A square pattern has no orientation: corners can come back
		// rotated between views, which ruins the calibration.
		return Board{}, fmt.Errorf("board %q: use a board with different corner counts across and down (e.g. 9x6) so its orientation is unambiguous", s)
	}
	if !(square > 0) || math.IsInf(square, 0) {
		return Board{}, fmt.Errorf("square size %g: want the side of one square in metres, e.g. 0.025", square)
	}
	return Board{Cols: c, Rows: r, Square: square}, nil
}

// objectPoints are the board's corners in its own plane (metres), in the
// order OpenCV returns image corners: along a row, then row by row.
func (b Board) objectPoints() []gocv.Point3f {
	pts := make([]gocv.Point3f, 0, b.Cols*b.Rows)
	for r := range b.Rows {
		for c := range b.Cols {
			pts = append(pts, gocv.Point3f{X: float32(float64(c) * b.Square), Y: float32(float64(r) * b.Square)})
		}
	}
	return pts
}

// Views feeds calibration images to visit, one at a time, so a long
// video never sits in memory.
type Views func(visit func(name string, img gocv.Mat) error) error

// ImageViews reads image files.
func ImageViews(files []string) Views {
	return func(visit func(string, gocv.Mat) error) error {
		for _, f := range files {
			img := gocv.IMRead(f, gocv.IMReadColor)
			if img.Empty() {
				img.Close()
				return fmt.Errorf("calibrate camera: %s: OpenCV cannot read it as an image", f)
			}
			err := visit(filepath.Base(f), img)
			img.Close()
			if err != nil {
				return err
			}
		}
		return nil
	}
}

// VideoViews samples at most max frames of a video, evenly spread.
func VideoViews(path string, max int) Views {
	return func(visit func(string, gocv.Mat) error) error {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("calibrate camera: %w", err)
		}
		vc, err := gocv.VideoCaptureFile(path)
		if err != nil || !vc.IsOpened() {
			return fmt.Errorf("calibrate camera: video %s: OpenCV cannot open it", path)
		}
		defer vc.Close()
		want := map[int]bool{}
		if total := int(vc.Get(gocv.VideoCaptureFrameCount)); total > 0 {
			// Evenly spread, as the INT8 frame picker's calibration.Spread.
			for k := range min(max, total) {
				want[k*total/min(max, total)] = true
			}
		}
		frame := gocv.NewMat()
		defer frame.Close()
		seen := 0
		for i := 0; vc.Read(&frame) && !frame.Empty(); i++ {
			if len(want) > 0 && !want[i] || len(want) == 0 && seen >= max {
				continue
			}
			seen++
			if err := visit(fmt.Sprintf("%s#%d", filepath.Base(path), i), frame); err != nil {
				return err
			}
		}
		if seen == 0 {
			return fmt.Errorf("calibrate camera: video %s: no frame could be decoded", path)
		}
		return nil
	}
}

// Options tune the camera calibration.
type Options struct {
	Board     Board
	MinBoards int  // fewer detected boards is an error (default 5)
	K3        bool // also estimate k3 (wide-angle lenses); otherwise it is fixed at 0
	Progress  *progress.Bar
}

// Result is a finished calibration.
type Result struct {
	File    camera.File // intrinsics, k1 k2 p1 p2 k3, image size, RMS
	Used    []string    // views whose board was found
	Skipped []string    // views without a (whole) board
}

// OpenCV's calibrateCamera flag values. gocv v0.31's CalibFix* constants
// are the fisheye module's (its CalibFixK3 is 64, which calibrateCamera
// reads as CALIB_FIX_K2), so the values are spelled out here.
const cvCalibFixK3 gocv.CalibFlag = 0x80

// Calibrate finds the board in every view (sub-pixel corners), then
// estimates intrinsics and distortion with OpenCV's calibrateCamera.
func Calibrate(ctx context.Context, views Views, o Options) (Result, error) {
	if o.MinBoards <= 0 {
		o.MinBoards = 5
	}
	var (
		res     Result
		size    image.Point
		corners [][]gocv.Point2f
	)
	err := views(func(name string, img gocv.Mat) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if o.Progress != nil {
			o.Progress.Add(1)
		}
		s := image.Pt(img.Cols(), img.Rows())
		if size == (image.Point{}) {
			size = s
		} else if s != size {
			return fmt.Errorf("calibrate camera: %s is %dx%d but earlier views are %dx%d; calibrate one resolution at a time", name, s.X, s.Y, size.X, size.Y)
		}
		pts, ok := detectBoard(img, o.Board)
		if !ok {
			res.Skipped = append(res.Skipped, name)
			return nil
		}
		res.Used = append(res.Used, name)
		corners = append(corners, pts)
		return nil
	})
	if o.Progress != nil {
		o.Progress.Finish()
	}
	if err != nil {
		return res, err
	}
	if len(corners) < o.MinBoards {
		return res, fmt.Errorf("calibrate camera: found the %dx%d board in %d of %d views, need at least %d; skipped: %s "+
			"(check --board counts inner corners, e.g. 9x6 for 10×7 squares, that the whole board is in view, sharp and well lit, and tilt it differently in each view)",
			o.Board.Cols, o.Board.Rows, len(corners), len(corners)+len(res.Skipped), o.MinBoards, strings.Join(res.Skipped, ", "))
	}
	res.File, err = solveCamera(corners, o.Board, size, o.K3)
	return res, err
}

// detectBoard finds the inner corners and refines them to sub-pixel
// accuracy with a window that fits inside one square.
func detectBoard(img gocv.Mat, b Board) ([]gocv.Point2f, bool) {
	gray := gocv.NewMat()
	defer gray.Close()
	if img.Channels() == 1 {
		img.CopyTo(&gray)
	} else {
		gocv.CvtColor(img, &gray, gocv.ColorBGRToGray)
	}
	found := gocv.NewMat()
	defer found.Close()
	pattern := image.Pt(b.Cols, b.Rows)
	// No CalibCBFastCheck: it rejects valid small or tilted boards (10 of
	// 16 test views at 320×240), and calibration is not real-time.
	if !gocv.FindChessboardCorners(gray, pattern, &found, gocv.CalibCBAdaptiveThresh|gocv.CalibCBNormalizeImage) {
		return nil, false
	}
	pts := gocv.NewPoint2fVectorFromMat(found).ToPoints()
	if len(pts) != b.Cols*b.Rows {
		return nil, false
	}
	half := int(math.Max(2, math.Min(11, minSpacing(pts, b.Cols)/3)))
	crit := gocv.NewTermCriteria(gocv.Count|gocv.EPS, 40, 0.001)
	gocv.CornerSubPix(gray, &found, image.Pt(half, half), image.Pt(-1, -1), crit)
	return gocv.NewPoint2fVectorFromMat(found).ToPoints(), true
}

// minSpacing is the smallest distance between neighbouring corners along
// a row, in pixels.
func minSpacing(pts []gocv.Point2f, cols int) float64 {
	d := math.Inf(1)
	for i := 1; i < len(pts); i++ {
		if i%cols == 0 {
			continue
		}
		d = math.Min(d, math.Hypot(float64(pts[i].X-pts[i-1].X), float64(pts[i].Y-pts[i-1].Y)))
	}
	return d
}

func solveCamera(corners [][]gocv.Point2f, b Board, size image.Point, k3 bool) (camera.File, error) {
	obj := make([][]gocv.Point3f, len(corners))
	for i := range obj {
		obj[i] = b.objectPoints()
	}
	ov := gocv.NewPoints3fVectorFromPoints(obj)
	defer ov.Close()
	iv := gocv.NewPoints2fVectorFromPoints(corners)
	defer iv.Close()
	k, dist, rv, tv := gocv.NewMat(), gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
	defer k.Close()
	defer dist.Close()
	defer rv.Close()
	defer tv.Close()
	var flags gocv.CalibFlag
	if !k3 {
		flags |= cvCalibFixK3
	}
	rms := gocv.CalibrateCamera(ov, iv, size, &k, &dist, &rv, &tv, flags)
	if k.Rows() != 3 || k.Cols() != 3 || dist.Total() < 5 {
		return camera.File{}, fmt.Errorf("calibrate camera: OpenCV returned no solution")
	}
	f := camera.File{
		Width: size.X, Height: size.Y,
		Fx: k.GetDoubleAt(0, 0), Fy: k.GetDoubleAt(1, 1), Cx: k.GetDoubleAt(0, 2), Cy: k.GetDoubleAt(1, 2),
		RMS: rms,
	}
	for i := range 5 {
		if dist.Rows() == 1 {
			f.Distortion = append(f.Distortion, dist.GetDoubleAt(0, i))
		} else {
			f.Distortion = append(f.Distortion, dist.GetDoubleAt(i, 0))
		}
	}
	if err := f.Intrinsics().Validate(); err != nil || math.IsNaN(rms) {
		return camera.File{}, fmt.Errorf("calibrate camera: no usable solution (%v, RMS %g); use more views with the board tilted", err, rms)
	}
	return f, nil
}
