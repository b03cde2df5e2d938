package training

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/training/data"
	"github.com/xdistill/edge-depth/training/distill"
)

func TestSplitSharesTheBatch(t *testing.T) {
	const b, h, w = 4, 2, 3
	hb := &data.HostBatch{B: b, H: h, W: w, Step: 7, K: make([]float32, 16*b), RelPose: make([]float32, 2*16*b), Labels: make([]int64, b*h*w)}
	for f := range 3 {
		hb.Net[f], hb.Loss[f] = make([]float32, b*3*h*w), make([]float32, b*3*h*w)
		for i := range hb.Net[f] {
			hb.Net[f][i], hb.Loss[f][i] = float32(i/(3*h*w)), -float32(i/(3*h*w)) // the sample index
		}
	}
	for i := range hb.K {
		hb.K[i] = float32(i / 16)
	}
	for i := range hb.RelPose {
		hb.RelPose[i] = float32(i / 16) // pair k, sample n → k·B + n
	}
	for i := range hb.Labels {
		if i%3 == 0 {
			hb.Labels[i] = distill.Ignore
		}
	}
	shares := hb.Split(2)
	if len(shares) != 2 {
		t.Fatalf("%d shares, want 2", len(shares))
	}
	for si, sh := range shares {
		if sh.B != 2 || sh.H != h || sh.W != w || sh.Step != 7 {
			t.Fatalf("share %d: B %d %dx%d step %d", si, sh.B, sh.W, sh.H, sh.Step)
		}
		for n := range 2 {
			want := float32(2*si + n)
			if got := sh.Net[1][n*3*h*w]; got != want || sh.Loss[2][n*3*h*w+5] != -want || sh.K[16*n+3] != want {
				t.Errorf("share %d sample %d holds batch sample %g, want %g", si, n, got, want)
			}
			for k := range 2 {
				if got := sh.RelPose[16*(k*2+n)]; got != float32(k*b)+want {
					t.Errorf("share %d pose %d of sample %d: %g, want %g", si, k, n, got, float32(k*b)+want)
				}
			}
		}
		if len(sh.Net[0]) != 2*3*h*w || len(sh.Labels) != 2*h*w || len(sh.RelPose) != 2*16*2 {
			t.Errorf("share %d sizes: %d %d %d", si, len(sh.Net[0]), len(sh.Labels), len(sh.RelPose))
		}
	}
	if v := shares[0].Valid + shares[1].Valid; v != 16 || shares[0].Valid != 8 {
		t.Errorf("valid pixels per share %d + %d, want 8 + 8", shares[0].Valid, shares[1].Valid)
	}
}

// Two replicas' step must leave exactly the mean of the two shares'
// gradients and BatchNorm statistics, each computed alone on a copy of the
// same start.
func TestParallelStepAveragesShares(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	was := Threads()
	SetThreads(1) // the replica's thread runs with 1 too: same arithmetic
	defer SetThreads(was)
	c := tinyConfig(t.TempDir(), 1)
	fresh := func() *Model {
		ManualSeed(3)
		m, err := NewModel(c.Model, cpuDevice)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	l := &data.Loader{Data: slideData{96, 64}, BatchSize: 4, Seed: 1}
	hb, err := l.Batch(0)
	if err != nil {
		t.Fatal(err)
	}
	lw := LossWeights{SSIM: 0.85, Smoothness: 1e-3, AutoMask: true}
	w := NewWarper(64, 96, cpuDevice)

	m := fresh()
	r, err := newReplica(c, 0, 64, 96, cpuDevice, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer r.stop()
	ManualSeed(11)
	if _, ok := parallelStep(m, w, []*replica{r}, hb, lw); !ok {
		t.Fatal("loss not finite")
	}

	s := NewScope()
	defer s.Drop()
	shares := hb.Split(2)
	ManualSeed(11)
	noise := tieNoise(s, shares, cpuDevice)
	alone := [2]*Model{fresh(), fresh()}
	for i, a := range alone {
		if _, ok := shareStep(a, w, shares[i], noise[i], lw); !ok {
			t.Fatal("loss not finite")
		}
	}
	got, a0, a1 := sortedVars(m), sortedVars(alone[0]), sortedVars(alone[1])
	var worst, spread float64
	for k, p := range got {
		x, y, z := p, a0[k], a1[k]
		if p.MustRequiresGrad() {
			x, y, z = s.T(p.MustGrad(false)), s.T(y.MustGrad(false)), s.T(z.MustGrad(false))
		}
		want := s.T(s.T(y.MustAdd(z, false)).MustDivScalar(s.F(2), false))
		worst = max(worst, maxAbsT(s, x, want))
		spread = max(spread, maxAbsT(s, y, z))
	}
	if spread == 0 {
		t.Fatal("the two shares gave identical gradients: the test cannot tell them apart")
	}
	t.Logf("max diff %g, share spread %g", worst, spread)
	if worst > 1e-6 {
		t.Errorf("parallel step differs from the mean of the shares by %g (shares differ by %g)", worst, spread)
	}
}

func maxAbsT(s *Scope, a, b *ts.Tensor) float64 {
	return s.T(s.T(s.T(a.MustSub(b, false)).MustAbs(false)).MustMax(false)).Float64Values()[0]
}

// With replicas the run is still reproducible: a resumed run ends bit for
// bit where an uninterrupted one does, and differs from a single copy's.
func TestReplicasResumeBitExact(t *testing.T) {
	cfg := func(dir string, steps, replicas int) (c config.Config) {
		c = tinyConfig(dir, steps)
		c.Train.BatchSize, c.Train.Replicas = 4, replicas
		return c
	}
	whole, err := train(t, context.Background(), cfg(filepath.Join(t.TempDir(), "whole"), 4, 2))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "split")
	if _, err := train(t, context.Background(), cfg(dir, 2, 2)); err != nil {
		t.Fatal(err)
	}
	resumed, err := train(t, context.Background(), cfg(dir, 4, 2))
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbs(weights(t, whole), weights(t, resumed)); d != 0 {
		t.Errorf("resumed run with 2 replicas differs from the uninterrupted one by max |Δw| %g", d)
	}
	single, err := train(t, context.Background(), cfg(filepath.Join(t.TempDir(), "single"), 4, 1))
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbs(weights(t, whole), weights(t, single)); d == 0 {
		t.Error("2 replicas trained exactly as 1: the shares are not in use")
	}
}
