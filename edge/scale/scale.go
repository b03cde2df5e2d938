package scale

import (
	"errors"
	"fmt"
	"math"

	"github.com/xdistill/edge-depth/internal/data/camera"
)

// Config describes the camera and the search.
type Config struct {
	// Intrinsics at the depth map's size.
	Intr camera.Intrinsics
	// Height of the camera above the ground, metres.
	Height float64
	// Rows [Top, Bottom) of the image, as fractions of its height, where
	// the ground is looked for. Zero values: 0.6 and 0.98.
	Top, Bottom float64
	// MaxTilt is the largest angle (degrees) between the plane's normal and
	// the camera's down axis; 0: 30°.
	MaxTilt float64
	// Tolerance of a ground point's distance to the plane, as a fraction
	// of the camera height; 0: 0.05 (depth noise of 5 %).
	Tolerance float64
	// Window is how many recent per-frame estimates the smoothed scale is
	// the median of; 0: 9.
	Window int
}

const (
	maxPoints   = 4096 // sampled points per frame: enough for a stable fit
	iterations  = 64   // RANSAC hypotheses per frame
	minInliers  = 0.3  // share of sampled points a plane must explain
	minPoints   = 64
	minCosDepth = 1e-6
)

const defaultMaxTilt = 30 // degrees

// Estimator fits the ground plane. It keeps its buffers between frames and
// allocates nothing per frame. Not safe for concurrent use.
type Estimator struct {
	cfg    Config
	cosMax float64
	px     []float64 // sampled points, x, y, z interleaved
	rng    uint64
	recent []float64 // ring of recent estimates
	sorted []float64
	n, at  int
}

// New checks cfg and fills in defaults.
func New(cfg Config) (*Estimator, error) {
	if err := cfg.Intr.Validate(); err != nil {
		return nil, fmt.Errorf("ground-plane scale: intrinsics: %w", err)
	}
	if !(cfg.Height > 0) || math.IsInf(cfg.Height, 0) {
		return nil, fmt.Errorf("ground-plane scale: camera height %g m: want > 0", cfg.Height)
	}
	if cfg.Top == 0 && cfg.Bottom == 0 {
		cfg.Top, cfg.Bottom = 0.6, 0.98
	}
	if !(0 <= cfg.Top && cfg.Top < cfg.Bottom && cfg.Bottom <= 1) {
		return nil, fmt.Errorf("ground-plane scale: rows %g..%g: want 0 ≤ top < bottom ≤ 1", cfg.Top, cfg.Bottom)
	}
	if cfg.MaxTilt == 0 {
		cfg.MaxTilt = defaultMaxTilt
	}
	if cfg.Tolerance == 0 {
		cfg.Tolerance = 0.05
	}
	if cfg.Window == 0 {
		cfg.Window = 9
	}
	return &Estimator{cfg: cfg, cosMax: math.Cos(cfg.MaxTilt * math.Pi / 180),
		px: make([]float64, 0, 3*maxPoints), recent: make([]float64, cfg.Window), sorted: make([]float64, cfg.Window)}, nil
}

// Plane is a fitted ground plane n·P = D in the depth map's units, with n
// the unit normal pointing down (camera y is down).
type Plane struct {
	N       [3]float64
	D       float64
	Inliers float64 // share of sampled points within tolerance
}

// ErrNoGround is returned when the lower image holds no plane that could
// be the ground (an obstacle fills it, or the depth is unusable). Fit
// returns one of the reasons below, each of which is ErrNoGround.
var ErrNoGround = errors.New("no ground plane in the lower image")

// The reasons for ErrNoGround; fixed values, so a failing frame allocates
// nothing either.
var (
	ErrFewPoints  error = noGround(fmt.Sprintf("fewer than %d sampled pixels of the ground rows have a usable depth", minPoints))
	ErrTilted     error = noGround(fmt.Sprintf("every candidate plane was tilted more than %d° from level (Config.MaxTilt) or lay above the camera", defaultMaxTilt))
	ErrFewInliers error = noGround(fmt.Sprintf("no plane explains %.0f %% of the ground rows' points (an obstacle or an uneven depth map)", 100*minInliers))
)

type noGround string

func (e noGround) Error() string        { return "no ground plane: " + string(e) }
func (e noGround) Is(target error) bool { return target == ErrNoGround }

// Frame estimates the scale (metres per depth unit) of one depth map of
// the configured size and adds it to the smoothing window. It returns the
// smoothed scale, which holds the recent good frames' estimates through
// frames without ground; ok is false until some frame had a usable
// ground. err is why this frame had none (nil when it had one).
func (e *Estimator) Frame(depth []float32) (smoothed float64, ok bool, err error) {
	p, err := e.Fit(depth)
	if err == nil {
		e.add(e.cfg.Height / p.D)
	}
	smoothed, ok = e.Smoothed()
	return smoothed, ok, err
}

// Smoothed is the median of the recent per-frame estimates.
func (e *Estimator) Smoothed() (float64, bool) {
	if e.n == 0 {
		return 0, false
	}
	s := e.sorted[:e.n]
	copy(s, e.recent[:e.n])
	for i := 1; i < len(s); i++ { // insertion sort: the window is tiny
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

func (e *Estimator) add(v float64) {
	e.recent[e.at] = v
	e.at = (e.at + 1) % len(e.recent)
	e.n = min(e.n+1, len(e.recent))
}

// Fit finds the ground plane in one depth map (RANSAC over sampled points
// of the lower image, then least squares on the inliers).
func (e *Estimator) Fit(depth []float32) (Plane, error) {
	in := e.cfg.Intr
	if len(depth) != in.Width*in.Height {
		return Plane{}, fmt.Errorf("depth map has %d values, intrinsics are for %dx%d", len(depth), in.Width, in.Height)
	}
	e.sample(depth)
	n := len(e.px) / 3
	if n < minPoints {
		return Plane{}, ErrFewPoints
	}
	best, bestCount, candidates := Plane{}, 0, 0
	for range iterations {
		p, ok := e.hypothesis(n)
		if !ok {
			continue
		}
		candidates++
		if c := e.count(p); c > bestCount {
			best, bestCount = p, c
		}
	}
	if candidates == 0 {
		return Plane{}, ErrTilted
	}
	if float64(bestCount) < minInliers*float64(n) {
		return Plane{}, ErrFewInliers
	}
	p, ok := e.refine(best)
	if !ok {
		return Plane{}, ErrTilted
	}
	p.Inliers = float64(e.count(p)) / float64(n)
	return p, nil
}

// sample back-projects a regular grid of pixels of the ground rows with
// valid depth into camera coordinates.
func (e *Estimator) sample(depth []float32) {
	in := e.cfg.Intr
	y0 := int(e.cfg.Top * float64(in.Height))
	y1 := int(math.Ceil(e.cfg.Bottom * float64(in.Height)))
	rows, cols := y1-y0, in.Width
	step := max(1, int(math.Ceil(math.Sqrt(float64(rows*cols)/maxPoints))))
	e.px = e.px[:0]
	e.rng = 0x9e3779b97f4a7c15 // the same draws every frame: results are reproducible
	for v := y0 + step/2; v < y1; v += step {
		for u := step / 2; u < cols; u += step {
			z := float64(depth[v*cols+u])
			if !(z > minCosDepth) || math.IsInf(z, 0) || len(e.px) == cap(e.px) {
				continue
			}
			x, y, _ := in.Unproject(float64(u), float64(v), z)
			e.px = append(e.px, x, y, z)
		}
	}
}

func (e *Estimator) rand(n int) int {
	e.rng ^= e.rng << 13
	e.rng ^= e.rng >> 7
	e.rng ^= e.rng << 17
	return int(e.rng % uint64(n))
}

func (e *Estimator) point(i int) [3]float64 {
	return [3]float64{e.px[3*i], e.px[3*i+1], e.px[3*i+2]}
}

// hypothesis is the plane through three random points, if it could be
// the ground: tilted less than MaxTilt and below the camera.
func (e *Estimator) hypothesis(n int) (Plane, bool) {
	a, b, c := e.point(e.rand(n)), e.point(e.rand(n)), e.point(e.rand(n))
	u := [3]float64{b[0] - a[0], b[1] - a[1], b[2] - a[2]}
	v := [3]float64{c[0] - a[0], c[1] - a[1], c[2] - a[2]}
	nrm := [3]float64{u[1]*v[2] - u[2]*v[1], u[2]*v[0] - u[0]*v[2], u[0]*v[1] - u[1]*v[0]}
	return e.plane(nrm, a)
}

// plane normalises a normal through point a and applies the ground tests.
func (e *Estimator) plane(nrm, a [3]float64) (Plane, bool) {
	l := math.Sqrt(nrm[0]*nrm[0] + nrm[1]*nrm[1] + nrm[2]*nrm[2])
	if l == 0 || math.IsNaN(l) {
		return Plane{}, false
	}
	if nrm[1] < 0 {
		l = -l // point the normal down, along camera y
	}
	p := Plane{N: [3]float64{nrm[0] / l, nrm[1] / l, nrm[2] / l}}
	p.D = p.N[0]*a[0] + p.N[1]*a[1] + p.N[2]*a[2]
	return p, p.N[1] >= e.cosMax && p.D > 0
}

// count is the number of points within tolerance of p; the tolerance is
// relative to p's distance, since depth errors scale with depth.
func (e *Estimator) count(p Plane) int {
	tol := e.cfg.Tolerance * p.D
	c := 0
	for i := 0; i < len(e.px); i += 3 {
		if math.Abs(p.N[0]*e.px[i]+p.N[1]*e.px[i+1]+p.N[2]*e.px[i+2]-p.D) < tol {
			c++
		}
	}
	return c
}

// refine fits y = a·x + b·z + c to p's inliers by least squares: with the
// normal close to the y axis this form is well conditioned.
func (e *Estimator) refine(p Plane) (Plane, bool) {
	tol := e.cfg.Tolerance * p.D
	var m [3][3]float64
	var r [3]float64
	k := 0
	for i := 0; i < len(e.px); i += 3 {
		x, y, z := e.px[i], e.px[i+1], e.px[i+2]
		if math.Abs(p.N[0]*x+p.N[1]*y+p.N[2]*z-p.D) >= tol {
			continue
		}
		f := [3]float64{x, z, 1}
		for a := range 3 {
			for b := range 3 {
				m[a][b] += f[a] * f[b]
			}
			r[a] += f[a] * y
		}
		k++
	}
	s, ok := solve3(m, r)
	if k < 3 || !ok {
		return Plane{}, false
	}
	// y − a·x − b·z = c  ⇒  normal (−a, 1, −b), through (0, c, 0).
	return e.plane([3]float64{-s[0], 1, -s[1]}, [3]float64{0, s[2], 0})
}

// solve3 solves m·s = r by Cramer's rule.
func solve3(m [3][3]float64, r [3]float64) ([3]float64, bool) {
	det := func(a [3][3]float64) float64 {
		return a[0][0]*(a[1][1]*a[2][2]-a[1][2]*a[2][1]) - a[0][1]*(a[1][0]*a[2][2]-a[1][2]*a[2][0]) + a[0][2]*(a[1][0]*a[2][1]-a[1][1]*a[2][0])
	}
	d := det(m)
	if d == 0 || math.IsNaN(d) {
		return [3]float64{}, false
	}
	var s [3]float64
	for c := range 3 {
		a := m
		for row := range 3 {
			a[row][c] = r[row]
		}
		s[c] = det(a) / d
	}
	return s, true
}
