package synth

import (
	"math"
	"math/rand/v2"
)

// gen places objects; all randomness comes from one generator in a fixed
// order, so a seed always gives the same world.
type gen struct {
	r     *rand.Rand
	w     *World
	style Style
}

func (g *gen) add(o Object) {
	if o.Shape == Cylinder {
		o.Min = [3]float64{o.Center[0] - o.Radius, o.Min[1], o.Center[2] - o.Radius}
		o.Max = [3]float64{o.Center[0] + o.Radius, o.Max[1], o.Center[2] + o.Radius}
	}
	if o.Shape == Sphere {
		for i := range 3 {
			o.Min[i], o.Max[i] = o.Center[i]-o.Radius, o.Center[i]+o.Radius
		}
	}
	o.Seed = g.r.Uint32()
	g.w.Objects = append(g.w.Objects, o)
}

func (g *gen) uni(a, b float64) float64 { return a + (b-a)*g.r.Float64() }

func (g *gen) color(base [3]float64, spread float64) [3]float64 {
	for i := range base {
		base[i] = math.Max(0.03, math.Min(0.95, base[i]+spread*(g.r.Float64()-0.5)))
	}
	return base
}

// roadside fills one side (−1 left, +1 right) with facades, walls, fences,
// greenery, poles with signs and lights, and pedestrians.
func (g *gen) roadside(side, z0, z1 float64) {
	greenery := 0.2
	wallP := 0.15
	if g.style == StyleShifted {
		greenery, wallP = 0.4, 0.3
	}
	for z := z0; z < z1; {
		length := g.uni(8, 26)
		switch p := g.r.Float64(); {
		case p < greenery:
			g.trees(side, z, z+length)
		case p < greenery+wallP:
			g.wall(side, z, z+length)
		default:
			g.building(side, z, z+length)
		}
		z += length + g.uni(0, 5)
	}
	for z := z0 + g.uni(0, 15); z < z1; z += g.uni(14, 32) {
		g.pole(side, z)
	}
	for z := z0 + g.uni(0, 10); z < z1; z += g.uni(6, 30) {
		g.pedestrian(side, z)
	}
}

func (g *gen) building(side, z0, z1 float64) {
	near := g.uni(9, 12)
	far := near + g.uni(6, 14)
	h := g.uni(5, 20)
	x0, x1 := side*near, side*far
	g.add(Object{Shape: Box, Min: [3]float64{math.Min(x0, x1), 0, z0}, Max: [3]float64{math.Max(x0, x1), h, z1},
		Class: Building, Color: g.color([3]float64{0.6, 0.5, 0.42}, 0.35), Tex: Windows, TexScale: g.uni(1.5, 3)})
	if g.r.Float64() < 0.4 {
		g.fence(side, z0, z1)
	}
}

// wall is deliberately plain: no texture for photometry to match.
func (g *gen) wall(side, z0, z1 float64) {
	x := side * g.uni(8.2, 9)
	g.add(Object{Shape: Box, Min: [3]float64{x - 0.15, 0, z0}, Max: [3]float64{x + 0.15, g.uni(1.8, 3.2), z1},
		Class: Wall, Color: g.color([3]float64{0.7, 0.68, 0.62}, 0.25), Tex: Plain})
	g.trees(side, z0, z1) // greenery behind the wall, above it
}

func (g *gen) fence(side, z0, z1 float64) {
	x := side * (sidewalkHalf + 0.3)
	g.add(Object{Shape: Box, Min: [3]float64{x - 0.04, 0, z0}, Max: [3]float64{x + 0.04, g.uni(1, 1.5), z1},
		Class: Fence, Color: g.color([3]float64{0.45, 0.35, 0.25}, 0.2), Tex: Stripes, TexScale: 0.12})
}

func (g *gen) trees(side, z0, z1 float64) {
	for z := z0 + g.uni(0, 4); z < z1; z += g.uni(4, 9) {
		x := side * g.uni(9.5, 14)
		crown := g.uni(1.5, 3)
		trunk := g.uni(1.8, 3)
		g.add(Object{Shape: Cylinder, Center: [3]float64{x, 0, z}, Radius: g.uni(0.15, 0.3), Min: [3]float64{0, 0, 0}, Max: [3]float64{0, trunk + crown, 0},
			Class: Vegetation, Color: g.color([3]float64{0.35, 0.25, 0.16}, 0.1), Tex: Noise, TexScale: 0.3})
		g.add(Object{Shape: Sphere, Center: [3]float64{x, trunk + crown*0.8, z}, Radius: crown,
			Class: Vegetation, Color: g.color([3]float64{0.22, 0.42, 0.16}, 0.15), Tex: Noise, TexScale: 0.8})
	}
	// Low bushes between the sidewalk and whatever stands behind.
	for z := z0 + g.uni(0, 6); z < z1; z += g.uni(5, 12) {
		x := side * g.uni(8, 8.6)
		g.add(Object{Shape: Sphere, Center: [3]float64{x, 0.3, z}, Radius: g.uni(0.6, 1),
			Class: Vegetation, Color: g.color([3]float64{0.25, 0.45, 0.18}, 0.15), Tex: Noise, TexScale: 0.5})
	}
}

// pole is thin and vertical: hard for photometry, easy for semantics.
func (g *gen) pole(side, z float64) {
	x := side * (roadHalf + 0.5)
	h := g.uni(3.5, 6)
	g.add(Object{Shape: Cylinder, Center: [3]float64{x, 0, z}, Radius: g.uni(0.05, 0.09), Min: [3]float64{0, 0, 0}, Max: [3]float64{0, h, 0},
		Class: Pole, Color: g.color([3]float64{0.5, 0.5, 0.52}, 0.15), Tex: Plain})
	switch p := g.r.Float64(); {
	case p < 0.5:
		s := g.uni(0.5, 0.8)
		g.add(Object{Shape: Box, Min: [3]float64{x - s/2, h - s - 0.3, z - 0.06}, Max: [3]float64{x + s/2, h - 0.3, z},
			Class: TrafficSign, Color: g.color([3]float64{0.8, 0.2, 0.15}, 0.4), Tex: Noise, TexScale: 0.25})
	case p < 0.75:
		g.add(Object{Shape: Box, Min: [3]float64{x - 0.18, h - 1, z - 0.35}, Max: [3]float64{x + 0.18, h, z - 0.05},
			Class: TrafficLight, Color: [3]float64{0.12, 0.12, 0.1}, Tex: Noise, TexScale: 0.15})
	}
}

func (g *gen) pedestrian(side, z float64) {
	x := side * g.uni(roadHalf+0.6, sidewalkHalf-0.4)
	h := g.uni(1.55, 1.9)
	var v [3]float64
	if g.r.Float64() < 0.5 {
		v[2] = g.uni(-0.15, 0.15) // walking, m per frame
	}
	g.add(Object{Shape: Box, Min: [3]float64{x - 0.25, 0, z - 0.18}, Max: [3]float64{x + 0.25, h, z + 0.18},
		Class: Person, Color: g.color([3]float64{0.4, 0.35, 0.45}, 0.6), Tex: Noise, TexScale: 0.2, Velocity: v})
}

// traffic places parked cars, oncoming cars, and a lead car ahead at ego
// speed (it stays still in the image: photometry cannot tell its depth).
func (g *gen) traffic(end float64) {
	for _, side := range []float64{-1, 1} {
		for z := g.uni(-20, 5); z < end; z += g.uni(6, 40) {
			g.car(side*parkCenter, z, [3]float64{}, 0)
		}
	}
	for z := g.uni(10, 40); z < end+200; z += g.uni(25, 80) {
		g.car(-laneCenter, z, [3]float64{0, 0, -g.uni(0.6, 1.5)}, 0)
	}
	if g.r.Float64() < 0.7 {
		g.car(laneCenter, 0, [3]float64{}, g.uni(12, 25))
	}
}

func (g *gen) car(x, z float64, v [3]float64, follow float64) {
	class, l, wd, h := Car, g.uni(3.8, 4.8), g.uni(1.7, 1.9), g.uni(1.4, 1.6)
	if g.r.Float64() < 0.12 {
		class, l, wd, h = Truck, g.uni(6, 9), 2.4, g.uni(2.6, 3.4)
	}
	g.add(Object{Shape: Box, Min: [3]float64{x - wd/2, 0, z - l/2}, Max: [3]float64{x + wd/2, h, z + l/2},
		Class: class, Color: g.color([3]float64{0.5, 0.5, 0.5}, 0.9), Tex: Vehicle, TexScale: 0.4, Velocity: v, Follow: follow})
}
