package view

import (
	"fmt"
	"math"

	"github.com/xdistill/edge-depth/internal/colormap"
)

// Renderer draws w×h frames into 2w×h views.
type Renderer struct {
	w, h int
	lut  [256][3]uint8 // magma, BGR
	hist [256]int
	inv  []float32 // inverse depth of the current frame; < 0: no data
}

// New prepares a renderer for depth maps of w×h.
func New(w, h int) *Renderer {
	r := &Renderer{w: w, h: h, inv: make([]float32, w*h)}
	for i := range r.lut {
		c := colormap.Magma(float64(i) / 255)
		r.lut[i] = [3]uint8{c.B, c.G, c.R}
	}
	return r
}

// Size is the view's size: two panels side by side.
func (r *Renderer) Size() (w, h int) { return 2 * r.w, r.h }

// Render writes [image | depth] into dst (2w×h×3 BGR). Depth is coloured
// by inverse depth, which spreads near structure over the colours, from
// the frame's nearest point (bright) to its 5 % farthest (dark); any depth
// unit works since the mapping is normalised per frame. Zero depth (no
// data) is black.
func (r *Renderer) Render(dst, bgr []byte, depth []float32) error {
	w, h := r.w, r.h
	if len(dst) != 6*w*h || len(bgr) != 3*w*h || len(depth) != w*h {
		return fmt.Errorf("view: sizes %d, %d, %d do not fit %dx%d", len(dst), len(bgr), len(depth), w, h)
	}
	lo, hi := r.inverseRange(depth)
	k := 255 / max(hi-lo, 1e-12)
	for y := range h {
		row := dst[6*w*y : 6*w*(y+1)]
		copy(row[:3*w], bgr[3*w*y:3*w*(y+1)])
		out := row[3*w : 6*w : 6*w]
		for x, v := range r.inv[w*y : w*(y+1)] {
			px := out[3*x : 3*x+3 : 3*x+3]
			if v < 0 {
				px[0], px[1], px[2] = 0, 0, 0
				continue
			}
			c := &r.lut[index((v-lo)*k)] // a pointer: copying a [3]uint8 out cost ~3× the loop
			px[0], px[1], px[2] = c[0], c[1], c[2]
		}
	}
	return nil
}

func index(t float32) uint8 {
	switch {
	case t <= 0:
		return 0
	case t >= 255:
		return 255
	}
	return uint8(t)
}

// inverseRange fills r.inv and returns the smallest inverse depth and the
// 95th percentile of the inverse depths, from a 256-bin histogram (no
// sorting).
func (r *Renderer) inverseRange(depth []float32) (lo, hi float32) {
	lo, hi = float32(math.Inf(1)), 0
	n := 0
	inv := r.inv[:len(depth)]
	for i, d := range depth {
		if d > 0 {
			v := 1 / d
			inv[i] = v
			// Plain comparisons: the builtin min/max handle NaN and −0
			// with branches of their own (this loop's cost, measured).
			if v < lo {
				lo = v
			}
			if v > hi {
				hi = v
			}
			n++
		} else {
			inv[i] = -1
		}
	}
	if n == 0 || !(hi > lo) {
		return 0, 1
	}
	clear(r.hist[:])
	k := 255 / (hi - lo)
	for _, v := range inv {
		if v >= 0 {
			r.hist[index((v-lo)*k)]++
		}
	}
	target, acc := int(0.95*float64(n)), 0
	for i, c := range r.hist {
		acc += c
		if acc >= target {
			return lo, lo + float32(i+1)/k
		}
	}
	return lo, hi
}
