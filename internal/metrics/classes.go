package metrics

import (
	"fmt"
	"slices"
)

// IgnoreLabel marks pixels without a class (Cityscapes trainId convention).
const IgnoreLabel = 255

// ByClass splits the sample's valid pixels by the label of each pixel
// (a w×h map of Cityscapes trainIds or group ids) and computes the metrics
// per label. Pixels labelled IgnoreLabel are left out.
func (s Sample) ByClass(labels []uint8) (map[uint8]Depth, error) {
	if len(labels) != s.W*s.H {
		return nil, fmt.Errorf("metrics: %d labels for a %d×%d image", len(labels), s.W, s.H)
	}
	pred := map[uint8][]float64{}
	gt := map[uint8][]float64{}
	for k, i := range s.Index {
		l := labels[i]
		if l == IgnoreLabel {
			continue
		}
		pred[l] = append(pred[l], s.Pred[k])
		gt[l] = append(gt[l], s.GT[k])
	}
	out := make(map[uint8]Depth, len(gt))
	for l := range gt {
		out[l] = Compute(pred[l], gt[l])
	}
	return out, nil
}

// ClassAccumulator averages per-class metrics over images, like the
// overall numbers: each image where a class has at least MinPixels valid
// pixels contributes that class's per-image metrics once. A per-image mean
// keeps one large image region (a close car) from dominating the class.
type ClassAccumulator struct {
	// MinPixels is the fewest valid pixels of a class for an image to count
	// for it; 0 means 1. Raising it tames noise from classes that cover a
	// handful of LiDAR points in an image.
	MinPixels int
	acc       map[uint8]*Accumulator
}

// Add records the per-class metrics of one image (from Sample.ByClass).
func (c *ClassAccumulator) Add(perClass map[uint8]Depth) {
	if c.acc == nil {
		c.acc = map[uint8]*Accumulator{}
	}
	for l, d := range perClass {
		if d.Count < max(c.MinPixels, 1) {
			continue
		}
		a := c.acc[l]
		if a == nil {
			a = &Accumulator{}
			c.acc[l] = a
		}
		a.Add(d)
	}
}

// Classes lists the labels seen, ascending.
func (c *ClassAccumulator) Classes() []uint8 {
	out := make([]uint8, 0, len(c.acc))
	for l := range c.acc {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// Class returns the accumulator of one label (empty if never seen).
func (c *ClassAccumulator) Class(label uint8) *Accumulator {
	if a := c.acc[label]; a != nil {
		return a
	}
	return &Accumulator{}
}
