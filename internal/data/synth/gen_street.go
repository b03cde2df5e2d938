package synth

// furniture places street lights, signs, traffic lights and street trees
// along the kerb of one side.
func (g *gen) furniture(side, s0, s1 float64) {
	for s := s0 + g.uni(0, 20); s < s1; s += g.uni(18, 35) {
		g.streetLight(side, s)
	}
	for s := s0 + g.uni(0, 30); s < s1; s += g.uni(25, 70) {
		g.sign(side, s)
	}
	for s := s0 + g.uni(0, 150); s < s1; s += g.uni(90, 200) {
		g.trafficLight(side, s)
	}
	if g.chance(0.5 - 0.3*g.urban) {
		for s := s0 + g.uni(0, 8); s < s1; s += g.uni(8, 16) {
			g.tree(side*(roadHalf+0.7), s)
		}
	}
}

func (g *gen) metal() surface {
	return surface{Tex: texPlain, A: g.tone(rgb{0.45, 0.46, 0.48}, 0.15)}
}

// streetLight is a thin pole with an arm over the road: hard for
// photometry, easy for semantics.
func (g *gen) streetLight(side, s float64) {
	r, h := g.uni(0.06, 0.1), g.uni(5, 8)
	m := g.metal()
	b := &object{}
	b.add(box(shapeCylY, -r, r, 0, h, -r, r, Pole, m))
	b.add(box(shapeBox, -g.uni(1, 2), 0, h-0.15, h, -0.08, 0.08, Pole, m))
	g.static(b, s, side*(roadHalf+0.4), facing(side))
}

// sign is a short pole carrying a round or square sign facing traffic.
func (g *gen) sign(side, s float64) {
	h, size := g.uni(2.2, 2.8), g.uni(0.5, 0.8)
	b := &object{}
	b.add(box(shapeCylY, -0.04, 0.04, 0, h, -0.04, 0.04, Pole, g.metal()))
	face := g.mat(texSign, g.tone(rgb{0.85, 0.85, 0.8}, 0.1), rgb{0.75, 0.1, 0.08}, 1, 0)
	if g.chance(0.4) {
		face.A, face.B = rgb{0.1, 0.3, 0.7}, rgb{0.9, 0.9, 0.9}
	}
	shape := shapeBox
	if g.chance(0.5) {
		shape = shapeCylZ
	}
	b.add(box(shape, -size/2, size/2, h, h+size, -0.1, -0.05, TrafficSign, face))
	// Right side: the sign faces oncoming ego traffic (−z); left: yaw π.
	g.static(b, s, side*(roadHalf+0.35), facing(side))
}

func (g *gen) trafficLight(side, s float64) {
	h := g.uni(3.2, 4)
	b := &object{}
	b.add(box(shapeCylY, -0.07, 0.07, 0, h, -0.07, 0.07, Pole, g.metal()))
	housing := g.mat(texRough, rgb{0.1, 0.1, 0.09}, rgb{0.2, 0.2, 0.18}, 0.2, 0.8)
	b.add(box(shapeBox, -0.16, 0.16, h, h+0.95, -0.3, -0.08, TrafficLight, housing))
	g.static(b, s, side*(roadHalf+0.45), facing(side))
}
