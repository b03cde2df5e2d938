package synth

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/xdistill/edge-depth/camera"
)

// Shape of an object.
type Shape int

const (
	Box      Shape = iota // axis-aligned box Min..Max
	Cylinder              // vertical: centre (X, Z) = Center[0], Center[2]; Min[1]..Max[1] in height
	Sphere                // Center, Radius
)

// Texture kinds.
type Texture int

const (
	Plain   Texture = iota // no detail: photometrically ambiguous on purpose
	Noise                  // multi-octave noise
	Windows                // facade: noise plus a grid of windows
	Stripes                // vertical slats (fences)
	Vehicle                // body noise with a dark window band
)

// Object is one scene element. Moving objects move by Velocity per frame,
// or keep a fixed distance ahead of the camera (Follow).
type Object struct {
	Shape    Shape
	Min, Max [3]float64 // bounds (boxes; the bounding box of other shapes)
	Center   [3]float64
	Radius   float64
	Class    uint8
	Color    [3]float64
	Tex      Texture
	TexScale float64 // base wavelength of the texture, metres
	Velocity [3]float64
	Follow   float64 // >0: stays this far ahead of the camera in its lane
	Seed     uint32
}

// Moving reports whether the object moves in the world.
func (o *Object) Moving() bool { return o.Follow > 0 || o.Velocity != [3]float64{} }

// Style shifts the world's statistics for a generalisation test.
type Style string

const (
	StyleDefault Style = "default"
	StyleShifted Style = "shifted" // lower camera, wider view, denser greenery, more walls, different palette
)

// ParseStyle validates a style name.
func ParseStyle(s string) (Style, error) {
	switch Style(s) {
	case StyleDefault, StyleShifted:
		return Style(s), nil
	}
	return "", fmt.Errorf("style %q: want default or shifted", s)
}

// CamPose is the camera on the road at one frame: lateral X, forward Z,
// heading yaw (radians, positive turns right).
type CamPose struct{ X, Z, Yaw float64 }

// World is a generated scene with its camera trajectory.
type World struct {
	Seed      uint64
	Style     Style
	Cam       camera.Intrinsics
	CamHeight float64
	Sun       [3]float64 // unit vector towards the sun
	Ambient   float64
	Objects   []Object
	Traj      []CamPose
	palette   palette
}

type palette struct {
	road, sidewalk, terrain, marking [3]float64
}

// Road geometry (metres from the road's centre line).
const (
	laneCenter   = 1.75 // ego lane; oncoming traffic at −1.75
	parkCenter   = 4.3  // parking strips
	roadHalf     = 5.3
	sidewalkHalf = 7.6
)

// KITTI's rectified left colour camera: 1242×375, f ≈ 721.5 px.
var kittiCam = camera.Intrinsics{Fx: 721.5377, Fy: 721.5377, Cx: 609.5593, Cy: 172.854, Width: 1242, Height: 375}

// NewWorld generates the scene for frames frames at w×h, deterministically
// from seed and style.
func NewWorld(seed uint64, style Style, frames, w, h int) *World {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	wd := &World{Seed: seed, Style: style, Cam: kittiCam.Scale(w, h), CamHeight: 1.65, Ambient: 0.35}
	if style == StyleShifted {
		wd.CamHeight = 1.3
		cam := wd.Cam
		cam.Fx *= 0.8 // wider field of view
		cam.Fy *= 0.8
		wd.Cam = cam
	}
	az, el := r.Float64()*2*math.Pi, 0.35+0.6*r.Float64()
	wd.Sun = [3]float64{math.Cos(el) * math.Sin(az), math.Sin(el), math.Cos(el) * math.Cos(az)}
	wd.palette = newPalette(r, style)
	wd.Traj = trajectory(r, frames)
	end := wd.Traj[len(wd.Traj)-1].Z + 160
	g := &gen{r: r, w: wd, style: style}
	for _, side := range []float64{-1, 1} {
		g.roadside(side, -30, end)
	}
	g.traffic(end)
	return wd
}

func newPalette(r *rand.Rand, style Style) palette {
	j := func(c [3]float64, s float64) [3]float64 {
		for i := range c {
			c[i] = math.Max(0.02, math.Min(0.98, c[i]+s*(r.Float64()-0.5)))
		}
		return c
	}
	p := palette{road: j([3]float64{0.33, 0.33, 0.35}, 0.08), sidewalk: j([3]float64{0.62, 0.6, 0.57}, 0.1),
		terrain: j([3]float64{0.38, 0.5, 0.22}, 0.12), marking: [3]float64{0.92, 0.92, 0.88}}
	if style == StyleShifted {
		p.road = j([3]float64{0.42, 0.38, 0.33}, 0.05)
		p.terrain = j([3]float64{0.55, 0.5, 0.28}, 0.1)
	}
	return p
}

// trajectory drives forward about 1 m per frame (10 Hz) with smooth speed
// changes and gentle weaving of heading within the lane.
func trajectory(r *rand.Rand, frames int) []CamPose {
	v0 := 0.85 + 0.3*r.Float64()
	ps, py, pp := 20+30*r.Float64(), 30+40*r.Float64(), 2*math.Pi*r.Float64()
	traj := make([]CamPose, frames)
	z := 0.0
	for f := range traj {
		ft := float64(f)
		yaw := 0.04 * math.Sin(2*math.Pi*ft/py+pp)
		traj[f] = CamPose{X: laneCenter + 0.25*math.Sin(2*math.Pi*ft/py+pp-0.8), Z: z, Yaw: yaw}
		z += (v0 + 0.2*math.Sin(2*math.Pi*ft/ps+pp)) * math.Cos(yaw)
	}
	return traj
}

// Camera returns the camera position and heading at frame f.
func (w *World) Camera(f int) (pos [3]float64, yaw float64) {
	p := w.Traj[f]
	return [3]float64{p.X, w.CamHeight, p.Z}, p.Yaw
}
