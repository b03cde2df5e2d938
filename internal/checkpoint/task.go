package checkpoint

import "strconv"

// Keys of Arch.Extra that say what a checkpoint's network computes. A
// record without them holds a depth network (every run before the
// built-in teacher).
const (
	ExtraTask    = "task"    // TaskSegmentation, or absent for depth
	ExtraClasses = "classes" // number of logit channels of a segmentation net
	// TaskSegmentation marks the built-in teacher: the depth net's encoder
	// and decoder with a logits head, its tensors under "seg.".
	TaskSegmentation = "segmentation"
)

// Segmentation reports whether a is a segmentation network and its number
// of classes (0 when the record does not say).
func (a Arch) Segmentation() (bool, int) {
	if a.Extra[ExtraTask] != TaskSegmentation {
		return false, 0
	}
	n, _ := strconv.Atoi(a.Extra[ExtraClasses])
	return true, n
}
