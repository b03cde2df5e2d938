package data

import (
	"fmt"
	"os"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/training/distill"
)

// SegSet serves a labelled KITTI-layout set for segmentation training:
// each sample is the target frame (in all three frame slots, so the
// Loader's flip and colour jitter apply unchanged) and its ground-truth
// trainIds; neighbours, poses and intrinsics are not read.
type SegSet struct{ *KITTISet }

// OpenSegSet opens a split whose frames have label PNGs beside them
// (kitti.Drive.LabelPath), refusing it, with the first missing file
// named, when any does not.
func OpenSegSet(root, split string, w, h int) (SegSet, error) {
	k, err := OpenKITTI(root, split, w, h)
	if err != nil {
		return SegSet{}, err
	}
	missing, first := 0, ""
	for _, e := range k.Entries {
		if p := e.Drive.LabelPath(root, e.Frame); !exists(p) {
			if missing++; first == "" {
				first = p
			}
		}
	}
	if missing > 0 {
		return SegSet{}, fmt.Errorf("dataset %s (split %s): %d of %d frames have no ground-truth label PNG (first: %s); "+
			"the built-in teacher trains on labelled frames: uint8 Cityscapes trainIds, 255 = ignore, as the synthetic world writes them",
			root, split, missing, len(k.Entries), first)
	}
	k.LabelRoot, k.Grouping = root, distill.None()
	return SegSet{k}, nil
}

// Load returns entry i's frame and labels at the training size.
func (s SegSet) Load(i int) (Sample, error) {
	e := s.Entries[i]
	img, err := s.Image(e.Drive, e.Frame)
	if err != nil {
		return Sample{}, err
	}
	labels, err := s.Labels(e)
	if err != nil {
		return Sample{}, err
	}
	return Sample{Frames: [3][]float32{img, img, img}, Labels: labels}, nil
}

// ClassPixels counts each class's labelled pixels over the set at the
// training size (what the loss sees, before flips).
func (s SegSet) ClassPixels() ([]int64, error) {
	counts := make([]int64, kitti.NumClasses)
	for _, e := range s.Entries {
		l, err := s.Labels(e)
		if err != nil {
			return nil, err
		}
		for _, c := range l {
			if int(c) < len(counts) {
				counts[c]++
			}
		}
	}
	return counts, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
