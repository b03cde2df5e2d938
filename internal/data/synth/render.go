package synth

import (
	"math"
	"sync"
	"sync/atomic"

	"github.com/xdistill/edge-depth/internal/data/kitti"
)

// MaxDepth caps finite depth (the depth PNG holds up to ~256 m).
const MaxDepth = 255.0

// Frame is one rendered view with its ground truth.
type Frame struct {
	W, H   int
	RGB    []uint8   // interleaved, W×H×3
	Depth  []float32 // z-depth along the optical axis, metres (≤ MaxDepth); +Inf for sky
	Labels []uint8   // Cityscapes trainIds
	Moving []bool    // pixels of bodies that move in the world
	Pose   kitti.Pose

	keys []int32 // surface seen at each pixel centre
	near []bool  // a silhouette passes close to the pixel centre
}

// NewFrame allocates a frame for w×h renders; RenderInto reuses it.
func NewFrame(w, h int) *Frame {
	n := w * h
	return &Frame{W: w, H: h, RGB: make([]uint8, 3*n), Depth: make([]float32, n), Labels: make([]uint8, n),
		Moving: make([]bool, n), keys: make([]int32, n), near: make([]bool, n)}
}

// Render draws frame f with up to workers goroutines (≤ 0: one).
func (w *World) Render(f, workers int) *Frame {
	fr := NewFrame(w.Cam.Width, w.Cam.Height)
	w.RenderInto(fr, f, workers)
	return fr
}

// RenderInto draws frame f into fr. Rows render in parallel, but every
// pixel depends only on the frame's view, so the result is the same for
// any number of workers.
func (w *World) RenderInto(fr *Frame, f, workers int) {
	if fr.W != w.Cam.Width || fr.H != w.Cam.Height {
		panic("synth: frame size does not match the world's camera")
	}
	v := w.newView(f)
	defer w.views.Put(v)
	fr.Pose = w.Pose(f)
	rows(fr.H, workers, func(y int) { v.centreRow(fr, y) })
	rows(fr.H, workers, func(y int) { v.edgeRow(fr, y) })
}

// rows runs fn for every row with up to workers goroutines.
func rows(h, workers int, fn func(y int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(workers, h)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for y := int(next.Add(1) - 1); y < h; y = int(next.Add(1) - 1) {
				fn(y)
			}
		}()
	}
	wg.Wait()
}

// centreRow traces every pixel centre of row y: depth, label and motion
// come from there, and so does the colour unless edgeRow refines it.
func (v *view) centreRow(fr *Frame, y int) {
	for x := range fr.W {
		i := y*fr.W + x
		s := v.trace(x, y, float64(x), float64(y), 1)
		c, class, moving := v.shade(s, float64(x), float64(y), 1)
		fr.keys[i], fr.near[i] = s.key(), s.near
		fr.Labels[i], fr.Moving[i] = class, moving
		fr.Depth[i] = float32(math.Inf(1))
		if s.inst != hitSky {
			fr.Depth[i] = float32(math.Min(s.t, MaxDepth))
		}
		putRGB(fr.RGB[3*i:], c)
	}
}

// Subsample offsets: a rotated 2×2 grid.
var subsamples = [4][2]float64{{-0.375, -0.125}, {0.125, -0.375}, {0.375, 0.125}, {-0.125, 0.375}}

// edgeRow supersamples the pixels of row y that a silhouette crosses: a
// neighbour sees another surface, or a near miss says an edge is close.
// The colour becomes the mean of four subsamples (anti-aliasing).
func (v *view) edgeRow(fr *Frame, y int) {
	for x := range fr.W {
		i := y*fr.W + x
		if !fr.near[i] && !differs(fr, x, y) {
			continue
		}
		// Subsamples on the centre's surface reuse its colour: textures
		// are already filtered over the whole pixel.
		centre := rgb{float64(fr.RGB[3*i]) / 255, float64(fr.RGB[3*i+1]) / 255, float64(fr.RGB[3*i+2]) / 255}
		var sum rgb
		for _, o := range subsamples {
			u, vv := float64(x)+o[0], float64(y)+o[1]
			s := v.trace(x, y, u, vv, 0)
			if s.key() == fr.keys[i] {
				sum = sum.add(centre)
				continue
			}
			c, _, _ := v.shade(s, u, vv, 0.5)
			sum = sum.add(c)
		}
		putRGB(fr.RGB[3*i:], sum.mul(0.25))
	}
}

func differs(fr *Frame, x, y int) bool {
	k := fr.keys[y*fr.W+x]
	return (x > 0 && fr.keys[y*fr.W+x-1] != k) || (x+1 < fr.W && fr.keys[y*fr.W+x+1] != k) ||
		(y > 0 && fr.keys[(y-1)*fr.W+x] != k) || (y+1 < fr.H && fr.keys[(y+1)*fr.W+x] != k)
}

func putRGB(dst []uint8, c rgb) {
	dst = dst[:3]
	dst[0] = uint8(255*clamp(c.R, 0, 1) + 0.5)
	dst[1] = uint8(255*clamp(c.G, 0, 1) + 0.5)
	dst[2] = uint8(255*clamp(c.B, 0, 1) + 0.5)
}
