package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/xdistill/edge-depth/internal/data/camera"
	"github.com/xdistill/edge-depth/internal/data/kitti"
)

// KITTI's rectified left colour camera: 1242×375, f ≈ 721.5 px.
var kittiCam = camera.Intrinsics{Fx: 721.5377, Fy: 721.5377, Cx: 609.5593, Cy: 172.854, Width: 1242, Height: 375}

// Lookahead is how far ahead of the last frame the world is built, and
// how far ahead objects are drawn: beyond it they would be a pixel or two
// under the haze.
const lookahead = 400.0

// World is one drive: a generated scene and the camera's path through it.
type World struct {
	Seed      uint64
	Style     Style
	Cam       camera.Intrinsics // intrinsics the frames are rendered with
	CamHeight float64
	Frames    int

	look    look
	pal     palette
	road    *road
	cams    []camState
	sun     vec // unit vector towards the sun
	ambient float64
	invHaze float64
	static  []*object // sorted by road coordinate
	moving  []*object
	views   sync.Pool // of *view, for reuse between frames
}

// Intrinsics is the camera model of a style at w×h: KITTI's, scaled, with
// the style's field of view.
func Intrinsics(style Style, w, h int) camera.Intrinsics {
	in := kittiCam.Scale(w, h)
	f := lookOf(style).focalScale
	in.Fx, in.Fy = in.Fx*f, in.Fy*f
	return in
}

// SequenceSeed derives the world seed of drive seq of a dataset.
func SequenceSeed(seed uint64, seq int) uint64 {
	return rand.New(rand.NewPCG(seed, 0x5e9+uint64(seq))).Uint64()
}

// NewWorld builds the scene and camera path for frames frames at w×h.
// Everything random comes from one PCG generator in a fixed order, so a
// seed always gives the same world.
func NewWorld(seed uint64, style Style, frames, w, h int) *World {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	lk := lookOf(style)
	wd := &World{Seed: seed, Style: style, Cam: Intrinsics(style, w, h), CamHeight: lk.camHeight, Frames: frames, look: lk, ambient: 0.38, invHaze: 1 / lk.haze}
	az, el := 2*math.Pi*r.Float64(), 0.35+0.7*r.Float64()
	wd.sun = vec{math.Cos(el) * math.Sin(az), -math.Sin(el), math.Cos(el) * math.Cos(az)}
	wd.pal = newPalette(r, lk)
	// The path ends well under 2 m per frame ahead; build the road beyond.
	end := 2*float64(frames) + lookahead + 50
	wd.road = newRoad(r, -80, end, lk.curve)
	wd.cams = trajectory(r, wd.road, frames, lk.camHeight)
	g := &gen{r: r, w: wd, look: lk}
	g.populate(-60, wd.cams[frames-1].s+lookahead)
	wd.place()
	return wd
}

// place fixes static bodies in the world and sorts them along the road.
func (w *World) place() {
	for _, b := range w.static {
		x, z, h := w.road.place(b.motion.S, b.motion.D)
		b.pos, b.yaw = vec{x, 0, z}, h+b.motion.Yaw
	}
	slices.SortStableFunc(w.static, func(a, b *object) int {
		return cmpFloat(a.motion.S, b.motion.S)
	})
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// placeAt is body b's position and heading at frame f.
func (w *World) placeAt(b *object, f int) (vec, float64) {
	m := b.motion
	switch m.Kind {
	case motionStatic:
		return b.pos, b.yaw
	case motionFollow:
		m.S = w.cams[f].s + m.Gap
	default:
		m.S += m.V * float64(f)
	}
	x, z, h := w.road.place(m.S, m.D)
	return vec{x, 0, z}, h + m.Yaw
}

// Pose is the camera-to-world pose of frame f (x right, y down, z forward;
// the ground is y = 0 and the drive starts near the origin).
func (w *World) Pose(f int) kitti.Pose {
	c := w.cams[f]
	r, d, fw, p := c.right, c.down, c.fwd, c.pos
	return kitti.Pose{r[0], d[0], fw[0], p[0], r[1], d[1], fw[1], p[1], r[2], d[2], fw[2], p[2]}
}
