package undistort

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/internal/data/camera"
)

// aspectTolerance is how far (relative) the frame's aspect ratio may be
// from the calibration's: rounding when a camera bins or scales its image
// (1242×375 → 621×188), not a different sensor crop.
const aspectTolerance = 0.01

// Undistorter turns distorted frames of any size with the calibration's
// aspect ratio into undistorted frames at the network size. One goroutine
// at a time.
type Undistorter struct {
	lens camera.File
	name string      // the calibration file, for messages
	out  image.Point // network size
	// src is the frame size the maps are for (zero before the first frame).
	src        image.Point
	map1, map2 gocv.Mat
}

// New prepares undistortion with lens (from the file name) into frames of
// size out. The maps are built at the first frame, when its size is known.
func New(lens camera.File, name string, out image.Point) (*Undistorter, error) {
	if err := lens.Intrinsics().Validate(); err != nil {
		return nil, fmt.Errorf("camera %s: %w", name, err)
	}
	if out.X <= 0 || out.Y <= 0 {
		return nil, fmt.Errorf("undistort into %dx%d: want a positive size", out.X, out.Y)
	}
	return &Undistorter{lens: lens, name: name, out: out, map1: gocv.NewMat(), map2: gocv.NewMat()}, nil
}

// Camera is the pinhole camera of the undistorted frames at size out:
// camera.yaml's fx, fy, cx, cy with K's rows scaled by the size ratios
// (camera.Intrinsics.Scale, as training scales K). It is what the ground
// plane needs, and the remap produces frames of exactly this camera.
func Camera(lens camera.File, out image.Point) camera.Intrinsics {
	return lens.Intrinsics().Scale(out.X, out.Y)
}

// Size is the size of the output frames.
func (u *Undistorter) Size() image.Point { return u.out }

// Camera of this undistorter's output frames.
func (u *Undistorter) Camera() camera.Intrinsics { return Camera(u.lens, u.out) }

// Apply undistorts an 8-bit BGR frame into dst at the network size
// (reusing dst's memory) and returns dst's continuous BGR bytes. Parts of
// the output the lens did not see (corners, with pincushion distortion)
// are black.
func (u *Undistorter) Apply(src gocv.Mat, dst *gocv.Mat) ([]byte, error) {
	if src.Empty() || src.Type() != gocv.MatTypeCV8UC3 {
		return nil, errors.New("frame is not 8-bit BGR")
	}
	if size := image.Pt(src.Cols(), src.Rows()); size != u.src {
		if err := u.build(size); err != nil {
			return nil, err
		}
	}
	gocv.Remap(src, dst, &u.map1, &u.map2, gocv.InterpolationLinear, gocv.BorderConstant, color.RGBA{})
	return dst.DataPtrUint8()
}

// build computes the maps for frames of the given size.
func (u *Undistorter) build(frame image.Point) error {
	in, err := u.frameCamera(frame)
	if err != nil {
		return err
	}
	k, newK := matK(in), matK(u.Camera())
	defer k.Close()
	defer newK.Close()
	dist := gocv.NewMatWithSize(1, 5, gocv.MatTypeCV64F)
	defer dist.Close()
	for i, c := range u.lens.Coeffs() {
		dist.SetDoubleAt(0, i, c)
	}
	identity := gocv.NewMat() // no rectification
	defer identity.Close()
	// Fixed-point maps (CV_16SC2 + interpolation table): remap's fast path,
	// 1/32 px resolution.
	gocv.InitUndistortRectifyMap(k, dist, identity, newK, u.out, int(gocv.MatTypeCV16SC2), u.map1, u.map2)
	if u.map1.Empty() || u.map1.Cols() != u.out.X || u.map1.Rows() != u.out.Y {
		return fmt.Errorf("camera %s: OpenCV built no undistortion map for %dx%d frames", u.name, frame.X, frame.Y)
	}
	u.src = frame
	return nil
}

// frameCamera is the calibration's camera at the frame size. A camera.yaml
// holds for the image it was made at, or that image scaled (a camera
// binning its sensor); another aspect ratio means another crop of the
// sensor, where the calibration is wrong.
func (u *Undistorter) frameCamera(frame image.Point) (camera.Intrinsics, error) {
	in := u.lens.Intrinsics()
	sx, sy := float64(frame.X)/float64(in.Width), float64(frame.Y)/float64(in.Height)
	if math.Abs(sx/sy-1) > aspectTolerance {
		return camera.Intrinsics{}, fmt.Errorf("camera %s is for %dx%d frames (aspect %.3f), the source gives %dx%d (aspect %.3f): "+
			"a calibration holds only for its own image size or that image scaled; calibrate at this size (`xdistill calibrate camera`) or give --no-undistort",
			u.name, in.Width, in.Height, float64(in.Width)/float64(in.Height), frame.X, frame.Y, float64(frame.X)/float64(frame.Y))
	}
	// Scaling the sensor image moves pixel centres: u' = (u + ½)·s − ½.
	return camera.Intrinsics{Fx: in.Fx * sx, Fy: in.Fy * sy, Cx: (in.Cx+0.5)*sx - 0.5, Cy: (in.Cy+0.5)*sy - 0.5,
		Width: frame.X, Height: frame.Y}, nil
}

// matK is K as a 3×3 float64 Mat.
func matK(in camera.Intrinsics) gocv.Mat {
	m := gocv.NewMatWithSize(3, 3, gocv.MatTypeCV64F)
	for i, row := range in.K() {
		for j, v := range row {
			m.SetDoubleAt(i, j, v)
		}
	}
	return m
}

// Close frees the maps.
func (u *Undistorter) Close() error {
	u.map1.Close()
	u.map2.Close()
	return nil
}
