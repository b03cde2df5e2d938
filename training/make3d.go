package training

import (
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/internal/format/matfile"
	"github.com/xdistill/edge-depth/internal/metrics"
)

// Make3D is the Test134 layout: Test134/img-NAME.jpg with ground truth
// Gridlaser/depth_sph_corr-NAME.mat (Position3DGrid, depth in plane 3).
type Make3D struct {
	Images []string // sorted image paths
	GTDir  string
}

// OpenMake3D lists the test images under root.
func OpenMake3D(root string) (*Make3D, error) {
	imgs, err := filepath.Glob(filepath.Join(root, "Test134", "img-*.jpg"))
	if err != nil || len(imgs) == 0 {
		return nil, fmt.Errorf("make3d %s: no Test134/img-*.jpg (expected the Make3D Test134 + Gridlaser layout)", root)
	}
	sort.Strings(imgs)
	return &Make3D{Images: imgs, GTDir: filepath.Join(root, "Gridlaser")}, nil
}

// load returns the network input (the central 2:1 band resized to w×h,
// CHW in [0, 1]) and the ground-truth depth grid of image i.
func (s *Make3D) load(i, w, h int) ([]float32, []float64, int, int, error) {
	path := s.Images[i]
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, 0, 0, fmt.Errorf("make3d %w", err)
	}
	img, err := jpeg.Decode(f)
	f.Close()
	if err != nil {
		return nil, nil, 0, 0, fmt.Errorf("make3d %s: %w", path, err)
	}
	input := bandCHW(img, w, h)
	name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "img-"), ".jpg")
	gtPath := filepath.Join(s.GTDir, "depth_sph_corr-"+name+".mat")
	v, err := matfile.ReadVar(gtPath, "Position3DGrid")
	if err != nil {
		return nil, nil, 0, 0, err
	}
	gt, rows, cols, err := v.Plane(3)
	if err != nil {
		return nil, nil, 0, 0, fmt.Errorf("make3d %s: %w", gtPath, err)
	}
	return input, gt, cols, rows, nil
}

// bandCHW crops Make3D's central 2:1 band and resizes it bilinearly.
func bandCHW(img image.Image, w, h int) []float32 {
	b := img.Bounds()
	r0, r1 := metrics.Make3DImageCrop(b.Dx(), b.Dy())
	bw, bh := b.Dx(), r1-r0
	out := make([]float32, 3*w*h)
	planes := [3][]float32{make([]float32, bw*bh), make([]float32, bw*bh), make([]float32, bw*bh)}
	for y := range bh {
		for x := range bw {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+r0+y).RGBA()
			planes[0][y*bw+x], planes[1][y*bw+x], planes[2][y*bw+x] = float32(r)/65535, float32(g)/65535, float32(bl)/65535
		}
	}
	for c := range 3 {
		copy(out[c*w*h:], metrics.Resize(planes[c], bw, bh, w, h))
	}
	return out
}

// EvaluateMake3D scores the model with the Make3D protocol (metrics package).
func (m *Model) EvaluateMake3D(ctx context.Context, s *Make3D, w, h int, device gotch.Device, progress Progress) (metrics.Depth, int, error) {
	res, err := scoreAll(ctx, len(s.Images), metrics.IgnoreLabel, progress, func(i int) (scored, error) {
		input, gt, gw, gh, err := s.load(i, w, h)
		if err != nil {
			return scored{}, err
		}
		pred := DispToDepthHost(m.Predict(input, w, h, device), m.MinDepth, m.MaxDepth)
		smp, err := metrics.PrepareMake3D(pred, w, h, gt, gw, gh)
		if err != nil {
			return scored{}, nil // no valid pixels: counted as skipped
		}
		return scored{sample: &smp}, nil
	})
	return res.Mean, res.Images, err
}
