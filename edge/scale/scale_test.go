package scale

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/synth"
)

// relative turns the synthetic world's true depth into what a mono model
// gives: depth divided by an unknown factor, with multiplicative noise.
func relative(gt []float32, factor, noise float64, r *rand.Rand) []float32 {
	out := make([]float32, len(gt))
	for i, z := range gt {
		if math.IsInf(float64(z), 1) {
			out[i] = float32(synth.MaxDepth / factor) // sky: the model's far limit
			continue
		}
		out[i] = float32(float64(z) / factor * math.Exp(noise*r.NormFloat64()))
	}
	return out
}

// absRel is the mean |s·rel − gt| / gt over pixels with finite depth below 80 m.
func absRel(rel, gt []float32, s float64) float64 {
	var sum float64
	n := 0
	for i, z := range gt {
		if z > 0 && z < 80 {
			sum += math.Abs(s*float64(rel[i])-float64(z)) / float64(z)
			n++
		}
	}
	return sum / float64(n)
}

// The metric-scale contract: on synthetic driving frames, relative depth
// (truth ÷ an unknown factor, with 3 % per-pixel noise) becomes metric depth
// within 5 % once the scale comes from the ground plane, the camera height
// and the intrinsics. Both styles (different camera height and field of
// view), several drives, factors from 0.03 to 40.
func TestGroundPlaneRecoversMetricScale(t *testing.T) {
	const w, h, frames = 256, 96, 12
	r := rand.New(rand.NewPCG(3, 4))
	for _, style := range []synth.Style{synth.StyleDefault, synth.StyleShifted} {
		for drive, factor := range []float64{0.03, 1, 5.4, 40} {
			world := synth.NewWorld(synth.SequenceSeed(11, drive), style, frames, w, h)
			est, err := New(Config{Intr: world.Cam, Height: world.CamHeight})
			if err != nil {
				t.Fatal(err)
			}
			fr := synth.NewFrame(w, h)
			worst := 0.0
			for f := range frames {
				world.RenderInto(fr, f, 2)
				rel := relative(fr.Depth, factor, 0.03, r)
				s, ok, _ := est.Frame(rel)
				if !ok {
					t.Fatalf("%s drive %d frame %d: no scale", style, drive, f)
				}
				e := absRel(rel, fr.Depth, s)
				worst = math.Max(worst, e)
				if e > 0.05 {
					t.Errorf("%s drive %d frame %d (factor %g): abs rel %.3f after scale recovery (scale %.4g, true %.4g)",
						style, drive, f, factor, e, s, factor)
				}
			}
			s, _ := est.Smoothed()
			t.Logf("%s drive %d: factor %g, recovered %.4g (%.2f %% off), worst frame abs rel %.3f",
				style, drive, factor, s, 100*(s/factor-1), worst)
		}
	}
}

// Without ground in the lower image (a wall fills it) there is no
// estimate, and the smoothed scale keeps what good frames said.
func TestNoGroundGivesNoEstimate(t *testing.T) {
	world := synth.NewWorld(1, synth.StyleDefault, 3, 128, 64)
	est, err := New(Config{Intr: world.Cam, Height: world.CamHeight})
	if err != nil {
		t.Fatal(err)
	}
	wall := make([]float32, 128*64)
	for i := range wall {
		wall[i] = 4 // fronto-parallel: normal along z, not the ground
	}
	if _, err := est.Fit(wall); err != ErrTilted || !errors.Is(err, ErrNoGround) {
		t.Errorf("a wall: got %v, want ErrTilted (an ErrNoGround)", err)
	}
	if _, ok, err := est.Frame(wall); ok || err != ErrTilted {
		t.Errorf("no good frame yet: ok %v, %v; want false, ErrTilted", ok, err)
	}
	fr := world.Render(0, 2)
	s1, ok, err1 := est.Frame(fr.Depth)
	s2, ok2, err2 := est.Frame(wall)
	if !ok || !ok2 || err1 != nil || err2 != ErrTilted || s1 != s2 || math.Abs(s1-1) > 0.02 {
		t.Errorf("after one good frame: %g %v %v, then a wall: %g %v %v; want the same scale ≈ 1 held", s1, ok, err1, s2, ok2, err2)
	}
}

// Each way of missing the ground says why: no depth in the ground rows,
// or ground points scattered so that no plane explains enough of them.
func TestNoGroundReasons(t *testing.T) {
	world := synth.NewWorld(1, synth.StyleDefault, 3, 128, 64)
	est, err := New(Config{Intr: world.Cam, Height: world.CamHeight})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := est.Fit(make([]float32, 128*64)); err != ErrFewPoints || !errors.Is(err, ErrNoGround) {
		t.Errorf("no depth: got %v, want ErrFewPoints", err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	noise := make([]float32, 128*64)
	for i := range noise {
		noise[i] = 1 + 50*rng.Float32()
	}
	if _, err := est.Fit(noise); err != ErrFewInliers || !errors.Is(err, ErrNoGround) {
		t.Errorf("random depth: got %v, want ErrFewInliers", err)
	}
	if n := testing.AllocsPerRun(10, func() { est.Frame(noise) }); n != 0 {
		t.Errorf("a frame without ground allocates %g times", n)
	}
}

func TestConfigErrors(t *testing.T) {
	world := synth.NewWorld(1, synth.StyleDefault, 3, 128, 64)
	for _, c := range []Config{
		{Intr: world.Cam, Height: 0},
		{Intr: world.Cam, Height: 1, Top: 0.9, Bottom: 0.5},
		{Height: 1},
	} {
		if _, err := New(c); err == nil {
			t.Errorf("%+v: want an error", c)
		}
	}
	est, _ := New(Config{Intr: world.Cam, Height: 1})
	if _, err := est.Fit(make([]float32, 10)); err == nil {
		t.Error("wrong depth size: want an error")
	}
}

func TestFrameAllocatesNothing(t *testing.T) {
	world := synth.NewWorld(1, synth.StyleDefault, 3, 256, 96)
	est, _ := New(Config{Intr: world.Cam, Height: world.CamHeight})
	d := world.Render(1, 2).Depth
	if n := testing.AllocsPerRun(20, func() { est.Frame(d) }); n != 0 {
		t.Errorf("Frame allocates %g times per call", n)
	}
}

func BenchmarkFrame(b *testing.B) {
	for _, sz := range [][2]int{{256, 96}, {640, 192}} {
		world := synth.NewWorld(1, synth.StyleDefault, 3, sz[0], sz[1])
		est, _ := New(Config{Intr: world.Cam, Height: world.CamHeight})
		d := world.Render(1, 2).Depth
		b.Run(byName(sz), func(b *testing.B) {
			for range b.N {
				est.Frame(d)
			}
		})
	}
}

func byName(sz [2]int) string { return fmt.Sprintf("%dx%d", sz[0], sz[1]) }
