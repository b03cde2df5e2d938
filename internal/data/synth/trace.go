package synth

import "math"

// Sample kinds besides instance indices.
const (
	hitGround = -1
	hitSky    = -2
)

// sample is the nearest surface along one ray.
type sample struct {
	t    float64 // ray parameter = z-depth (the ray has unit camera z)
	inst int32   // instance index, hitGround or hitSky
	part int16
	face int8
	near bool // a silhouette passes within a pixel in front of the hit
}

// key identifies the surface a sample saw, to find silhouette pixels.
func (s sample) key() int32 {
	if s.inst < 0 {
		return s.inst
	}
	return s.inst<<8 | int32(s.part)<<3 | int32(s.face+1)
}

// trace casts the ray through image point (u, v), which lies in pixel
// (px, py), and finds the nearest surface. With margin > 0 it also looks
// for near misses (pixel centres); subsamples pass 0 and skip that work.
func (v *view) trace(px, py int, u, vv, margin float64) sample {
	k := &v.w.Cam
	dcx, dcy := (u-k.Cx)/k.Fx, (vv-k.Cy)/k.Fy
	best := sample{t: math.Inf(1), inst: hitSky}
	if dy := dcx*v.cam.right[1] + dcy*v.cam.down[1] + v.cam.fwd[1]; dy > 0 {
		best = sample{t: -v.cam.pos[1] / dy, inst: hitGround}
	}
	nearT := math.Inf(1)
	x, y := int16(px), int16(py)
	refs := v.tiles[(py/tile)*v.tilesX+px/tile]
	for r := range refs {
		ref := &refs[r]
		if ref.zmin >= best.t {
			break // nearest first: nothing further can be in front
		}
		if !ref.has(x, y) {
			continue
		}
		idx := ref.idx
		in := &v.inst[idx]
		var d vec
		dirSet := false
		for pi := range in.parts {
			pb := &in.parts[pi]
			if !pb.has(x, y) {
				continue
			}
			if !dirSet { // the ray in the body's frame, once per body
				d = vec{dcx*in.ax[0] + dcy*in.ay[0] + in.az[0], dcx*in.ax[1] + dcy*in.ay[1] + in.az[1], dcx*in.ax[2] + dcy*in.ay[2] + in.az[2]}
				dirSet = true
			}
			p := &in.b.Parts[pi]
			m := 0.0
			if pb.thin {
				m = in.margin * margin
			}
			tm, face, ok := hitPart(p, &in.o, &d, best.t, m)
			if !ok {
				continue
			}
			t := tm
			if m > 0 {
				if t, face, ok = hitPart(p, &in.o, &d, best.t, 0); !ok {
					nearT = min(nearT, tm)
					continue
				}
			}
			best = sample{t: t, inst: idx, part: int16(pi), face: int8(face)}
		}
	}
	best.near = nearT < best.t
	return best
}

func hitPart(p *prim, o, d *vec, tmax, m float64) (float64, int, bool) {
	switch p.shape {
	case shapeBox:
		return hitBox(&p.Min, &p.Max, o, d, tmax, m)
	case shapeEllipsoid:
		t, ok := hitEllipsoid(p, o, d, tmax, m)
		return t, -1, ok
	}
	return hitCylinder(p, o, d, p.shape.axis(), tmax, m)
}

// shade is the colour, class and motion of a sample seen along the ray
// through (u, v); fscale shrinks the texture footprint for subsamples.
func (v *view) shade(s sample, u, vv, fscale float64) (rgb, Class, bool) {
	w := v.w
	k := &w.Cam
	dcx, dcy := (u-k.Cx)/k.Fx, (vv-k.Cy)/k.Fy
	if s.inst < 0 {
		return v.shadeWorld(s, dcx, dcy, fscale)
	}
	in := &v.inst[s.inst]
	part := &in.b.Parts[s.part]
	d := vec{dcx*in.ax[0] + dcy*in.ay[0] + in.az[0], dcx*in.ax[1] + dcy*in.ay[1] + in.az[1], dcx*in.ax[2] + dcy*in.ay[2] + in.az[2]}
	dlen := math.Sqrt(dcx*dcx + dcy*dcy + 1)
	q := vec{in.o[0] + s.t*d[0], in.o[1] + s.t*d[1], in.o[2] + s.t*d[2]}
	n := normalAt(part, q, int(s.face))
	nd := dot(n, d)
	// Footprint: a pixel's width on the surface, wider when seen obliquely.
	foot := s.t * dlen * fscale / k.Fx / max(math.Abs(nd)/dlen, 0.02)
	albedo := part.albedo(q, int(s.face), foot)
	// Sun plus sky light that is brighter from above (−y).
	light := w.ambient*(0.8-0.2*n[1]) + (1-w.ambient)*max(0, dot(n, in.sun))
	return w.haze(albedo.mul(light), s.t*dlen), part.Class, in.moving
}

// shadeWorld shades the ground and the sky.
func (v *view) shadeWorld(s sample, dcx, dcy, fscale float64) (rgb, Class, bool) {
	w, c := v.w, &v.cam
	dir := vec{dcx*c.right[0] + dcy*c.down[0] + c.fwd[0], dcx*c.right[1] + dcy*c.down[1] + c.fwd[1], dcx*c.right[2] + dcy*c.down[2] + c.fwd[2]}
	if s.inst == hitSky {
		return w.sky(dir), Sky, false
	}
	dlen := math.Sqrt(dcx*dcx + dcy*dcy + 1)
	foot := s.t * dlen * fscale / w.Cam.Fx / max(dir[1]/dlen, 0.02)
	albedo, class := w.ground(c.pos[0]+s.t*dir[0], c.pos[2]+s.t*dir[2], foot)
	light := w.ambient + (1-w.ambient)*max(0, -w.sun[1])
	return w.haze(albedo.mul(light), s.t*dlen), class, false
}

// haze blends colour c seen at distance dist into the horizon's colour,
// by x/(1+x): like 1 − e^(−x) near the camera, saturating more slowly,
// and much cheaper.
func (w *World) haze(c rgb, dist float64) rgb {
	x := dist * w.invHaze
	return c.lerp(w.pal.horizon, x/(1+x))
}
