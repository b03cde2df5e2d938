package synth

import (
	"math"
	"math/rand/v2"
)

// Road cross-section, metres right (+) or left (−) of the centre line.
// Traffic keeps right: the ego lane is centred at +laneCenter.
const (
	laneCenter   = 1.75
	laneEdge     = 3.5 // solid line between lane and parking strip
	parkCenter   = 4.5
	roadHalf     = 5.5 // kerb
	sidewalkHalf = 8.0
)

// road is the centre line x = f(z), tabulated: gentle bends made of two
// long sine waves, so the heading changes by well under a degree per metre.
type road struct {
	z0, step float64
	x, slope []float64
}

const roadStep = 0.5

func newRoad(r *rand.Rand, z0, z1, amp float64) *road {
	type wave struct{ a, k, ph float64 }
	var waves [2]wave
	for i := range waves {
		lambda := 220 + 280*r.Float64()
		waves[i] = wave{a: amp * (0.4 + 0.6*r.Float64()) / float64(i+1), k: 2 * math.Pi / lambda, ph: 2 * math.Pi * r.Float64()}
	}
	n := int((z1-z0)/roadStep) + 2
	rd := &road{z0: z0, step: roadStep, x: make([]float64, n), slope: make([]float64, n)}
	for i := range n {
		z := z0 + float64(i)*roadStep
		for _, w := range waves {
			rd.x[i] += w.a * (math.Sin(w.k*z+w.ph) - math.Sin(w.ph)) // passes x = 0 at z = 0
			rd.slope[i] += w.a * w.k * math.Cos(w.k*z+w.ph)
		}
	}
	return rd
}

// at is the centre line's x and dx/dz at z.
func (rd *road) at(z float64) (x, slope float64) {
	f := (z - rd.z0) / rd.step
	i := int(f)
	i = min(max(i, 0), len(rd.x)-2)
	t := f - float64(i)
	return rd.x[i] + t*(rd.x[i+1]-rd.x[i]), rd.slope[i] + t*(rd.slope[i+1]-rd.slope[i])
}

// place is the world position and heading of the point d metres right of
// the centre line at road coordinate s (z of the centre-line point).
func (rd *road) place(s, d float64) (x, z, heading float64) {
	cx, sl := rd.at(s)
	h := math.Atan(sl)
	return cx + d*math.Cos(h), s - d*math.Sin(h), h
}

// lateral is how far right of the centre line world point (x, z) lies.
func (rd *road) lateral(x, z float64) float64 {
	cx, sl := rd.at(z)
	return (x - cx) / math.Sqrt(1+sl*sl)
}
