package metrics

import (
	"math"
	"slices"
)

// Accumulator collects per-image results. Its Mean is the mean over images
// of the per-image metrics, which is how KITTI and Make3D numbers are
// published (Monodepth2's evaluate_depth.py), not a mean over all pixels.
type Accumulator struct {
	results []Depth
	skipped int
}

// Add records one image's metrics. Images without a valid pixel
// (Count == 0) carry no information; they are counted in Skipped instead
// of dragging the mean towards zero.
func (a *Accumulator) Add(d Depth) {
	if d.Count == 0 {
		a.skipped++
		return
	}
	a.results = append(a.results, d)
}

// Len is the number of images added with at least one valid pixel.
func (a *Accumulator) Len() int { return len(a.results) }

// Skipped is the number of images added without a valid pixel.
func (a *Accumulator) Skipped() int { return a.skipped }

// Results returns a copy of the per-image metrics in the order added.
func (a *Accumulator) Results() []Depth { return slices.Clone(a.results) }

// Mean averages every metric over images; Count is the total pixel count.
// With no images it returns the zero Depth.
func (a *Accumulator) Mean() Depth {
	var m Depth
	if len(a.results) == 0 {
		return m
	}
	for _, r := range a.results {
		add(&m, r)
		m.Count += r.Count
	}
	scale(&m, 1/float64(len(a.results)))
	return m
}

// Std is the population standard deviation (numpy's default, ddof=0) of
// every metric over images; Count is the total pixel count.
func (a *Accumulator) Std() Depth {
	mean := a.Mean()
	var v Depth
	if len(a.results) == 0 {
		return v
	}
	mf := mean.fields()
	for _, r := range a.results {
		vf, rf := v.fields(), r.fields()
		for i := range vf {
			d := *rf[i] - *mf[i]
			*vf[i] += d * d
		}
	}
	for _, f := range v.fields() {
		*f = math.Sqrt(*f / float64(len(a.results)))
	}
	v.Count = mean.Count
	return v
}

func add(dst *Depth, src Depth) {
	df, sf := dst.fields(), src.fields()
	for i := range df {
		*df[i] += *sf[i]
	}
}

func scale(d *Depth, f float64) {
	for _, p := range d.fields() {
		*p *= f
	}
}

// RatioSummary reports median-scaling ratios the way Monodepth2 prints
// them: their median, and the standard deviation of ratio/median. A small
// relative spread means the network's scale is consistent across images.
func RatioSummary(ratios []float64) (median, relStd float64) {
	if len(ratios) == 0 {
		return math.NaN(), math.NaN()
	}
	median = Median(ratios)
	var sum, sq float64
	for _, r := range ratios {
		sum += r / median
	}
	mean := sum / float64(len(ratios))
	for _, r := range ratios {
		d := r/median - mean
		sq += d * d
	}
	return median, math.Sqrt(sq / float64(len(ratios)))
}

// Median is numpy's median: the mean of the two middle values for an even
// count. xs is not modified. NaN for an empty slice.
func Median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
