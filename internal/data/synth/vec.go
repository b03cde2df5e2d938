package synth

import "math"

// vec is a 3-vector. World and camera frames are right-handed with x
// right, y down, z forward (KITTI's camera convention); the ground is y = 0.
type vec = [3]float64

func dot(a, b vec) float64       { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func sub(a, b vec) vec           { return vec{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func add(a, b vec) vec           { return vec{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }
func scale(a vec, s float64) vec { return vec{a[0] * s, a[1] * s, a[2] * s} }
func norm(a vec) vec             { return scale(a, 1/math.Sqrt(dot(a, a))) }

// clamp limits x to [lo, hi] (plain comparisons: math.Max's NaN care is
// slow in the inner loops and NaN never occurs there).
func clamp(x, lo, hi float64) float64 {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}

// yawRot maps body-local to world directions for a rotation by yaw about
// the vertical (y) axis; positive yaw turns +z towards +x.
func yawRot(yaw float64, l vec) vec {
	c, s := math.Cos(yaw), math.Sin(yaw)
	return vec{c*l[0] + s*l[2], l[1], -s*l[0] + c*l[2]}
}

// yawInv maps world to body-local directions (the inverse of yawRot).
func yawInv(c, s float64, d vec) vec {
	return vec{c*d[0] - s*d[2], d[1], s*d[0] + c*d[2]}
}

// rgb is a linear colour, 0..1 per channel. (A struct, not an array, so
// the compiler keeps it in registers in the shading code.)
type rgb struct{ R, G, B float64 }

func (c rgb) mul(s float64) rgb { return rgb{c.R * s, c.G * s, c.B * s} }
func (c rgb) add(o rgb) rgb     { return rgb{c.R + o.R, c.G + o.G, c.B + o.B} }

// lerp goes from c (t = 0) to o (t = 1).
func (c rgb) lerp(o rgb, t float64) rgb {
	return rgb{c.R + (o.R-c.R)*t, c.G + (o.G-c.G)*t, c.B + (o.B-c.B)*t}
}
