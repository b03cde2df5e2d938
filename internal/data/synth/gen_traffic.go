package synth

import "math"

// traffic places parked cars, oncoming cars, cyclists and a lead car.
func (g *gen) traffic(s0, s1 float64) {
	span := s1 - s0 + 2*float64(g.w.Frames) // oncoming traffic drives in from beyond s1
	for _, side := range []float64{-1, 1} {
		for s := s0 + g.uni(0, 10); s < s1; {
			if g.chance(0.25 + 0.4*(1-g.urban)) { // a stretch without parking
				s += g.uni(10, 40)
				continue
			}
			l := g.vehicle(motion{Kind: motionStatic, S: s, D: side * parkCenter, Yaw: facing(side)})
			s += l + g.uni(1, 10)
		}
	}
	for s := s0 + g.uni(10, 40); s < s0+span; s += g.uni(25, 90) {
		g.vehicle(motion{Kind: motionAlong, S: s, D: -laneCenter, V: -g.uni(0.6, 1.4), Yaw: math.Pi})
	}
	for s := s0 + g.uni(0, 100); s < s0+span; s += 100 / g.look.cyclists * g.uni(0.5, 1.5) {
		side := 1.0
		if g.chance(0.5) {
			side = -1
		}
		g.cyclist(motion{Kind: motionAlong, S: s, D: side * 3.05, V: side * g.uni(0.3, 0.5), Yaw: facing(side)})
	}
	// A lead car at ego speed stays put in the image: photometry cannot
	// tell its depth. Without one, a faster car pulls away ahead.
	if g.chance(0.7) {
		g.vehicle(motion{Kind: motionFollow, D: laneCenter, Gap: g.uni(9, 25)})
	} else {
		g.vehicle(motion{Kind: motionAlong, S: g.uni(30, 60), D: laneCenter, V: g.uni(1.5, 1.8)})
	}
}

// vehicle adds a car (or the style's truck or bus) and returns its length.
func (g *gen) vehicle(m motion) float64 {
	paint := g.tone(carColours[g.r.IntN(len(carColours))], 0.12)
	body := g.mat(texRough, paint, paint.mul(0.85), 0.6, 0.25)
	glass := surface{Tex: texGlass, A: paint, B: g.tone(rgb{0.1, 0.12, 0.15}, 0.05)}
	tyre := g.mat(texRough, rgb{0.07, 0.07, 0.07}, rgb{0.15, 0.15, 0.15}, 0.1, 0.6)
	b := &object{}
	var l float64
	if g.chance(g.look.bigShare) {
		l = g.bigVehicle(b, body, glass, tyre)
	} else {
		l = g.car(b, body, glass, tyre)
	}
	g.moving(b, m)
	return l
}

// carColours: greys, white, black, a few colours.
var carColours = []rgb{{0.75, 0.75, 0.75}, {0.85, 0.85, 0.83}, {0.12, 0.12, 0.13}, {0.45, 0.46, 0.48},
	{0.55, 0.1, 0.08}, {0.12, 0.2, 0.45}, {0.2, 0.32, 0.25}, {0.6, 0.55, 0.4}}

func (g *gen) car(b *object, body, glass, tyre surface) float64 {
	l, w, h := g.uni(3.8, 4.8), g.uni(1.7, 1.9), g.uni(1.4, 1.6)
	belt := 0.3 + 0.48*(h-0.3)
	b.add(box(shapeBox, -w/2, w/2, 0.3, belt, -l/2, l/2, Car, body))
	b.add(box(shapeBox, -w/2+0.12, w/2-0.12, belt, h, -0.28*l, 0.22*l, Car, glass))
	g.wheels(b, w, l, 0.32, Car, tyre)
	return l
}

// bigVehicle is a truck (cab and cargo box) or a bus.
func (g *gen) bigVehicle(b *object, body, glass, tyre surface) float64 {
	class := g.look.bigVehicle
	w := 2.5
	if class == Bus {
		l, h := g.uni(10, 12), g.uni(2.9, 3.2)
		b.add(box(shapeBox, -w/2, w/2, 0.35, 1.3, -l/2, l/2, Bus, body))
		b.add(box(shapeBox, -w/2, w/2, 1.3, h, -l/2, l/2, Bus, glass))
		g.wheels(b, w, l, 0.5, Bus, tyre)
		return l
	}
	l, h := g.uni(6, 9), g.uni(2.8, 3.6)
	cargo := g.mat(texRough, g.tone(rgb{0.8, 0.8, 0.78}, 0.2), rgb{0.6, 0.6, 0.6}, 1.2, 0.3)
	b.add(box(shapeBox, -w/2, w/2, 0.4, h, -l/2, l/2-2.2, Truck, cargo))
	b.add(box(shapeBox, -w/2, w/2, 0.4, 1.5, l/2-2.1, l/2, Truck, body))
	b.add(box(shapeBox, -w/2+0.05, w/2-0.05, 1.5, h-0.4, l/2-2.1, l/2-0.1, Truck, glass))
	g.wheels(b, w, l, 0.48, Truck, tyre)
	return l
}

// wheels adds four tyres (cylinders across the vehicle).
func (g *gen) wheels(b *object, w, l, r float64, class Class, tyre surface) {
	for _, x := range []float64{-w/2 + 0.02, w/2 - 0.24} {
		for _, z := range []float64{-l/2 + 0.9, l/2 - 0.9} {
			b.add(box(shapeCylX, x, x+0.22, 0, 2*r, z-r, z+r, class, tyre))
		}
	}
}
