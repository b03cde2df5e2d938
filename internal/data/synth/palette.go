package synth

import (
	"math"
	"math/rand/v2"
)

// palette holds a drive's ground and sky colours.
type palette struct {
	asphalt, sidewalk, kerb, grass, dirt, marking rgb
	zenith, horizon                               rgb
}

func newPalette(r *rand.Rand, lk look) palette {
	j := func(c rgb, s float64) rgb {
		for _, v := range []*float64{&c.R, &c.G, &c.B} {
			*v = clamp(*v+s*(r.Float64()-0.5), 0.02, 0.98)
		}
		return c
	}
	p := palette{
		asphalt:  j(lk.asphalt, 0.06),
		sidewalk: j(rgb{0.6, 0.58, 0.55}, 0.1),
		grass:    j(lk.grass, 0.1),
		dirt:     j(rgb{0.45, 0.38, 0.28}, 0.1),
		marking:  rgb{0.9, 0.9, 0.86},
		zenith:   j(rgb{0.3, 0.5, 0.85}, 0.1),
	}
	p.kerb = p.sidewalk.mul(1.12)
	p.horizon = p.zenith.lerp(rgb{0.9, 0.92, 0.95}, 0.75)
	if lk.ribbon { // the shifted style's markings are yellowish
		p.marking = rgb{0.9, 0.82, 0.45}
	}
	return p
}

// sky is a smooth, textureless gradient from the haze at the horizon to
// the zenith; dir is the ray in the world (y down).
func (w *World) sky(dir vec) rgb {
	el := -dir[1] / math.Sqrt(dot(dir, dir))
	return w.pal.horizon.lerp(w.pal.zenith, clamp(el*2.2, 0, 1))
}

// ground is the albedo and class of the ground at world (x, z), filtered
// to footprint foot: road with lane markings, kerb, paved sidewalk, grass.
func (w *World) ground(x, z, foot float64) (rgb, Class) {
	d := w.road.lateral(x, z)
	ad := math.Abs(d)
	switch {
	case ad < roadHalf:
		return w.asphalt(x, z, d, ad, foot), Road
	case ad < sidewalkHalf:
		n := fbm2(x, z, 1.0, foot, 4)
		c := w.pal.sidewalk.mul(1 + 0.5*n)
		// Slabs: darker joints every 1.2 m along and 1.25 m across.
		joint := math.Max(pulse(z, 1.2, 0, 0.04, foot), pulse(ad, 1.25, 0, 0.04, foot))
		c = c.lerp(w.pal.sidewalk.mul(0.62), joint)
		return c.lerp(w.pal.kerb, band(ad, roadHalf, roadHalf+0.25, foot)), Sidewalk
	}
	n := fbm2(x+311, z, 1.5, foot, 6)
	patch := fbm2(x+77, z+91, 9, foot, 2)
	return (w.pal.grass.lerp(w.pal.dirt, clamp(0.35+1.2*patch, 0, 1))).mul(1 + 0.9*n), Terrain
}

func (w *World) asphalt(x, z, d, ad, foot float64) rgb {
	n := fbm2(x, z, 0.8, foot, 5)
	patch := fbm2(x+51, z+13, 6, foot, 2)
	c := w.pal.asphalt.mul(1 + 0.6*n + 0.4*patch)
	dash, period := 3.0, 9.0
	if w.look.ribbon {
		dash, period = 6, 12
	}
	centre := band(d, -0.07, 0.07, foot) * pulse(z, period, 0, dash, foot)
	edge := band(ad, laneEdge-0.07, laneEdge+0.07, foot)
	return c.lerp(w.pal.marking, 0.9*math.Max(centre, edge))
}
