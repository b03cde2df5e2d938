package synth

import "math"

// hash3 is a fast integer hash of a lattice point and a seed, in [0, 1).
func hash3(x, y, z int32, seed uint32) float64 {
	h := uint32(x)*0x8da6b343 ^ uint32(y)*0xd8163841 ^ uint32(z)*0xcb1ab31f ^ seed*0x165667b1
	h ^= h >> 13
	h *= 0x5bd1e995
	h ^= h >> 15
	return float64(h&0xffffff) / float64(1<<24)
}

func smooth(t float64) float64 { return t * t * (3 - 2*t) }

// valueNoise is smooth lattice noise in [0, 1) at a 3-D point.
func valueNoise(x, y, z float64, seed uint32) float64 {
	fx, fy, fz := math.Floor(x), math.Floor(y), math.Floor(z)
	ix, iy, iz := int32(fx), int32(fy), int32(fz)
	tx, ty, tz := smooth(x-fx), smooth(y-fy), smooth(z-fz)
	lerp := func(a, b, t float64) float64 { return a + (b-a)*t }
	c := func(dx, dy, dz int32) float64 { return hash3(ix+dx, iy+dy, iz+dz, seed) }
	x00 := lerp(c(0, 0, 0), c(1, 0, 0), tx)
	x10 := lerp(c(0, 1, 0), c(1, 1, 0), tx)
	x01 := lerp(c(0, 0, 1), c(1, 0, 1), tx)
	x11 := lerp(c(0, 1, 1), c(1, 1, 1), tx)
	return lerp(lerp(x00, x10, ty), lerp(x01, x11, ty), tz)
}

// fbm sums octaves of noise from wavelength base down, in [0, 1) around
// 0.5. Octaves whose wavelength is under two pixel footprints fade to their
// mean, so textures stay band-limited at every distance: no aliasing that
// would break photometric consistency between frames.
func fbm(x, y, z, base, footprint float64, octaves int, seed uint32) float64 {
	sum, norm, amp, wave := 0.0, 0.0, 0.5, base
	for o := range octaves {
		w := math.Min(1, math.Max(0, wave/(2*footprint)-1))
		n := 0.5
		if w > 0 {
			f := 1 / wave
			n = 0.5 + w*(valueNoise(x*f, y*f, z*f, seed+uint32(o)*101)-0.5)
		}
		sum += amp * n
		norm += amp
		amp *= 0.55
		wave *= 0.5
	}
	return sum / norm
}
