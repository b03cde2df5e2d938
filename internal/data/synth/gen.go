package synth

import (
	"math"
	"math/rand/v2"
)

// gen populates a world. All randomness comes from one generator, drawn
// in a fixed order, so a seed always gives the same world.
type gen struct {
	r     *rand.Rand
	w     *World
	look  look
	urban float64 // 0 suburban … 1 city centre: this drive's character
}

func (g *gen) uni(a, b float64) float64 { return a + (b-a)*g.r.Float64() }
func (g *gen) chance(p float64) bool    { return g.r.Float64() < p }

// tone jitters a colour.
func (g *gen) tone(c rgb, spread float64) rgb {
	j := func(v float64) float64 { return clamp(v+spread*(g.r.Float64()-0.5), 0.03, 0.95) }
	c.R = j(c.R)
	c.G = j(c.G)
	c.B = j(c.B)
	return c
}

// mat makes a material with its own noise offset.
func (g *gen) mat(tex texture, a, b rgb, scale, contrast float64) surface {
	return surface{Tex: tex, A: a, B: b, Scale: scale, Contrast: contrast, off: [2]float64{g.uni(0, 256), g.uni(0, 256)}}
}

func (g *gen) static(b *object, s, d, yaw float64) {
	b.motion = motion{Kind: motionStatic, S: s, D: d, Yaw: yaw}
	g.w.static = append(g.w.static, b)
}

func (g *gen) moving(b *object, m motion) {
	b.motion = m
	if m.Kind == motionStatic {
		g.w.static = append(g.w.static, b)
		return
	}
	g.w.moving = append(g.w.moving, b)
}

// populate fills road coordinates s0..s1.
func (g *gen) populate(s0, s1 float64) {
	g.urban = g.r.Float64()
	for _, side := range []float64{-1, 1} {
		g.roadside(side, s0, s1)
		g.furniture(side, s0, s1)
	}
	g.traffic(s0, s1)
	g.people(s0, s1)
}

// facing is the yaw of a roadside body on side: its local +x points away
// from the road, its +z along the road (right side) or against it (left).
func facing(side float64) float64 {
	if side < 0 {
		return math.Pi
	}
	return 0
}
