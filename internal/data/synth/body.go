package synth

import "math"

// shapeKind is the shape of a prim, which always fills its local box
// Min..Max.
type shapeKind uint8

const (
	shapeBox shapeKind = iota
	shapeCylX
	shapeCylY // vertical: trunks, poles
	shapeCylZ
	shapeEllipsoid
)

func (s shapeKind) axis() int { return int(s - shapeCylX) }

// prim is one primitive of an object, in the object's frame, with its
// class and surface.
type prim struct {
	shape    shapeKind
	Min, Max vec
	Class    uint8 // Cityscapes trainId
	Mat      surface

	c, r, ir vec // centre, half extents and their inverses (set by box)
}

// object is a rigid body: prims in a local frame (x right, y down, z
// forward; y = 0 on the ground) placed on the road by its motion.
type object struct {
	Parts    []prim
	Min, Max vec // local bounds of all parts
	motion   motion

	pos vec     // static bodies: world position of the local origin
	yaw float64 // static bodies: world heading
}

// motionKind says how an object moves.
type motionKind uint8

const (
	motionStatic motionKind = iota
	motionAlong             // S advances by V road metres per frame
	motionFollow            // stays Gap metres ahead of the camera
)

// motion places an object at frame f: at road coordinate S (+ V·f), lateral
// offset D (metres right of the centre line), heading the road's plus Yaw.
type motion struct {
	Kind   motionKind
	S, D   float64
	V, Gap float64
	Yaw    float64
}

// moving reports whether the object moves in the world.
func (m motion) moving() bool { return m.Kind == motionFollow || (m.Kind == motionAlong && m.V != 0) }

// add appends a prim and grows the object's bounds.
func (b *object) add(p prim) {
	if len(b.Parts) == 0 {
		b.Min, b.Max = p.Min, p.Max
	}
	for k := range 3 {
		b.Min[k], b.Max[k] = math.Min(b.Min[k], p.Min[k]), math.Max(b.Max[k], p.Max[k])
	}
	b.Parts = append(b.Parts, p)
}

// box is a prim from lateral x0..x1, height h0..h1 above ground and
// forward z0..z1 (heights are positive up; the frame's y points down).
func box(shape shapeKind, x0, x1, h0, h1, z0, z1 float64, class uint8, mat surface) prim {
	p := prim{shape: shape, Min: vec{x0, -h1, z0}, Max: vec{x1, -h0, z1}, Class: class, Mat: mat}
	for k := range 3 {
		p.c[k], p.r[k] = (p.Min[k]+p.Max[k])/2, (p.Max[k]-p.Min[k])/2
		p.ir[k] = 1 / p.r[k]
	}
	return p
}
