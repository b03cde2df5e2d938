package camera

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/xdistill/edge-depth/internal/fsutil"
)

// Intrinsics of a pinhole camera in pixels, for an image of Width×Height.
type Intrinsics struct {
	Fx, Fy, Cx, Cy float64
	Width, Height  int
}

// Scale returns the intrinsics for the same camera resized to w×h. Like
// Monodepth2 it multiplies K's rows by the size ratios.
func (in Intrinsics) Scale(w, h int) Intrinsics {
	sx, sy := float64(w)/float64(in.Width), float64(h)/float64(in.Height)
	return Intrinsics{Fx: in.Fx * sx, Fy: in.Fy * sy, Cx: in.Cx * sx, Cy: in.Cy * sy, Width: w, Height: h}
}

// K is the 3×3 intrinsic matrix.
func (in Intrinsics) K() [3][3]float64 {
	return [3][3]float64{{in.Fx, 0, in.Cx}, {0, in.Fy, in.Cy}, {0, 0, 1}}
}

// Project maps a camera-frame point (x right, y down, z forward) to pixel
// coordinates; pixel (u, v) = (column, row) has its centre at integers.
func (in Intrinsics) Project(x, y, z float64) (u, v float64) {
	return in.Fx*x/z + in.Cx, in.Fy*y/z + in.Cy
}

// Unproject maps pixel (u, v) at z-depth z to a camera-frame point.
func (in Intrinsics) Unproject(u, v, z float64) (x, y, zz float64) {
	return (u - in.Cx) / in.Fx * z, (v - in.Cy) / in.Fy * z, z
}

// Validate checks the values are usable.
func (in Intrinsics) Validate() error {
	if in.Width <= 0 || in.Height <= 0 {
		return fmt.Errorf("image size %dx%d: want positive", in.Width, in.Height)
	}
	if !(in.Fx > 0 && in.Fy > 0) || math.IsInf(in.Fx, 0) || math.IsInf(in.Fy, 0) {
		return fmt.Errorf("focal length fx=%g fy=%g: want positive", in.Fx, in.Fy)
	}
	if math.IsNaN(in.Cx) || math.IsNaN(in.Cy) || math.IsInf(in.Cx, 0) || math.IsInf(in.Cy, 0) {
		return fmt.Errorf("principal point cx=%g cy=%g: want finite", in.Cx, in.Cy)
	}
	return nil
}

// File is camera.yaml: intrinsics plus distortion and calibration quality.
type File struct {
	Width      int       `yaml:"width"`
	Height     int       `yaml:"height"`
	Fx         float64   `yaml:"fx"`
	Fy         float64   `yaml:"fy"`
	Cx         float64   `yaml:"cx"`
	Cy         float64   `yaml:"cy"`
	Distortion []float64 `yaml:"distortion,omitempty"` // k1 k2 p1 p2 k3 (OpenCV order)
	RMS        float64   `yaml:"rms,omitempty"`        // reprojection RMS in pixels
}

// FileOf is a camera.yaml for intrinsics without distortion.
func FileOf(in Intrinsics) File {
	return File{Width: in.Width, Height: in.Height, Fx: in.Fx, Fy: in.Fy, Cx: in.Cx, Cy: in.Cy}
}

// Intrinsics of the file.
func (f File) Intrinsics() Intrinsics {
	return Intrinsics{Fx: f.Fx, Fy: f.Fy, Cx: f.Cx, Cy: f.Cy, Width: f.Width, Height: f.Height}
}

// Read loads a camera.yaml; unknown keys are an error naming the key.
func Read(path string) (File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return File{}, fmt.Errorf("camera %s: %w", path, err)
	}
	defer fh.Close()
	dec := yaml.NewDecoder(fh)
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return File{}, fmt.Errorf("camera %s: empty file, want width, height, fx, fy, cx, cy", path)
		}
		return File{}, fmt.Errorf("camera %s: %w", path, err)
	}
	if err := f.Intrinsics().Validate(); err != nil {
		return File{}, fmt.Errorf("camera %s: %w", path, err)
	}
	if n := len(f.Distortion); n != 0 && n != 4 && n != 5 {
		return File{}, fmt.Errorf("camera %s: distortion has %d coefficients, want 4 or 5 (k1 k2 p1 p2 [k3])", path, n)
	}
	return f, nil
}

// Write saves a camera.yaml atomically.
func Write(path string, f File) error {
	if err := f.Intrinsics().Validate(); err != nil {
		return fmt.Errorf("camera %s: %w", path, err)
	}
	data, err := yaml.Marshal(f)
	if err != nil {
		return fmt.Errorf("camera %s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, data, 0o644)
}
