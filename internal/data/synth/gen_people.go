package synth

// people places pedestrians on both sidewalks, half of them walking.
func (g *gen) people(s0, s1 float64) {
	every := 28 - 18*g.urban
	for _, side := range []float64{-1, 1} {
		for s := s0 + g.uni(0, every); s < s1; s += g.uni(0.3, 1.7) * every {
			m := motion{Kind: motionStatic, S: s, D: side * g.uni(7, 7.6), Yaw: g.uni(-0.3, 0.3)}
			if g.chance(0.5) {
				dir := 1.0
				if g.chance(0.5) {
					dir = -1
				}
				m.Kind, m.V, m.Yaw = motionAlong, dir*g.uni(0.08, 0.15), facing(dir)
			}
			b := &object{}
			g.person(b, 0, 0, g.uni(1.55, 1.9), Person)
			g.moving(b, m)
		}
	}
}

// person adds legs, torso and head standing at height base (0 on the
// ground; a rider sits higher) with the given class.
func (g *gen) person(b *object, base, z, height float64, class Class) {
	cloth := g.tone(rgb{0.35, 0.33, 0.38}, 0.6)
	trousers := g.tone(rgb{0.2, 0.22, 0.3}, 0.3)
	skin := g.tone(rgb{0.72, 0.55, 0.43}, 0.35)
	leg, torso := 0.47*height, 0.33*height
	if base > 0 { // seated: legs shorter in view
		leg = 0.3 * height
	}
	b.add(box(shapeBox, -0.17, 0.17, base, base+leg, z-0.1, z+0.1, class, g.mat(texRough, trousers, trousers.mul(0.7), 0.3, 0.8)))
	b.add(box(shapeBox, -0.22, 0.22, base+leg, base+leg+torso, z-0.13, z+0.13, class, g.mat(texRough, cloth, cloth.mul(0.6), 0.25, 0.9)))
	top := base + leg + torso
	b.add(box(shapeEllipsoid, -0.1, 0.1, top, top+0.24, z-0.11, z+0.11, class, surface{Tex: texPlain, A: skin}))
}

// cyclist is a bicycle (two wheels and a frame) with its rider.
func (g *gen) cyclist(m motion) {
	b := &object{}
	frame := surface{Tex: texPlain, A: g.tone(rgb{0.3, 0.3, 0.35}, 0.6)}
	tyre := surface{Tex: texPlain, A: rgb{0.08, 0.08, 0.08}}
	for _, z := range []float64{-0.52, 0.52} {
		b.add(box(shapeCylX, -0.025, 0.025, 0, 0.68, z-0.34, z+0.34, Bicycle, tyre))
	}
	b.add(box(shapeBox, -0.03, 0.03, 0.34, 0.9, -0.5, 0.45, Bicycle, frame))
	g.person(b, 0.55, -0.1, g.uni(1.5, 1.8)*0.75, Rider)
	g.moving(b, m)
}
