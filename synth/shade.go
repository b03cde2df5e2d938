package synth

import "math"

// coverage is how much of a pixel of width foot lies inside a band
// [lo, hi]: a box-filtered edge, so thin markings do not alias.
func coverage(x, lo, hi, foot float64) float64 {
	f := math.Max(foot, 1e-4)
	in := math.Min(x+f/2, hi) - math.Max(x-f/2, lo)
	return math.Max(0, math.Min(1, in/f))
}

func mix(a, b [3]float64, t float64) [3]float64 {
	return [3]float64{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t, a[2] + (b[2]-a[2])*t}
}

func tint(c [3]float64, n float64, amount float64) [3]float64 {
	s := 1 + amount*(n-0.5)*2
	return [3]float64{c[0] * s, c[1] * s, c[2] * s}
}

// groundColor gives the albedo and class of the ground at p (y = 0).
func (w *World) groundColor(p [3]float64, foot float64) ([3]float64, uint8) {
	x, z := p[0], p[2]
	ax := math.Abs(x)
	seed := uint32(w.Seed)
	switch {
	case ax < roadHalf:
		c := tint(w.palette.road, fbm(x, 0, z, 1.2, foot, 6, seed), 0.5)
		// Dashed centre line (3 m of every 9 m) and solid edge lines.
		dash := coverage(x, -0.08, 0.08, foot) * coverage(math.Mod(z+900, 9), 0, 3, foot)
		edge := coverage(ax, roadHalf-0.3, roadHalf-0.15, foot)
		return mix(c, w.palette.marking, math.Max(dash, edge)), Road
	case ax < sidewalkHalf:
		n := fbm(x, 0, z, 0.8, foot, 5, seed+7)
		// Paving slabs: darker joints every 1.5 m.
		joint := coverage(math.Mod(z+900, 1.5), 0, 0.05, foot)
		return mix(tint(w.palette.sidewalk, n, 0.35), scale3(w.palette.sidewalk, 0.6), joint), Sidewalk
	default:
		return tint(w.palette.terrain, fbm(x, 0, z, 1.5, foot, 6, seed+13), 0.8), Terrain
	}
}

// surfaceColor is an object's albedo at world point p, textured in the
// object's own frame so the pattern moves with it.
func surfaceColor(in *instance, p [3]float64, foot float64) [3]float64 {
	o := in.o
	q := sub(p, in.off)
	switch o.Tex {
	case Plain:
		return o.Color
	case Stripes:
		slat := coverage(math.Mod(q[2]+q[0]+1000, 2*o.TexScale), 0, o.TexScale, foot)
		return mix(scale3(o.Color, 0.55), o.Color, slat)
	case Windows:
		c := tint(o.Color, fbm(q[0], q[1], q[2], o.TexScale, foot, 5, o.Seed), 0.4)
		u := math.Mod(q[0]+q[2]+1000, 3.2)
		v := math.Mod(q[1], 3.4)
		win := coverage(u, 0.8, 2.2, foot) * coverage(v, 1.0, 2.6, foot)
		return mix(c, [3]float64{0.12, 0.15, 0.2}, 0.85*win)
	case Vehicle:
		c := tint(o.Color, fbm(q[0], q[1], q[2], o.TexScale, foot, 4, o.Seed), 0.3)
		band := coverage(q[1]-in.o.Min[1], 0.62*(o.Max[1]-o.Min[1]), 0.92*(o.Max[1]-o.Min[1]), foot)
		return mix(c, [3]float64{0.08, 0.1, 0.12}, 0.8*band)
	default:
		return tint(o.Color, fbm(q[0], q[1], q[2], o.TexScale, foot, 5, o.Seed), 0.7)
	}
}
