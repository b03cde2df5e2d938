package training

import (
	"math"
	"testing"

	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/pyref"
)

// Our own statement of Monodepth2's loss formulas, evaluated by PyTorch.
const lossReference = `
import torch, torch.nn.functional as F
x = torch.from_numpy(load("x")); y = torch.from_numpy(load("y"))
disp = torch.from_numpy(load("disp"))
def ssim(a, b):
    a = F.pad(a, (1,1,1,1), mode="reflect"); b = F.pad(b, (1,1,1,1), mode="reflect")
    mx, my = F.avg_pool2d(a, 3, 1), F.avg_pool2d(b, 3, 1)
    sx = F.avg_pool2d(a*a, 3, 1) - mx*mx
    sy = F.avg_pool2d(b*b, 3, 1) - my*my
    sxy = F.avg_pool2d(a*b, 3, 1) - mx*my
    n = (2*mx*my + 1e-4) * (2*sxy + 9e-4)
    d = (mx*mx + my*my + 1e-4) * (sx + sy + 9e-4)
    return torch.clamp((1 - n/d) / 2, 0, 1)
def photo(p, t):
    return 0.85*ssim(p, t).mean(1, True) + 0.15*(p - t).abs().mean(1, True)
def smooth(d, img):
    d = d / (d.mean((2, 3), True) + 1e-7)
    gx = (d[:, :, :, :-1] - d[:, :, :, 1:]).abs()
    gy = (d[:, :, :-1, :] - d[:, :, 1:, :]).abs()
    ix = (img[:, :, :, :-1] - img[:, :, :, 1:]).abs().mean(1, True)
    iy = (img[:, :, :-1, :] - img[:, :, 1:, :]).abs().mean(1, True)
    return (gx * torch.exp(-ix)).mean() + (gy * torch.exp(-iy)).mean()
save("ssim", ssim(x, y))
save("photo", photo(x, y))
save("smooth", smooth(disp, x).reshape(1))
# two sources and their identity errors: the per-pixel minimum of all four
r1, r2 = photo(y, x), photo(torch.flip(y, [3]), x)
i1, i2 = photo(torch.roll(y, 1, 2), x), photo(torch.roll(y, 2, 3), x)
save("minrep", torch.cat([i1, i2, r1, r2], 1).min(1, True)[0])
save("automask", (torch.cat([i1, i2, r1, r2], 1).argmin(1, True) >= 2).float())
`

func TestLossesMatchPyTorch(t *testing.T) {
	pyref.Require(t, "torch")
	x := randArray(1, 0, 1, 2, 3, 9, 13)
	y := randArray(2, 0, 1, 2, 3, 9, 13)
	disp := randArray(3, 0.01, 1, 2, 1, 9, 13)
	ref := pyref.Run(t, lossReference, map[string]pyref.Array{"x": x, "y": y, "disp": disp})

	s := NewScope()
	defer s.Drop()
	tx, ty, td := toTensor(s, x), toTensor(s, y), toTensor(s, disp)
	check := func(name string, got []float32, tol float64) {
		t.Helper()
		if d := pyref.MaxAbsDiff(t, got, ref[name].Data); d > tol {
			t.Errorf("%s: max |ours − PyTorch| = %.3g > %.1g", name, d, tol)
		} else {
			t.Logf("%s: max |ours − PyTorch| = %.2g", name, d)
		}
	}
	check("ssim", values(t, SSIM(s, tx, ty)), 1e-5)
	check("photo", values(t, Photometric(s, tx, ty, 0.85)), 1e-5)
	check("smooth", values(t, Smoothness(s, td, tx)), 1e-5)

	flipped := s.T(ty.MustFlip([]int64{3}, false))
	rolled1 := s.T(ty.MustRoll([]int64{1}, []int64{2}, false))
	rolled2 := s.T(ty.MustRoll([]int64{2}, []int64{3}, false))
	reproj := []*ts.Tensor{Photometric(s, ty, tx, 0.85), Photometric(s, flipped, tx, 0.85)}
	identity := []*ts.Tensor{Photometric(s, rolled1, tx, 0.85), Photometric(s, rolled2, tx, 0.85)}
	loss, mask := MinReprojection(s, reproj, identity)
	// The tie-breaking noise is 1e-5 in scale, so allow a few times that.
	check("minrep", values(t, loss), 5e-5)
	got := values(t, s.T(mask.MustTotype(Float, false)))
	want := ref["automask"].Data
	differ := 0
	for i := range got {
		if got[i] != want[i] {
			differ++
		}
	}
	if frac := float64(differ) / float64(len(got)); frac > 0.01 {
		t.Errorf("auto-mask differs from PyTorch on %.1f%% of pixels", 100*frac)
	}
}

// Hand-computed values on tiny inputs pin the formulas themselves.
func TestLossesByHand(t *testing.T) {
	s := NewScope()
	defer s.Drop()
	// Identical images: SSIM dissimilarity 0, photometric 0.
	x := toTensor(s, randArray(4, 0, 1, 1, 3, 4, 5))
	if m := maxOf(values(t, Photometric(s, x, x, 0.85))); m > 1e-6 {
		t.Errorf("photometric of identical images: %g, want 0", m)
	}
	// Constant images a and b: SSIM term = (1 − (2ab+c1)/(a²+b²+c1))/2.
	a := toTensor(s, constArray(0.2, 1, 1, 4, 4))
	b := toTensor(s, constArray(0.6, 1, 1, 4, 4))
	c1 := 1e-4
	ssimWant := (1 - (2*0.2*0.6+c1)/(0.04+0.36+c1)) / 2
	want := 0.85*ssimWant + 0.15*0.4
	// float32 cancellation in pool(x²) − μ² leaves ~2e-5 against c2 = 9e-4.
	for _, v := range values(t, Photometric(s, a, b, 0.85)) {
		if math.Abs(float64(v)-want) > 5e-5 {
			t.Fatalf("photometric of constants 0.2 vs 0.6: %g, want %g", v, want)
		}
	}
	// A horizontal disparity ramp (two equal rows) on a flat image: after
	// dividing by the mean 2.5 every x-step is 0.4 with weight exp(0) = 1,
	// and the y-steps are 0, so the loss is 0.4.
	ramp := pyref.Array{Shape: []int{1, 1, 2, 4}, Data: []float32{1, 2, 3, 4, 1, 2, 3, 4}}
	flat := toTensor(s, constArray(0.5, 1, 3, 2, 4))
	got := values(t, Smoothness(s, toTensor(s, ramp), flat))[0]
	if want := 0.4; math.Abs(float64(got)-want) > 1e-6 {
		t.Errorf("smoothness of ramp 1..4: %g, want %g", got, want)
	}
	// An image edge where the disparity steps discounts the step by exp(−Δ).
	edge := pyref.Array{Shape: []int{1, 3, 2, 4}}
	for range 3 {
		edge.Data = append(edge.Data, 0, 0, 1, 1, 0, 0, 1, 1)
	}
	step := pyref.Array{Shape: []int{1, 1, 2, 4}, Data: []float32{1, 1, 3, 3, 1, 1, 3, 3}}
	got = values(t, Smoothness(s, toTensor(s, step), toTensor(s, edge)))[0]
	if want := (1.0 / 3) * math.Exp(-1); math.Abs(float64(got)-want) > 1e-6 {
		t.Errorf("smoothness across an image edge: %g, want %g", got, want)
	}
}

func constArray(v float32, shape ...int) pyref.Array {
	a := randArray(0, 0, 0, shape...)
	for i := range a.Data {
		a.Data[i] = v
	}
	return a
}

func maxOf(v []float32) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, float64(x))
	}
	return m
}
