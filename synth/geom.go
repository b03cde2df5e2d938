package synth

import "math"

func dot(a, b [3]float64) float64               { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func sub(a, b [3]float64) [3]float64            { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func scale3(a [3]float64, s float64) [3]float64 { return [3]float64{a[0] * s, a[1] * s, a[2] * s} }
func add3(a, b, c [3]float64) [3]float64 {
	return [3]float64{a[0] + b[0] + c[0], a[1] + b[1] + c[1], a[2] + b[2] + c[2]}
}

const eps = 1e-6

// intersect finds the ray's entry into the instance before tmax.
func intersect(in *instance, o, d [3]float64, tmax float64) (float64, [3]float64, bool) {
	switch in.o.Shape {
	case Box:
		return rayBox(in.min, in.max, o, d, tmax)
	case Cylinder:
		return rayCylinder(in, o, d, tmax)
	default:
		return raySphere(in.center, in.o.Radius, o, d, tmax)
	}
}

// rayBox is the slab test; the normal is that of the entry face.
func rayBox(lo, hi, o, d [3]float64, tmax float64) (float64, [3]float64, bool) {
	tn, tf := -math.MaxFloat64, math.MaxFloat64
	axis, sign := -1, 0.0
	for k := range 3 {
		if math.Abs(d[k]) < eps {
			if o[k] < lo[k] || o[k] > hi[k] {
				return 0, [3]float64{}, false
			}
			continue
		}
		t0, t1 := (lo[k]-o[k])/d[k], (hi[k]-o[k])/d[k]
		s := -1.0
		if t0 > t1 {
			t0, t1, s = t1, t0, 1
		}
		if t0 > tn {
			tn, axis, sign = t0, k, s
		}
		tf = math.Min(tf, t1)
	}
	if tn > tf || tn <= eps || tn >= tmax || axis < 0 {
		return 0, [3]float64{}, false
	}
	var n [3]float64
	n[axis] = sign
	return tn, n, true
}

func rayCylinder(in *instance, o, d [3]float64, tmax float64) (float64, [3]float64, bool) {
	cx, cz, r := in.center[0], in.center[2], in.o.Radius
	ox, oz := o[0]-cx, o[2]-cz
	a := d[0]*d[0] + d[2]*d[2]
	b := 2 * (ox*d[0] + oz*d[2])
	c := ox*ox + oz*oz - r*r
	disc := b*b - 4*a*c
	if a < eps || disc < 0 {
		return 0, [3]float64{}, false
	}
	t := (-b - math.Sqrt(disc)) / (2 * a)
	if t <= eps || t >= tmax {
		return 0, [3]float64{}, false
	}
	y := o[1] + t*d[1]
	if y < in.min[1] || y > in.max[1] {
		// The top cap, seen from above.
		if d[1] < 0 && o[1] > in.max[1] {
			tc := (in.max[1] - o[1]) / d[1]
			px, pz := o[0]+tc*d[0]-cx, o[2]+tc*d[2]-cz
			if tc > eps && tc < tmax && px*px+pz*pz <= r*r {
				return tc, [3]float64{0, 1, 0}, true
			}
		}
		return 0, [3]float64{}, false
	}
	return t, [3]float64{(ox + t*d[0]) / r, 0, (oz + t*d[2]) / r}, true
}

func raySphere(c [3]float64, r float64, o, d [3]float64, tmax float64) (float64, [3]float64, bool) {
	oc := sub(o, c)
	a := dot(d, d)
	b := 2 * dot(oc, d)
	cc := dot(oc, oc) - r*r
	disc := b*b - 4*a*cc
	if disc < 0 {
		return 0, [3]float64{}, false
	}
	t := (-b - math.Sqrt(disc)) / (2 * a)
	if t <= eps || t >= tmax {
		return 0, [3]float64{}, false
	}
	p := add3(o, scale3(d, t), [3]float64{})
	return t, scale3(sub(p, c), 1/r), true
}
