package training

import (
	"slices"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/config"
)

func TestDepthAndPoseNetShapesAndGradients(t *testing.T) {
	vs := nn.NewVarStore(gotch.CPU)
	spec := EncoderSpec{Depth: 18, Width: 0.25}
	depth, err := NewDepthNet(vs.Root().Sub("depth"), DepthNetSpec{Encoder: spec, Padding: PadReflect, Scales: 4})
	if err != nil {
		t.Fatal(err)
	}
	pose, err := NewPoseNet(vs.Root().Sub("pose"), spec)
	if err != nil {
		t.Fatal(err)
	}
	s := NewScope()
	defer s.Drop()
	img := s.T(ts.MustRand([]int64{2, 3, 64, 96}, Float, gotch.CPU))
	disps := depth.Forward(s, img, true)
	for sc, d := range disps {
		want := []int64{2, 1, 64 >> sc, 96 >> sc}
		if got := d.MustSize(); !slices.Equal(got, want) {
			t.Errorf("scale %d disparity shape %v, want %v", sc, got, want)
		}
		v := values(t, d)
		if mn, mx := minOf(v), maxOf(v); mn <= 0 || mx >= 1 {
			t.Errorf("scale %d disparity in [%g, %g], want inside (0, 1)", sc, mn, mx)
		}
	}
	// The pose head starts at zero motion, so its input gets no gradient
	// until the head has moved; give it weights as one Adam step would.
	head := vs.Variables()["pose.decoder.pose_2.weight"]
	noGrad(func() { head.Copy_(s.T(s.T(head.MustRandnLike(false)).MustMulScalar(s.F(1e-3), false))) })
	aa, tr := pose.Forward(s, img, img, true)
	if !slices.Equal(aa.MustSize(), []int64{2, 3}) || !slices.Equal(tr.MustSize(), []int64{2, 3}) {
		t.Fatalf("pose shapes %v %v, want [2 3]", aa.MustSize(), tr.MustSize())
	}
	loss := s.T(s.T(disps[0].MustMean(Float, false)).MustAdd(s.T(tr.MustSum(Float, false)), false))
	loss.MustBackward()
	for _, name := range []string{"depth.encoder.conv1.weight", "depth.decoder.dispconv_0.conv.weight", "pose.decoder.pose_2.weight", "pose.encoder.layer4.1.conv2.weight"} {
		v, ok := vs.Variables()[name]
		if !ok {
			t.Fatalf("no variable %s", name)
		}
		g := v.MustGrad(false)
		n := g.MustAbs(false).MustSum(Float, true).Float64Values()[0]
		g.MustDrop()
		if !(n > 0) {
			t.Errorf("%s: zero gradient", name)
		}
	}
}

func TestEncoderRejectsBadSpecs(t *testing.T) {
	vs := nn.NewVarStore(gotch.CPU)
	for _, spec := range []EncoderSpec{{Depth: 34, Width: 1, Inputs: 3}, {Depth: 18, Width: 0, Inputs: 3}, {Depth: 18, Width: 2, Inputs: 3}} {
		if _, err := NewEncoder(vs.Root().Sub("e"), spec); err == nil {
			t.Errorf("%+v: want an error", spec)
		}
	}
}

func minOf(v []float32) float64 { return -maxOf(neg(v)) }

func neg(v []float32) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = -x
	}
	return out
}

func TestInitDepthSetsTheUntrainedDepth(t *testing.T) {
	mc := config.Default().Model
	mc.Width = 0.25
	s := NewScope()
	defer s.Drop()
	img := s.T(ts.MustRand([]int64{1, 3, 64, 96}, Float, gotch.CPU))
	median := func(initDepth float64) float64 {
		mc.InitDepth = initDepth
		m, err := NewModel(mc, gotch.CPU)
		if err != nil {
			t.Fatal(err)
		}
		_, depth := DispToDepth(s, m.Depth.Forward(s, img, false)[0], mc.MinDepth, mc.MaxDepth)
		v := values(t, depth)
		slices.Sort(v)
		return float64(v[len(v)/2])
	}
	if got := median(10); got < 5 || got > 20 {
		t.Errorf("init_depth 10: median depth %.3g, want about 10", got)
	}
	if got := median(0); got > 0.5 {
		t.Errorf("init_depth 0: median depth %.3g, want Monodepth2's ≈0.2", got)
	}
}

func TestPoseTranslationScale(t *testing.T) {
	vs := nn.NewVarStore(gotch.CPU)
	pose, err := NewPoseNet(vs.Root().Sub("pose"), EncoderSpec{Depth: 18, Width: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	s := NewScope()
	defer s.Drop()
	head := vs.Variables()["pose.decoder.pose_2.weight"]
	noGrad(func() { head.Copy_(s.T(head.MustRandnLike(false))) })
	img := s.T(ts.MustRand([]int64{1, 3, 64, 96}, Float, gotch.CPU))
	aa0, tr0 := pose.Forward(s, img, img, false)
	pose.TranslationScale = 1
	aa1, tr1 := pose.Forward(s, img, img, false)
	r, a0, a1 := values(t, tr0), values(t, aa0), values(t, aa1)
	for i, v := range values(t, tr1) {
		if d := float64(v) - 100*float64(r[i]); d*d > 1e-10*float64(v*v)+1e-14 {
			t.Errorf("translation[%d] %g at scale 1, want 100 × %g (scale 0.01)", i, v, r[i])
		}
		if a0[i] != a1[i] {
			t.Errorf("rotation[%d] changed with the translation scale: %g → %g", i, a0[i], a1[i])
		}
	}
}

func TestInitMotionStartsAtForwardMotion(t *testing.T) {
	mc := config.Default().Model
	mc.Width, mc.InitMotion, mc.PoseTranslationScale = 0.25, 0.8, 0.1
	m, err := NewModel(mc, gotch.CPU)
	if err != nil {
		t.Fatal(err)
	}
	s := NewScope()
	defer s.Drop()
	a := s.T(ts.MustRand([]int64{2, 3, 64, 96}, Float, gotch.CPU))
	b := s.T(ts.MustRand([]int64{2, 3, 64, 96}, Float, gotch.CPU))
	aa, tr := m.Pose.Forward(s, a, b, false)
	want := []float64{0, 0, -0.8}
	for i, v := range values(t, tr) {
		if d := float64(v) - want[i%3]; d*d > 1e-12 {
			t.Errorf("translation[%d] = %g, want %g", i, v, want[i%3])
		}
	}
	for i, v := range values(t, aa) {
		if v != 0 {
			t.Errorf("rotation[%d] = %g, want 0", i, v)
		}
	}
}
