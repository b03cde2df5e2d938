package metrics

import (
	"fmt"
	"math"
)

// Confusion counts segmentation pixels by (ground-truth class, predicted
// class) over N classes. Ground truth outside 0..N-1 (the ignore label
// 255) is not counted; a prediction outside 0..N-1 (a teacher class with
// no Cityscapes counterpart, labelled ignore) counts as a miss of the
// ground-truth class: it lowers that class's IoU and no other.
type Confusion struct {
	N      int
	Counts []int64 // N×N, row = ground truth, column = prediction
	Missed []int64 // per ground-truth class: pixels predicted outside 0..N-1
}

// NewConfusion returns an empty matrix over n classes.
func NewConfusion(n int) *Confusion {
	return &Confusion{N: n, Counts: make([]int64, n*n), Missed: make([]int64, n)}
}

// Add counts one label map against its ground truth (same length).
func (c *Confusion) Add(pred, gt []uint8) error {
	if len(pred) != len(gt) {
		return fmt.Errorf("confusion: prediction has %d pixels, ground truth %d", len(pred), len(gt))
	}
	for i, g := range gt {
		if int(g) >= c.N {
			continue
		}
		if p := int(pred[i]); p < c.N {
			c.Counts[int(g)*c.N+p]++
		} else {
			c.Missed[g]++
		}
	}
	return nil
}

// Pixels is the number of counted (labelled) pixels.
func (c *Confusion) Pixels() int64 {
	var n int64
	for _, v := range c.Counts {
		n += v
	}
	for _, v := range c.Missed {
		n += v
	}
	return n
}

// IoU is each class's intersection over union, TP / (TP + FP + FN); NaN
// for a class that is neither in the ground truth nor predicted.
func (c *Confusion) IoU() []float64 {
	iou := make([]float64, c.N)
	for k := range c.N {
		tp := c.Counts[k*c.N+k]
		union := c.rowSum(k) + c.colSum(k) - tp
		iou[k] = math.NaN()
		if union > 0 {
			iou[k] = float64(tp) / float64(union)
		}
	}
	return iou
}

// MeanIoU is the mean IoU over the classes that occur (in the ground
// truth or the prediction), the Cityscapes benchmark's nanmean; NaN when
// nothing was counted.
func (c *Confusion) MeanIoU() float64 {
	sum, n := 0.0, 0
	for _, v := range c.IoU() {
		if !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// Accuracy is the fraction of counted pixels predicted correctly.
func (c *Confusion) Accuracy() float64 {
	var tp int64
	for k := range c.N {
		tp += c.Counts[k*c.N+k]
	}
	if n := c.Pixels(); n > 0 {
		return float64(tp) / float64(n)
	}
	return math.NaN()
}

// Present is the number of ground-truth pixels of each class.
func (c *Confusion) Present() []int64 {
	out := make([]int64, c.N)
	for k := range c.N {
		out[k] = c.rowSum(k)
	}
	return out
}

// Grouped merges classes into groups (toGroup[class] = group index <
// groups): a prediction is right when it falls in the ground truth's
// group, as X-Distill's translator is scored.
func (c *Confusion) Grouped(toGroup []uint8, groups int) (*Confusion, error) {
	if len(toGroup) != c.N {
		return nil, fmt.Errorf("confusion: grouping maps %d classes, the matrix has %d", len(toGroup), c.N)
	}
	for k, g := range toGroup {
		if int(g) >= groups {
			return nil, fmt.Errorf("confusion: class %d maps to group %d of %d", k, g, groups)
		}
	}
	out := NewConfusion(groups)
	for g := range c.N {
		gg := int(toGroup[g])
		out.Missed[gg] += c.Missed[g]
		for p := range c.N {
			out.Counts[gg*groups+int(toGroup[p])] += c.Counts[g*c.N+p]
		}
	}
	return out, nil
}

func (c *Confusion) rowSum(k int) int64 {
	s := c.Missed[k]
	for p := range c.N {
		s += c.Counts[k*c.N+p]
	}
	return s
}

func (c *Confusion) colSum(k int) int64 {
	var s int64
	for g := range c.N {
		s += c.Counts[g*c.N+k]
	}
	return s
}
