package synth

import (
	"math"
	"slices"
	"sort"
)

// instance is a body as seen from one frame's camera: the camera in the
// body's frame (so rays are tested in body coordinates), and the part of
// the image the body can cover.
type instance struct {
	b          *object
	o          vec      // camera position, body frame
	ax, ay, az vec      // camera axes, body frame
	sun        vec      // towards the sun, body frame
	pixBox              // pixels that can see the body
	parts      []pixBox // per part
	partOff    int      // where parts start in view.boxes
	zmin       float64
	margin     float64 // near-miss margin, metres
	moving     bool
}

const (
	tile     = 16
	nearClip = 0.05
	// Near misses within this many pixels mark silhouette pixels.
	missPixels = 1.0
	// Only parts narrower than this on screen need near-miss tests: edges
	// of wider ones always separate two pixel centres that see different
	// surfaces.
	thinPixels = 4.0
)

// pixBox is an inclusive pixel rectangle; thin boxes are narrow enough
// on screen that a silhouette may slip between pixel centres.
type pixBox struct {
	x0, y0, x1, y1 int16 // images are at most 4096 pixels wide
	thin           bool
}

func (b *pixBox) has(x, y int16) bool { return x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1 }

// tileRef is an instance as a tile lists it: what the per-pixel loop
// tests first, packed so a tile's list reads as one block of memory.
type tileRef struct {
	zmin float64
	pixBox
	idx int32
}

// view is everything a frame's pixels need; it is built single-threaded
// and only read while the rows render in parallel.
type view struct {
	w              *World
	cam            camState
	inst           []instance // nearest first
	boxes          []pixBox   // the instances' part boxes
	tilesX, tilesY int
	tiles          [][]tileRef // instances per tile, nearest first
}

// newView sets up frame f. Views are recycled (World.views): their
// slices keep their capacity, so steady rendering allocates little and
// the collector seldom interrupts the render loops.
func (w *World) newView(f int) *view {
	v, _ := w.views.Get().(*view)
	if v == nil {
		v = &view{w: w}
		v.tilesX, v.tilesY = (w.Cam.Width+tile-1)/tile, (w.Cam.Height+tile-1)/tile
		v.tiles = make([][]tileRef, v.tilesX*v.tilesY)
	}
	v.cam, v.inst, v.boxes = w.cams[f], v.inst[:0], v.boxes[:0]
	for i := range v.tiles {
		v.tiles[i] = v.tiles[i][:0]
	}
	lo, hi := v.cam.s-40, v.cam.s+lookahead
	first := sort.Search(len(w.static), func(i int) bool { return w.static[i].motion.S >= lo })
	for _, b := range w.static[first:] {
		if b.motion.S > hi {
			break
		}
		v.add(b, b.pos, b.yaw)
	}
	for _, b := range w.moving {
		pos, yaw := w.placeAt(b, f)
		v.add(b, pos, yaw)
	}
	slices.SortStableFunc(v.inst, func(a, b instance) int { return cmpFloat(a.zmin, b.zmin) })
	for i := range v.inst { // boxes is complete: slicing it is safe now
		in := &v.inst[i]
		in.parts = v.boxes[in.partOff : in.partOff+len(in.b.Parts)]
	}
	v.bin()
	return v
}

// add sets up body b placed at pos with heading yaw, unless it is out of
// view.
func (v *view) add(b *object, pos vec, yaw float64) {
	c, s := math.Cos(yaw), math.Sin(yaw)
	in := instance{b: b, moving: b.motion.moving(),
		o:  yawInv(c, s, sub(v.cam.pos, pos)),
		ax: yawInv(c, s, v.cam.right), ay: yawInv(c, s, v.cam.down), az: yawInv(c, s, v.cam.fwd),
		sun: yawInv(c, s, v.w.sun)}
	var ok bool
	if in.pixBox, in.zmin, ok = in.screenBox(v.w, &b.Min, &b.Max); !ok {
		return
	}
	in.margin = missPixels * in.zmin / v.w.Cam.Fx
	in.partOff = len(v.boxes)
	for i := range b.Parts {
		pb, _, ok := in.pixBox, 0.0, true
		if len(b.Parts) > 1 {
			pb, _, ok = in.screenBox(v.w, &b.Parts[i].Min, &b.Parts[i].Max)
		}
		if !ok {
			pb = pixBox{x0: 0, y0: 0, x1: -1, y1: -1} // never contains a pixel
		}
		v.boxes = append(v.boxes, pb)
	}
	v.inst = append(v.inst, in)
}

// toCam maps a body-frame point to camera coordinates.
func (in *instance) toCam(q vec) vec {
	r := sub(q, in.o)
	return vec{dot(r, in.ax), dot(r, in.ay), dot(r, in.az)}
}

// screenBox projects the body-frame box lo..hi, clipped to z ≥ nearClip:
// the pixels that can see it, its nearest depth, and whether any of it is
// on screen.
func (in *instance) screenBox(w *World, lo, hi *vec) (pixBox, float64, bool) {
	var corners [8]vec
	for i := range corners {
		q := *lo
		for k := range 3 {
			if i>>k&1 == 1 {
				q[k] = hi[k]
			}
		}
		corners[i] = in.toCam(q)
	}
	k := w.Cam
	u0, v0, u1, v1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	zmin := math.Inf(1)
	see := func(p vec) {
		u, vv := k.Fx*p[0]/p[2]+k.Cx, k.Fy*p[1]/p[2]+k.Cy
		u0, u1, v0, v1 = math.Min(u0, u), math.Max(u1, u), math.Min(v0, vv), math.Max(v1, vv)
		zmin = math.Min(zmin, p[2])
	}
	for i, p := range corners {
		if p[2] >= nearClip {
			see(p)
		}
		for _, bit := range []int{1, 2, 4} { // the box's edges through the near plane
			if j := i | bit; i&bit == 0 && (p[2] >= nearClip) != (corners[j][2] >= nearClip) {
				q := corners[j]
				t := (nearClip - p[2]) / (q[2] - p[2])
				see(add(p, scale(sub(q, p), t)))
			}
		}
	}
	if math.IsInf(zmin, 1) || u1 < -2 || v1 < -2 || u0 > float64(k.Width)+1 || v0 > float64(k.Height)+1 {
		return pixBox{}, 0, false
	}
	// Two pixels of slack: pixel areas, subsamples and near-miss margins.
	b := pixBox{x0: int16(max(int(math.Floor(u0))-2, 0)), x1: int16(min(int(math.Ceil(u1))+2, k.Width-1)),
		y0: int16(max(int(math.Floor(v0))-2, 0)), y1: int16(min(int(math.Ceil(v1))+2, k.Height-1)),
		thin: u1-u0 < thinPixels || v1-v0 < thinPixels}
	return b, zmin, true
}

// bin lists each instance in the tiles its pixel box touches, keeping
// the nearest-first order.
func (v *view) bin() {
	for i := range v.inst {
		in := &v.inst[i]
		ref := tileRef{zmin: in.zmin, pixBox: in.pixBox, idx: int32(i)}
		for ty := int(in.y0) / tile; ty <= int(in.y1)/tile; ty++ {
			for tx := int(in.x0) / tile; tx <= int(in.x1)/tile; tx++ {
				v.tiles[ty*v.tilesX+tx] = append(v.tiles[ty*v.tilesX+tx], ref)
			}
		}
	}
}
