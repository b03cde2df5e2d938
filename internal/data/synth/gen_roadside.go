package synth

// roadside lines one side (−1 left, +1 right) with blocks of buildings,
// walls or greenery.
func (g *gen) roadside(side, s0, s1 float64) {
	green, walls := g.look.greenery+0.3*(1-g.urban), g.look.walls
	for s := s0; s < s1; {
		length := g.uni(10, 28)
		switch p := g.r.Float64(); {
		case p < green:
			g.lawn(side, s, s+length)
		case p < green+walls:
			g.wall(side, s, s+length)
		default:
			g.building(side, s, s+length)
		}
		s += length + g.uni(0, 6)
	}
}

func (g *gen) building(side, s0, s1 float64) {
	setback := g.uni(8.6, 10.5) + 5*(1-g.urban)*g.r.Float64()
	depth, height := g.uni(8, 15), g.uni(5, 10)+14*g.urban*g.r.Float64()
	wall := g.tone(rgb{0.62, 0.55, 0.47}, 0.4)
	m := g.mat(texFacade, wall, wall.mul(0.7), 1.5, 0.6)
	m.Cell, m.Fill = [2]float64{g.uni(2.4, 3.6), g.uni(3, 3.4)}, [2]float64{g.uni(0.4, 0.6), g.uni(0.45, 0.55)}
	if g.look.ribbon {
		m.Fill[0] = 1
	}
	half := (s1 - s0) / 2
	b := &object{}
	b.add(box(shapeBox, 0, depth, 0, height, -half, half, Building, m))
	g.static(b, (s0+s1)/2, side*setback, facing(side))
	if setback > 11 && g.chance(0.6) {
		g.trees(side, s0, s1, sidewalkHalf+1.5, setback-1.5)
	}
	if g.chance(0.35) {
		g.fence(side, s0, s1)
	}
}

// wall is deliberately plain: nothing for photometry to match.
func (g *gen) wall(side, s0, s1 float64) {
	half := (s1 - s0) / 2
	b := &object{}
	b.add(box(shapeBox, 0, 0.3, 0, g.uni(1.6, 3), -half, half, Wall, surface{Tex: texPlain, A: g.tone(rgb{0.72, 0.7, 0.64}, 0.25)}))
	g.static(b, (s0+s1)/2, side*(sidewalkHalf+0.3), facing(side))
	g.trees(side, s0, s1, sidewalkHalf+2, sidewalkHalf+9)
}

func (g *gen) fence(side, s0, s1 float64) {
	half := (s1 - s0) / 2
	m := g.mat(texSlats, g.tone(rgb{0.5, 0.4, 0.3}, 0.25), rgb{}, 0.5, 0.3)
	m.Cell, m.Fill = [2]float64{g.uni(0.12, 0.2), 0}, [2]float64{0.6, 0}
	m.B = m.A.mul(0.8)
	b := &object{}
	b.add(box(shapeBox, 0, 0.05, 0, g.uni(1, 1.6), -half, half, Fence, m))
	g.static(b, (s0+s1)/2, side*(sidewalkHalf+0.2), facing(side))
}

// lawn is grass with trees, bushes and sometimes a hedge.
func (g *gen) lawn(side, s0, s1 float64) {
	g.trees(side, s0, s1, sidewalkHalf+1.5, sidewalkHalf+12)
	if g.chance(0.4) {
		half := (s1 - s0) / 2
		leaf := g.tone(rgb{0.2, 0.38, 0.14}, 0.1)
		b := &object{}
		b.add(box(shapeBox, 0, g.uni(0.7, 1.1), 0, g.uni(0.9, 1.8), -half, half, Vegetation, g.mat(texFoliage, leaf, leaf.mul(1.7), 0.5, 1.6)))
		g.static(b, (s0+s1)/2, side*(sidewalkHalf+0.4), facing(side))
		return
	}
	for s := s0 + g.uni(0, 4); s < s1; s += g.uni(3, 8) {
		g.bush(side*g.uni(sidewalkHalf+0.8, sidewalkHalf+3), s)
	}
}

func (g *gen) trees(side, s0, s1, d0, d1 float64) {
	for s := s0 + g.uni(0, 5); s < s1; s += g.uni(4, 10) {
		g.tree(side*g.uni(d0, d1), s)
	}
}

func (g *gen) tree(d, s float64) {
	r, trunk := g.uni(0.12, 0.25), g.uni(1.8, 3.2)
	cw, ch := g.uni(1.4, 3), g.uni(1.8, 3.5)
	bark := g.tone(rgb{0.33, 0.25, 0.18}, 0.1)
	leaf := g.tone(rgb{0.16, 0.33, 0.11}, 0.1)
	b := &object{}
	b.add(box(shapeCylY, -r, r, 0, trunk+0.5*ch, -r, r, Vegetation, g.mat(texRough, bark, bark.mul(0.6), 0.4, 1.2)))
	b.add(box(shapeEllipsoid, -cw, cw, trunk, trunk+2*ch, -cw, cw, Vegetation, g.mat(texFoliage, leaf, leaf.mul(1.9), g.uni(0.4, 0.8), 1.8)))
	g.static(b, s, d, 0)
}

func (g *gen) bush(d, s float64) {
	rw, rh := g.uni(0.5, 1.1), g.uni(0.4, 0.8)
	leaf := g.tone(rgb{0.2, 0.36, 0.13}, 0.12)
	b := &object{}
	b.add(box(shapeEllipsoid, -rw, rw, -0.3*rh, 1.7*rh, -rw, rw, Vegetation, g.mat(texFoliage, leaf, leaf.mul(1.7), 0.35, 1.6)))
	g.static(b, s, d, 0)
}
