package synth

import "math"

// Ray–primitive tests in a body's local frame. Each returns the entry
// parameter t of the ray o + t·d, the face (boxes) and whether the
// primitive is hit in (tmin, tmax). A margin grows the primitive by that
// many metres: a hit with margin but not without is a near miss, which
// marks a silhouette pixel for supersampling.

const tmin = 1e-6

// hitBox is the slab test; face is 2·axis + (1 if the max side).
func hitBox(lo, hi, o, d *vec, tmax, m float64) (float64, int, bool) {
	tn, tf, face := -math.MaxFloat64, tmax, -1
	for k := range 3 {
		l, h := lo[k]-m, hi[k]+m
		if d[k] == 0 {
			if o[k] < l || o[k] > h {
				return 0, 0, false
			}
			continue
		}
		inv := 1 / d[k]
		t0, t1, f := (l-o[k])*inv, (h-o[k])*inv, 2*k
		if inv < 0 {
			t0, t1, f = t1, t0, 2*k+1
		}
		if t0 > tn {
			tn, face = t0, f
		}
		if t1 < tf {
			tf = t1
		}
		if tn > tf {
			return 0, 0, false
		}
	}
	if tn <= tmin || face < 0 {
		return 0, 0, false
	}
	return tn, face, true
}

// hitCylinder tests part p, a cylinder along local axis ax filling its
// box (radius = half the box's extent across the axis), with flat caps.
func hitCylinder(p *prim, o, d *vec, ax int, tmax, m float64) (float64, int, bool) {
	a, b := (ax+1)%3, (ax+2)%3
	r := p.r[a] + m
	oa, ob := o[a]-p.c[a], o[b]-p.c[b]
	if qa := d[a]*d[a] + d[b]*d[b]; qa > 0 {
		qb := oa*d[a] + ob*d[b]
		disc := qb*qb - qa*(oa*oa+ob*ob-r*r)
		if disc < 0 {
			return 0, 0, false
		}
		t := (-qb - math.Sqrt(disc)) / qa
		if y := o[ax] + t*d[ax]; t > tmin && t < tmax && y >= p.Min[ax]-m && y <= p.Max[ax]+m {
			return t, -1, true
		}
	}
	// A cap, entered through the end of the axis the ray starts beyond.
	if d[ax] == 0 {
		return 0, 0, false
	}
	capAt, face := p.Min[ax]-m, 2*ax
	if d[ax] < 0 {
		capAt, face = p.Max[ax]+m, 2*ax+1
	}
	t := (capAt - o[ax]) / d[ax]
	pa, pb := oa+t*d[a], ob+t*d[b]
	if t <= tmin || t >= tmax || pa*pa+pb*pb > r*r {
		return 0, 0, false
	}
	return t, face, true
}

// hitEllipsoid tests part p, the ellipsoid inscribed in its box.
func hitEllipsoid(p *prim, o, d *vec, tmax, m float64) (float64, bool) {
	ir := p.ir
	if m > 0 {
		ir = vec{1 / (p.r[0] + m), 1 / (p.r[1] + m), 1 / (p.r[2] + m)}
	}
	so := vec{(o[0] - p.c[0]) * ir[0], (o[1] - p.c[1]) * ir[1], (o[2] - p.c[2]) * ir[2]}
	sd := vec{d[0] * ir[0], d[1] * ir[1], d[2] * ir[2]}
	qa, qb := dot(sd, sd), dot(so, sd)
	disc := qb*qb - qa*(dot(so, so)-1)
	if disc < 0 {
		return 0, false
	}
	t := (-qb - math.Sqrt(disc)) / qa
	if t <= tmin || t >= tmax {
		return 0, false
	}
	return t, true
}

// normalAt is the outward unit normal of part p at local point q hit on
// face (faces from hitBox/hitCylinder; -1 = curved side).
func normalAt(p *prim, q vec, face int) vec {
	if face >= 0 {
		var n vec
		n[face/2] = float64(2*(face&1) - 1)
		return n
	}
	n := sub(q, p.c)
	if p.shape == shapeEllipsoid {
		n = vec{n[0] * p.ir[0] * p.ir[0], n[1] * p.ir[1] * p.ir[1], n[2] * p.ir[2] * p.ir[2]}
	} else {
		n[p.shape.axis()] = 0
	}
	return norm(n)
}
