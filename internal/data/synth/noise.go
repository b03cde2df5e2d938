package synth

import (
	"math"
	"math/rand/v2"
)

// lattice holds the random values of 2-D value noise on a 256×256 torus;
// a fixed generator makes every run (and every machine) see the same one.
var lattice = func() *[1 << 16]float32 {
	r := rand.New(rand.NewPCG(0x1a771ce, 0xd157111))
	var t [1 << 16]float32
	for i := range t {
		t[i] = r.Float32() - 0.5
	}
	return &t
}()

// noise2 is smooth value noise in [-0.5, 0.5] with unit lattice spacing.
func noise2(x, y float64) float64 {
	fx, fy := math.Floor(x), math.Floor(y)
	ix, iy := int(fx)&255, int(fy)&255
	jx, jy := (ix+1)&255, (iy+1)<<8&0xff00
	iy <<= 8
	tx, ty := x-fx, y-fy
	tx, ty = tx*tx*(3-2*tx), ty*ty*(3-2*ty)
	a := float64(lattice[iy|ix]) + tx*float64(lattice[iy|jx]-lattice[iy|ix])
	b := float64(lattice[jy|ix]) + tx*float64(lattice[jy|jx]-lattice[jy|ix])
	return a + ty*(b-a)
}

// noise3 is 3-D value noise built from 2-D layers (for round shapes).
func noise3(x, y, z float64) float64 {
	fz := math.Floor(z)
	t := z - fz
	t = t * t * (3 - 2*t)
	a := noise2(x+fz*31.7, y+fz*57.3)
	b := noise2(x+(fz+1)*31.7, y+(fz+1)*57.3)
	return a + t*(b-a)
}

// Octaves are kept only while their wavelength spans at least two pixel
// footprints, fading out between four and two: textures stay band-limited
// at every distance, so a bilinear warp between frames reproduces them.
func octaveWeight(wave, foot float64) float64 {
	return clamp(wave/(2*foot)-1, 0, 1)
}

// gain is the amplitude ratio of successive octaves.
const gain = 0.55

// invNorm[n] scales a sum of n octaves to a standard deviation of about
// 0.25 (one octave of value noise alone has about 0.2).
var invNorm = func() (t [9]float64) {
	sum, amp := 0.0, 1.0
	for n := 1; n < len(t); n++ {
		sum += amp * amp
		amp *= gain
		t[n] = 1.25 / math.Sqrt(sum)
	}
	return t
}()

// fbm2 sums octaves of noise from wavelength base down: zero mean,
// standard deviation about 0.25; faded octaves contribute their mean (0).
func fbm2(x, y, base, foot float64, octaves int) float64 {
	sum, amp, wave := 0.0, 1.0, base
	for o := range octaves {
		w := octaveWeight(wave, foot)
		if w == 0 {
			break // finer octaves are faded too
		}
		f := 1 / wave
		sum += amp * w * noise2(x*f+float64(o)*19.1, y*f+float64(o)*7.3)
		amp *= gain
		wave *= 0.5
	}
	// Dividing by the full amplitude sum (not just the kept octaves) keeps
	// the contrast of coarse detail the same at every distance.
	return sum * invNorm[octaves]
}

// fbm3 is fbm2's 3-D counterpart.
func fbm3(p vec, base, foot float64, octaves int) float64 {
	sum, amp, wave := 0.0, 1.0, base
	for o := range octaves {
		w := octaveWeight(wave, foot)
		if w == 0 {
			break
		}
		f := 1 / wave
		sum += amp * w * noise3(p[0]*f+float64(o)*19.1, p[1]*f, p[2]*f+float64(o)*7.3)
		amp *= gain
		wave *= 0.5
	}
	return sum * invNorm[octaves]
}

// pulse is the fraction of a footprint of width foot around x covered by
// the bands [lo, hi) repeating with period: an exactly box-filtered
// pattern (lane dashes, windows, slats) that never aliases.
func pulse(x, period, lo, hi, foot float64) float64 {
	f := math.Max(foot, 1e-6)
	if f >= period {
		return (hi - lo) / period
	}
	return (bandIntegral(x+f/2, period, lo, hi) - bandIntegral(x-f/2, period, lo, hi)) / f
}

// bandIntegral is ∫₀ˣ of the indicator of the repeating bands.
func bandIntegral(x, period, lo, hi float64) float64 {
	n := math.Floor(x / period)
	r := x - n*period
	return n*(hi-lo) + clamp(r-lo, 0, hi-lo)
}

// band is pulse for a single band [lo, hi).
func band(x, lo, hi, foot float64) float64 {
	f := math.Max(foot, 1e-6)
	return clamp((math.Min(x+f/2, hi)-math.Max(x-f/2, lo))/f, 0, 1)
}
