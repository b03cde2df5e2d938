package calibration

import (
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/metrics"
)

// Frames is a list of images for calibration or evaluation.
type Frames interface {
	Len() int
	Name(i int) string
	// Image is frame i as planar RGB in [0, 1], resized to w×h.
	Image(i, w, h int) ([]float32, error)
}

// GroundTruth is implemented by frames that come with depth maps.
type GroundTruth interface {
	// Depth is frame i's ground-truth depth (0 = no data) and its size.
	Depth(i int) ([]float32, int, int, error)
}

// Spread picks n indices out of total, evenly spaced and deterministic
// (all of them when n ≥ total).
func Spread(total, n int) []int {
	if n >= total {
		n = total
	}
	out := make([]int, n)
	for k := range n {
		out[k] = k * total / n
	}
	return out
}

// complement is every index below total not in picked, in order.
func complement(total int, picked []int) []int {
	in := map[int]bool{}
	for _, p := range picked {
		in[p] = true
	}
	var out []int
	for i := range total {
		if !in[i] {
			out = append(out, i)
		}
	}
	return out
}

// Dataset is frames of a dataset in the KITTI raw layout, listed by a
// split file; ground truth comes from proj_depth/groundtruth.
type Dataset struct {
	Root    string
	Entries []kitti.Entry
}

// OpenDataset reads a split file of root.
func OpenDataset(root, split string) (*Dataset, error) {
	entries, err := kitti.ReadSplit(split)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("split %s lists no frames", split)
	}
	return &Dataset{Root: root, Entries: entries}, nil
}

// Pick keeps the entries at the given indices.
func (d *Dataset) Pick(idx []int) *Dataset {
	out := &Dataset{Root: d.Root}
	for _, i := range idx {
		out.Entries = append(out.Entries, d.Entries[i])
	}
	return out
}

func (d *Dataset) Len() int { return len(d.Entries) }

func (d *Dataset) Name(i int) string {
	e := d.Entries[i]
	return fmt.Sprintf("%s %d", e.Drive.Rel(), e.Frame)
}

func (d *Dataset) Image(i, w, h int) ([]float32, error) {
	e := d.Entries[i]
	chw, iw, ih, err := kitti.ReadRGBFloat(e.Drive.ImagePath(d.Root, e.Frame))
	if err != nil {
		return nil, err
	}
	return resizeCHW(chw, iw, ih, w, h), nil
}

func (d *Dataset) Depth(i int) ([]float32, int, int, error) {
	e := d.Entries[i]
	return kitti.ReadDepth(e.Drive.DepthPath(d.Root, e.Frame))
}

// resizeCHW resizes each plane bilinearly, as training's loader does.
func resizeCHW(chw []float32, iw, ih, w, h int) []float32 {
	if iw == w && ih == h {
		return chw
	}
	out := make([]float32, 3*w*h)
	for c := range 3 {
		copy(out[c*w*h:], metrics.Resize(chw[c*iw*ih:(c+1)*iw*ih], iw, ih, w, h))
	}
	return out
}

// Files is a list of image files (any format OpenCV reads).
type Files []string

// ListImages returns the image files of dir, sorted by name.
func ListImages(dir string) (Files, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("frames: %w", err)
	}
	var out Files
	for _, e := range ents {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff":
			if !e.IsDir() {
				out = append(out, filepath.Join(dir, e.Name()))
			}
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		return nil, fmt.Errorf("frames %s: no .png, .jpg, .bmp or .tif images", dir)
	}
	return out, nil
}

// Pick keeps the files at the given indices.
func (f Files) Pick(idx []int) Files {
	out := make(Files, len(idx))
	for k, i := range idx {
		out[k] = f[i]
	}
	return out
}

func (f Files) Len() int          { return len(f) }
func (f Files) Name(i int) string { return filepath.Base(f[i]) }

func (f Files) Image(i, w, h int) ([]float32, error) {
	m := gocv.IMRead(f[i], gocv.IMReadColor)
	defer m.Close()
	if m.Empty() {
		return nil, fmt.Errorf("frame %s: OpenCV cannot read it as an image", f[i])
	}
	return matCHW(m, w, h), nil
}

// matCHW converts a BGR Mat to planar RGB in [0, 1] at w×h (area
// interpolation when shrinking, bilinear when growing).
func matCHW(bgr gocv.Mat, w, h int) []float32 {
	src := bgr
	if bgr.Cols() != w || bgr.Rows() != h {
		interp := gocv.InterpolationLinear
		if bgr.Cols() > w {
			interp = gocv.InterpolationArea
		}
		small := gocv.NewMat()
		defer small.Close()
		gocv.Resize(bgr, &small, image.Pt(w, h), 0, 0, interp)
		src = small
	}
	pix := src.ToBytes()
	n := w * h
	out := make([]float32, 3*n)
	for p := range n {
		for c := range 3 {
			out[c*n+p] = float32(pix[3*p+2-c]) / 255
		}
	}
	return out
}

// Images is frames held in memory (from a video), already at the model's
// size.
type Images struct {
	Names []string
	W, H  int
	Data  [][]float32 // planar RGB in [0, 1]
}

func (m *Images) Len() int          { return len(m.Data) }
func (m *Images) Name(i int) string { return m.Names[i] }

func (m *Images) Image(i, w, h int) ([]float32, error) {
	return resizeCHW(m.Data[i], m.W, m.H, w, h), nil
}

// ReadVideo decodes the frames of a video at the given indices (sorted),
// resized to w×h. total is the frame count the container reports (0 if
// unknown).
func ReadVideo(path string, w, h int, want func(total int) [][]int) ([]*Images, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("video: %w", err)
	}
	vc, err := gocv.VideoCaptureFile(path)
	if err != nil || !vc.IsOpened() {
		if vc != nil {
			vc.Close()
		}
		return nil, fmt.Errorf("video %s: OpenCV cannot open it", path)
	}
	defer vc.Close()
	total := int(vc.Get(gocv.VideoCaptureFrameCount))
	if total <= 0 {
		return nil, fmt.Errorf("video %s: the container reports no frame count", path)
	}
	sets := want(total)
	owner := map[int]int{}
	out := make([]*Images, len(sets))
	for s, idx := range sets {
		out[s] = &Images{W: w, H: h}
		for _, i := range idx {
			owner[i] = s
		}
	}
	frame := gocv.NewMat()
	defer frame.Close()
	for i := 0; vc.Read(&frame) && !frame.Empty(); i++ {
		if s, ok := owner[i]; ok {
			out[s].Names = append(out[s].Names, fmt.Sprintf("%s#%d", filepath.Base(path), i))
			out[s].Data = append(out[s].Data, matCHW(frame, w, h))
		}
	}
	if out[0].Len() == 0 {
		return nil, errors.New("video " + path + ": no frame could be decoded")
	}
	return out, nil
}
