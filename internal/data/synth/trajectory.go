package synth

import (
	"math"
	"math/rand/v2"
)

// camState is the camera at one frame: position, axes in the world and
// road coordinate.
type camState struct {
	pos              vec
	right, down, fwd vec
	s                float64
}

// trajectory drives along the ego lane about 1 m per frame (10 Hz) with
// smooth speed changes, a slow weave within the lane and a little pitch
// and roll; the heading follows the path's tangent.
func trajectory(r *rand.Rand, rd *road, frames int, height float64) []camState {
	v0, dv := 0.8+0.35*r.Float64(), 0.1+0.2*r.Float64()
	pv, pd, pp := 30+50*r.Float64(), 40+60*r.Float64(), 15+20*r.Float64()
	ph := [4]float64{}
	for i := range ph {
		ph[i] = 2 * math.Pi * r.Float64()
	}
	// Positions from frame −1 to frames, for central differences.
	s := make([]float64, frames+2)
	pos := make([]vec, frames+2)
	for i := range s {
		f := float64(i - 1)
		if i > 0 {
			s[i] = s[i-1] + v0*(1+dv*math.Sin(2*math.Pi*f/pv+ph[0]))
		} else {
			s[i] = -v0
		}
		d := laneCenter + 0.25*math.Sin(2*math.Pi*f/pd+ph[1])
		x, z, _ := rd.place(s[i], d)
		pos[i] = vec{x, -height, z}
	}
	cams := make([]camState, frames)
	for f := range cams {
		t := sub(pos[f+2], pos[f])
		yaw := math.Atan2(t[0], t[2])
		ff := float64(f)
		pitch := 0.006 * math.Sin(2*math.Pi*ff/pp+ph[2])
		roll := 0.004 * math.Sin(2*math.Pi*ff/(pp*1.7)+ph[3])
		c := camState{pos: pos[f+1], s: s[f+1]}
		c.right, c.down, c.fwd = rotate(yaw, pitch, roll, vec{1, 0, 0}), rotate(yaw, pitch, roll, vec{0, 1, 0}), rotate(yaw, pitch, roll, vec{0, 0, 1})
		cams[f] = c
	}
	return cams
}

// rotate applies roll about z, then pitch about x (positive: nose up),
// then yaw about y (positive: turn right).
func rotate(yaw, pitch, roll float64, v vec) vec {
	cr, sr := math.Cos(roll), math.Sin(roll)
	v = vec{cr*v[0] - sr*v[1], sr*v[0] + cr*v[1], v[2]}
	cp, sp := math.Cos(pitch), math.Sin(pitch)
	v = vec{v[0], cp*v[1] - sp*v[2], sp*v[1] + cp*v[2]}
	return yawRot(yaw, v)
}
