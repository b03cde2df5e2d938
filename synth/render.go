package synth

import (
	"math"
	"sync"

	"github.com/xdistill/edge-depth/kitti"
)

// Frame is one rendered view.
type Frame struct {
	W, H   int
	RGB    []uint8   // interleaved, W×H×3
	Depth  []float32 // z-depth along the optical axis, metres; +Inf for sky
	Labels []uint8   // Cityscapes trainIds
	Moving []bool    // pixels of objects that move in the world
	Pose   kitti.Pose
}

// instance is an object placed for one frame, with its screen tile range.
type instance struct {
	o      *Object
	off    [3]float64 // world offset at this frame
	min    [3]float64
	max    [3]float64
	center [3]float64
}

const (
	tile     = 16
	viewDist = 180.0 // objects farther than this ahead are not drawn
)

// view is the per-frame camera: position, rotation (world-from-camera
// columns), intrinsics and the tile bins.
type view struct {
	w              *World
	pos            [3]float64
	right, down    [3]float64 // camera x and y axes in world
	fwd            [3]float64 // camera z axis in world
	tilesX, tilesY int
	bins           [][]int32
	inst           []instance
}

// Render draws frame f using up to workers goroutines (rows in parallel;
// every pixel is independent, so the result does not depend on workers).
func (w *World) Render(f, workers int) *Frame {
	v := w.newView(f)
	W, H := w.Cam.Width, w.Cam.Height
	fr := &Frame{W: W, H: H, RGB: make([]uint8, 3*W*H), Depth: make([]float32, W*H), Labels: make([]uint8, W*H), Moving: make([]bool, W*H)}
	fr.Pose = v.pose()
	rows := make(chan int, H)
	for y := range H {
		rows <- y
	}
	close(rows)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for y := range rows {
				for x := range W {
					v.shadePixel(fr, x, y)
				}
			}
		}()
	}
	wg.Wait()
	return fr
}

func (w *World) newView(f int) *view {
	pos, yaw := w.Camera(f)
	c, s := math.Cos(yaw), math.Sin(yaw)
	v := &view{w: w, pos: pos, right: [3]float64{c, 0, -s}, down: [3]float64{0, -1, 0}, fwd: [3]float64{s, 0, c}}
	v.tilesX, v.tilesY = (w.Cam.Width+tile-1)/tile, (w.Cam.Height+tile-1)/tile
	v.bins = make([][]int32, v.tilesX*v.tilesY)
	for i := range w.Objects {
		o := &w.Objects[i]
		off := [3]float64{float64(f) * o.Velocity[0], float64(f) * o.Velocity[1], float64(f) * o.Velocity[2]}
		if o.Follow > 0 {
			off[2] = w.Traj[f].Z + o.Follow
			off[0] = w.Traj[f].X - laneCenter
		}
		in := instance{o: o, off: off}
		for k := range 3 {
			in.min[k], in.max[k], in.center[k] = o.Min[k]+off[k], o.Max[k]+off[k], o.Center[k]+off[k]
		}
		if in.max[2] < pos[2]-10 || in.min[2] > pos[2]+viewDist {
			continue
		}
		v.bin(int32(len(v.inst)), in)
		v.inst = append(v.inst, in)
	}
	return v
}

// bin adds an instance to the screen tiles its bounding box covers.
func (v *view) bin(idx int32, in instance) {
	cam := v.w.Cam
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for c := range 8 {
		p := [3]float64{pick(c&1, in.min[0], in.max[0]), pick(c&2, in.min[1], in.max[1]), pick(c&4, in.min[2], in.max[2])}
		d := sub(p, v.pos)
		z := dot(d, v.fwd)
		if z < 0.05 { // a corner behind the camera: cover the whole screen
			x0, y0, x1, y1 = 0, 0, float64(cam.Width), float64(cam.Height)
			break
		}
		u, vv := cam.Project(dot(d, v.right), dot(d, v.down), z)
		x0, x1, y0, y1 = math.Min(x0, u), math.Max(x1, u), math.Min(y0, vv), math.Max(y1, vv)
	}
	tx0, tx1 := clampTile(x0, v.tilesX), clampTile(x1, v.tilesX)
	ty0, ty1 := clampTile(y0, v.tilesY), clampTile(y1, v.tilesY)
	if x1 < 0 || y1 < 0 || x0 >= float64(cam.Width) || y0 >= float64(cam.Height) {
		return
	}
	for ty := ty0; ty <= ty1; ty++ {
		for tx := tx0; tx <= tx1; tx++ {
			v.bins[ty*v.tilesX+tx] = append(v.bins[ty*v.tilesX+tx], idx)
		}
	}
}

func clampTile(p float64, n int) int {
	t := int(math.Floor((p - 1) / tile))
	return min(max(t, 0), n-1)
}

func pick(bit int, a, b float64) float64 {
	if bit != 0 {
		return b
	}
	return a
}

// pose is camera-to-world in KITTI's camera convention (x right, y down, z forward).
func (v *view) pose() kitti.Pose {
	r, d, f, p := v.right, v.down, v.fwd, v.pos
	return kitti.Pose{r[0], d[0], f[0], p[0], r[1], d[1], f[1], p[1], r[2], d[2], f[2], p[2]}
}

// hit is the nearest surface along a ray.
type hit struct {
	t      float64
	normal [3]float64
	inst   *instance
	ground bool
}

func (v *view) shadePixel(fr *Frame, x, y int) {
	cam := v.w.Cam
	dc := [3]float64{(float64(x) - cam.Cx) / cam.Fx, (float64(y) - cam.Cy) / cam.Fy, 1}
	dir := add3(scale3(v.right, dc[0]), scale3(v.down, dc[1]), v.fwd)
	h := hit{t: math.Inf(1)}
	if dir[1] < 0 {
		h = hit{t: -v.pos[1] / dir[1], normal: [3]float64{0, 1, 0}, ground: true}
	}
	for _, idx := range v.bins[(y/tile)*v.tilesX+x/tile] {
		in := &v.inst[idx]
		if t, n, ok := intersect(in, v.pos, dir, h.t); ok {
			h = hit{t: t, normal: n, inst: in}
		}
	}
	i := y*fr.W + x
	if math.IsInf(h.t, 1) {
		fr.Depth[i], fr.Labels[i] = float32(math.Inf(1)), Sky
		putRGB(fr.RGB[3*i:], v.w.sky(dir))
		return
	}
	p := add3(v.pos, scale3(dir, h.t), [3]float64{})
	// Pixel footprint on the surface, for texture band-limiting.
	dl := math.Sqrt(dot(dir, dir))
	foot := h.t * dl / cam.Fx / math.Max(0.15, math.Abs(dot(dir, h.normal))/dl)
	var albedo [3]float64
	if h.ground {
		albedo, fr.Labels[i] = v.w.groundColor(p, foot)
	} else {
		albedo = surfaceColor(h.inst, p, foot)
		fr.Labels[i], fr.Moving[i] = h.inst.o.Class, h.inst.o.Moving()
	}
	fr.Depth[i] = float32(h.t) // dir has unit z in the camera frame: t is z-depth
	light := v.w.Ambient + (1-v.w.Ambient)*math.Max(0, dot(h.normal, v.w.Sun))
	putRGB(fr.RGB[3*i:], scale3(albedo, light))
}

func putRGB(dst []uint8, c [3]float64) {
	for k := range 3 {
		dst[k] = uint8(math.Round(255 * math.Min(1, math.Max(0, c[k]))))
	}
}

// sky is a smooth, textureless gradient by elevation.
func (w *World) sky(dir [3]float64) [3]float64 {
	el := dir[1] / math.Sqrt(dot(dir, dir))
	t := math.Max(0, math.Min(1, el*3))
	return [3]float64{0.78 - 0.35*t, 0.85 - 0.25*t, 0.95 - 0.05*t}
}
