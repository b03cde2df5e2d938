package data

import (
	"fmt"
	"os"

	"github.com/xdistill/edge-depth/internal/data/camera"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/format/npy"
	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/training/distill"
)

// KITTISet reads a KITTI-raw-layout dataset (KITTI itself or the synthetic
// world) through a Monodepth2-style split file. Intrinsics come from each
// date's calib_cam_to_cam.txt, scaled to the training size.
type KITTISet struct {
	Root    string
	Entries []kitti.Entry
	W, H    int
	// LabelRoot, when set, is where the teacher's label PNGs of each target
	// frame are read (the dataset's own ground truth or a teacher's cache,
	// in the dataset layout); Grouping maps them to group indices.
	LabelRoot string
	Grouping  distill.Grouping
	// GT, when set, replaces the depth PNGs beside the frames as ground
	// truth: one map per split entry, in split order (Monodepth2's
	// gt_depths.npz, see UseGT).
	GT []npy.Array2D
	// GTDir, when set, is a folder of depth PNGs that replaces those beside
	// the frames (KITTI's annotated maps for eigen_benchmark, or export-gt's
	// output elsewhere; see kitti.FindDepth for the layouts).
	GTDir string
	// Split is the split file and Lines each entry's line in it, so an
	// entry whose files are missing or broken is named where it is listed.
	Split string
	Lines []int
	calib map[string]camera.Intrinsics
	poses drivePoses
}

// OpenKITTI reads the split file and the calibration of every date in it.
func OpenKITTI(root, split string, w, h int) (*KITTISet, error) {
	entries, lines, err := kitti.ReadSplitLines(split)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("split %s: no entries", split)
	}
	s := &KITTISet{Root: root, Entries: entries, W: w, H: h, Split: split, Lines: lines, calib: map[string]camera.Intrinsics{}}
	for i, e := range entries {
		if _, ok := s.calib[e.Drive.Date]; ok {
			continue
		}
		in, err := kitti.ReadCalib(kitti.CalibPath(root, e.Drive.Date))
		if err != nil {
			return nil, s.at(i, err)
		}
		s.calib[e.Drive.Date] = in
	}
	return s, nil
}

// Len is the number of split entries.
func (s *KITTISet) Len() int { return len(s.Entries) }

// Size is the training size.
func (s *KITTISet) Size() (int, int) { return s.W, s.H }

// at names entry i's split file and line in err.
func (s *KITTISet) at(i int, err error) error {
	if s.Split == "" || i >= len(s.Lines) {
		return err
	}
	e := s.Entries[i]
	return fmt.Errorf("split %s:%d (%s %d): %w", s.Split, s.Lines[i], e.Drive.Rel(), e.Frame, err)
}

// Load returns frames t−1, t, t+1 of entry i, resized to the training
// size; an error names the entry's split file and line.
func (s *KITTISet) Load(i int) (Sample, error) {
	smp, err := s.load(i)
	if err != nil {
		return Sample{}, s.at(i, err)
	}
	return smp, nil
}

func (s *KITTISet) load(i int) (Sample, error) {
	e := s.Entries[i]
	var smp Sample
	for k, df := range []int{-1, 0, 1} {
		img, err := s.Image(e.Drive, e.Frame+df)
		if err != nil {
			return Sample{}, err
		}
		smp.Frames[k] = img
	}
	in := s.calib[e.Drive.Date].Scale(s.W, s.H)
	smp.Fx, smp.Fy, smp.Cx, smp.Cy = in.Fx, in.Fy, in.Cx, in.Cy
	poses, err := s.poses.get(s.Root, e.Drive)
	if err != nil {
		return Sample{}, err
	}
	if e.Frame >= 1 && e.Frame+1 < len(poses) {
		smp.RelPose = &[2][16]float64{relPose(poses[e.Frame], poses[e.Frame-1]), relPose(poses[e.Frame], poses[e.Frame+1])}
	}
	if s.LabelRoot != "" {
		if smp.Labels, err = s.Labels(e); err != nil {
			return Sample{}, err
		}
	}
	return smp, nil
}

// UseGT takes the ground truth from path: a .npz/.npy file (Monodepth2's
// gt_depths.npz: key "data", one map per line of the split, in order) or a
// folder of depth PNGs, which must hold every entry's map.
func (s *KITTISet) UseGT(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		for _, e := range s.Entries {
			if _, err := kitti.FindDepth(path, e.Drive, e.Frame); err != nil {
				return err
			}
		}
		s.GTDir = path
		return nil
	}
	maps, err := npy.DepthMaps(path, "")
	if err != nil {
		return err
	}
	if len(maps) != len(s.Entries) {
		return fmt.Errorf("ground truth %s has %d depth maps, the split has %d entries (same split and order as the file?)", path, len(maps), len(s.Entries))
	}
	s.GT = maps
	return nil
}

// Labels reads the teacher's labels of entry e, resized (nearest) to the
// training size and grouped.
func (s *KITTISet) Labels(e kitti.Entry) ([]uint8, error) {
	path := e.Drive.LabelPath(s.LabelRoot, e.Frame)
	l, w, h, err := kitti.ReadLabels(path)
	if err != nil {
		return nil, fmt.Errorf("teacher labels: %w (run `xdistill teacher label`, or set distill.teacher)", err)
	}
	if w != s.W || h != s.H {
		l = ResizeLabels(l, w, h, s.W, s.H)
	}
	s.Grouping.Map(l)
	return l, nil
}

// ResizeLabels resamples a label map by nearest neighbour (pixel centres).
func ResizeLabels(src []uint8, sw, sh, dw, dh int) []uint8 {
	out := make([]uint8, dw*dh)
	for y := range dh {
		sy := min(sh-1, (2*y+1)*sh/(2*dh))
		for x := range dw {
			out[y*dw+x] = src[sy*sw+min(sw-1, (2*x+1)*sw/(2*dw))]
		}
	}
	return out
}

// Image reads one frame as float32 CHW in [0, 1] at the training size.
func (s *KITTISet) Image(d kitti.Drive, frame int) ([]float32, error) {
	chw, w, h, err := kitti.ReadRGBFloat(d.ImagePath(s.Root, frame))
	if err != nil || (w == s.W && h == s.H) {
		return chw, err
	}
	out := make([]float32, 3*s.W*s.H)
	for c := range 3 {
		copy(out[c*s.W*s.H:], metrics.Resize(chw[c*w*h:(c+1)*w*h], w, h, s.W, s.H))
	}
	return out, nil
}

// LoadEval returns entry i's image and its ground truth (depth, labels when
// present) at the ground truth's own size; an error names the entry's
// split file and line.
func (s *KITTISet) LoadEval(i int) (EvalSample, error) {
	smp, err := s.loadEval(i)
	if err != nil {
		return EvalSample{}, s.at(i, err)
	}
	return smp, nil
}

func (s *KITTISet) loadEval(i int) (EvalSample, error) {
	e := s.Entries[i]
	img, err := s.Image(e.Drive, e.Frame)
	if err != nil {
		return EvalSample{}, err
	}
	if s.GT != nil {
		g := s.GT[i]
		return EvalSample{Image: img, GT: g.Data, GTW: g.W, GTH: g.H}, nil
	}
	if s.GTDir != "" {
		path, err := kitti.FindDepth(s.GTDir, e.Drive, e.Frame)
		if err != nil {
			return EvalSample{}, err
		}
		gt, w, h, err := kitti.ReadDepth(path)
		return EvalSample{Image: img, GT: gt, GTW: w, GTH: h}, err
	}
	gt, w, h, err := kitti.ReadDepth(e.Drive.DepthPath(s.Root, e.Frame))
	if err != nil {
		return EvalSample{}, err
	}
	smp := EvalSample{Image: img, GT: gt, GTW: w, GTH: h}
	if labels, lw, lh, err := kitti.ReadLabels(e.Drive.LabelPath(s.Root, e.Frame)); err == nil && lw == w && lh == h {
		smp.Labels = labels
	}
	return smp, nil
}
