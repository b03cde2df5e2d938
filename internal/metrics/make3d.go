package metrics

import (
	"fmt"
	"math"
)

// Make3D evaluation as in the script the Monodepth2 authors posted
// (github.com/nianticlabs/monodepth2 issue #89, also monodepth issue #189):
//
//   - Test134 images are 1704 wide × 2272 tall; the network sees the central
//     852 rows (a 2:1 band, rows 710..1562), resized to its input size.
//   - Ground truth is Position3DGrid[:,:,3] of depth_sph_corr-*.mat, a
//     55×305 array (first axis vertical, like the image's); its central 21
//     rows (17..38) are kept, the same 3/8 of the height as the image band.
//   - The predicted depth is resized to that 305×21 band with nearest-
//     neighbour sampling; ground truth is valid where 0 < gt < 70 m; each
//     prediction is median-scaled and values above 70 m are clamped.
//   - Reported: Abs Rel, Sq Rel, RMSE and a "log10" column that their code
//     computes as the RMSE of log10 depths (Depth.RMSELog10).
const (
	Make3DMaxDepth = 70
	// make3DKeep is the fraction of rows kept: 852 of Test134's 2272.
	make3DKeep = 852.0 / 2272.0
)

// Make3DImageCrop returns the rows [r0,r1) of a w×h Make3D image that the
// network sees: the central band whose height is half the width (2:1).
func Make3DImageCrop(w, h int) (r0, r1 int) {
	keep := min(w/2, h)
	r0 = (h - keep) / 2
	return r0, r0 + keep
}

// Make3DGTCrop returns the rows [r0,r1) of an h-row Make3D ground-truth
// grid that cover the image band; 55 rows give 17..38 as in Monodepth2.
func Make3DGTCrop(h int) (r0, r1 int) {
	keep := int(math.Round(float64(h) * make3DKeep))
	r0 = (h - keep) / 2
	return r0, r0 + keep
}

// CropRows returns rows [r0,r1) of a row-major map w pixels wide.
func CropRows[T any](src []T, w, r0, r1 int) []T {
	return append([]T(nil), src[r0*w:r1*w]...)
}

// PrepareMake3D applies the Make3D protocol to one image: pred is the
// network's pw×ph depth map for the cropped image band and gt the full gw×gh
// ground-truth grid (row-major, as matfile's Plane gives it).
func PrepareMake3D(pred []float32, pw, ph int, gt []float64, gw, gh int) (Sample, error) {
	if pw <= 0 || ph <= 0 || len(pred) != pw*ph {
		return Sample{}, fmt.Errorf("metrics: Make3D prediction has %d values for %d×%d", len(pred), pw, ph)
	}
	if gw <= 0 || gh <= 0 || len(gt) != gw*gh {
		return Sample{}, fmt.Errorf("metrics: Make3D ground truth has %d values for %d×%d", len(gt), gw, gh)
	}
	r0, r1 := Make3DGTCrop(gh)
	band := CropRows(gt, gw, r0, r1)
	p := Widen(ResizeNearest(pred, pw, ph, gw, r1-r0))
	// MinDepth 1e-3 rather than their 0: no laser depth lies in (0, 1e-3],
	// and a positive floor keeps the logarithms finite.
	o := Options{MinDepth: 1e-3, MaxDepth: Make3DMaxDepth, MedianScaling: true}
	return prepare(p, band, gw, r1-r0, o)
}

// EvalMake3D is PrepareMake3D followed by Compute; it also returns the
// median-scaling ratio.
func EvalMake3D(pred []float32, pw, ph int, gt []float64, gw, gh int) (Depth, float64, error) {
	s, err := PrepareMake3D(pred, pw, ph, gt, gw, gh)
	if err != nil {
		return Depth{}, 0, err
	}
	return s.Metrics(), s.Ratio, nil
}
