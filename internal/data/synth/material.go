package synth

import "math"

// texture is how a surface varies.
type texture uint8

const (
	texPlain   texture = iota // flat colour: photometrically ambiguous on purpose
	texRough                  // noise between A and B
	texFacade                 // rough wall A with a grid of windows B
	texSlats                  // stripes: A on B (fences)
	texGlass                  // vehicle cabin: dark glass B with roof A
	texFoliage                // 3-D noise between A and B
	texSign                   // face A with a border B
)

// surface is how a prim looks. Patterns are in the prim's own frame, so
// they stay fixed on it when its object moves.
type surface struct {
	Tex      texture
	A, B     rgb        // colours (linear, 0..1)
	Scale    float64    // wavelength of the coarsest noise, metres
	Contrast float64    // noise amplitude
	Cell     [2]float64 // pattern period along the face's u and v, metres
	Fill     [2]float64 // fraction of a cell a window or slat takes
	off      [2]float64 // noise offset: different surfaces, different noise
}

// faceUV gives 2-D coordinates on the surface of part p at local point q:
// v is height for vertical faces and the axis for curved sides.
func faceUV(p *prim, q vec, face int) (u, v float64) {
	if face < 0 {
		ax := p.shape.axis()
		return q[(ax+1)%3] + q[(ax+2)%3], -q[ax]
	}
	switch face / 2 {
	case 0:
		return q[2], -q[1]
	case 1:
		return q[0], q[2]
	}
	return q[0], -q[1]
}

// albedo of part p at local point q on face, filtered to footprint foot.
func (p *prim) albedo(q vec, face int, foot float64) rgb {
	m := &p.Mat
	switch m.Tex {
	case texPlain:
		return m.A
	case texFoliage:
		n := fbm3(vec{q[0] + m.off[0], q[1], q[2] + m.off[1]}, m.Scale, foot, 4)
		return m.A.lerp(m.B, clamp(0.5+m.Contrast*n, 0, 1))
	case texSign:
		u, v := faceUV(p, q, face)
		return m.A.lerp(m.B, p.border(u, v, foot))
	case texGlass:
		if face == 2 { // the roof (top face: −y side)
			return m.A
		}
		return m.B
	}
	u, v := faceUV(p, q, face)
	n := fbm2(u+m.off[0], v+m.off[1], m.Scale, foot, 5)
	c := m.A.lerp(m.B, clamp(0.5+m.Contrast*n, 0, 1))
	switch m.Tex {
	case texFacade:
		if v < 2.2 { // ground floor: no windows, a darker base
			return c.mul(0.85)
		}
		win := pulse(u, m.Cell[0], 0, m.Fill[0]*m.Cell[0], foot) * pulse(v-2.2, m.Cell[1], 0.3*m.Cell[1], (0.3+m.Fill[1])*m.Cell[1], foot)
		return c.lerp(rgb{0.1, 0.12, 0.16}, 0.9*win)
	case texSlats:
		return (c.mul(0.45)).lerp(c, pulse(u+v*0.02, m.Cell[0], 0, m.Fill[0]*m.Cell[0], foot))
	}
	return c
}

// border is how much of a sign's face around (u, v) is its rim: a ring
// for round signs, a frame for square ones.
func (p *prim) border(u, v, foot float64) float64 {
	hu, hv := p.r[0], p.r[1]
	du, dv := u-p.c[0], v+p.c[1]
	if p.shape == shapeCylZ {
		r := math.Sqrt(du*du + dv*dv)
		return 1 - band(r, -1, 0.78*hu, foot)
	}
	inner := band(du, -0.8*hu, 0.8*hu, foot) * band(dv, -0.8*hv, 0.8*hv, foot)
	return 1 - inner
}
