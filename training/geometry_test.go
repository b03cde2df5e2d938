package training

import (
	"math"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/pyref"
)

// Monodepth2's warping chain written out independently in PyTorch:
// pose from axis-angle (both directions), backprojection, projection and
// grid_sample with border padding.
const warpReference = `
import torch, torch.nn.functional as F
src = torch.from_numpy(load("src")); depth = torch.from_numpy(load("depth"))
K = torch.from_numpy(load("K")); aa = torch.from_numpy(load("aa")); tr = torch.from_numpy(load("t"))
B, _, H, W = src.shape
def rot(v):
    ang = torch.norm(v, 2, 1, True); ax = v / (ang + 1e-7)
    c, s = torch.cos(ang)[:, 0], torch.sin(ang)[:, 0]; C = 1 - c
    x, y, z = ax[:, 0], ax[:, 1], ax[:, 2]
    R = torch.zeros(v.shape[0], 4, 4); R[:, 3, 3] = 1
    R[:, 0, 0] = x*x*C + c; R[:, 0, 1] = x*y*C - z*s; R[:, 0, 2] = z*x*C + y*s
    R[:, 1, 0] = x*y*C + z*s; R[:, 1, 1] = y*y*C + c; R[:, 1, 2] = y*z*C - x*s
    R[:, 2, 0] = z*x*C - y*s; R[:, 2, 1] = y*z*C + x*s; R[:, 2, 2] = z*z*C + c
    return R
def pose(v, t, invert):
    R = rot(v)
    if invert: R, t = R.transpose(1, 2), -t
    T = torch.eye(4).repeat(v.shape[0], 1, 1); T[:, :3, 3] = t
    return R @ T if invert else T @ R
ys, xs = torch.meshgrid(torch.arange(H, dtype=torch.float32), torch.arange(W, dtype=torch.float32), indexing="ij")
pix = torch.stack([xs.flatten(), ys.flatten(), torch.ones(H*W)], 0)
for name, inv in (("fwd", False), ("inv", True)):
    T = pose(aa, tr, inv)
    save("pose_" + name, T)
    cam = torch.inverse(K)[:, :3, :3] @ pix * depth.view(B, 1, -1)
    cam = torch.cat([cam, torch.ones(B, 1, H*W)], 1)
    p = (K @ T)[:, :3, :] @ cam
    p = p[:, :2] / (p[:, 2:3] + 1e-7)
    grid = p.view(B, 2, H, W).permute(0, 2, 3, 1).clone()
    grid[..., 0] = grid[..., 0] / (W - 1) * 2 - 1
    grid[..., 1] = grid[..., 1] / (H - 1) * 2 - 1
    save("warp_" + name, F.grid_sample(src, grid, padding_mode="border", align_corners=True))
`

func TestWarpChainMatchesPyTorch(t *testing.T) {
	pyref.Require(t, "torch")
	const b, h, w = 2, 12, 20
	src := randArray(5, 0, 1, b, 3, h, w)
	depth := randArray(6, 2, 30, b, 1, h, w)
	K := pyref.Array{Shape: []int{b, 4, 4}}
	for range b {
		K.Data = append(K.Data, 0.58*w, 0, 0.5*w, 0, 0, 1.92*h, 0.5*h, 0, 0, 0, 1, 0, 0, 0, 0, 1)
	}
	aa := pyref.Array{Shape: []int{b, 3}, Data: []float32{0.01, -0.02, 0.005, -0.03, 0.01, 0.02}}
	tr := pyref.Array{Shape: []int{b, 3}, Data: []float32{0.1, -0.05, 0.8, -0.2, 0.02, -0.6}}
	ref := pyref.Run(t, warpReference, map[string]pyref.Array{"src": src, "depth": depth, "K": K, "aa": aa, "t": tr})

	s := NewScope()
	defer s.Drop()
	warper := NewWarper(h, w, gotch.CPU)
	defer warper.Drop()
	tK := toTensor(s, K)
	invK := s.T(tK.MustInverse(false))
	for _, c := range []struct {
		name   string
		invert bool
	}{{"fwd", false}, {"inv", true}} {
		T := PoseMatrix(s, toTensor(s, aa), toTensor(s, tr), c.invert)
		if d := pyref.MaxAbsDiff(t, values(t, T), ref["pose_"+c.name].Data); d > 1e-6 {
			t.Errorf("pose %s: max diff %.3g", c.name, d)
		}
		warped := warper.Warp(s, toTensor(s, src), toTensor(s, depth), tK, invK, T)
		d := pyref.MaxAbsDiff(t, values(t, warped), ref["warp_"+c.name].Data)
		t.Logf("warp %s: max |ours − PyTorch| = %.2g", c.name, d)
		if d > 1e-4 {
			t.Errorf("warp %s: max |ours − PyTorch| = %.3g > 1e-4", c.name, d)
		}
	}
}

// With identity pose every pixel maps to itself, so the warp returns the
// source exactly; a pure x-translation shifts by f·t/z pixels.
func TestWarpByHand(t *testing.T) {
	const h, w = 6, 9
	s := NewScope()
	defer s.Drop()
	warper := NewWarper(h, w, gotch.CPU)
	defer warper.Drop()
	src := randArray(8, 0, 1, 1, 1, h, w)
	depth := constArray(10, 1, 1, h, w)
	const fx = 20.0
	K := toTensor(s, pyref.Array{Shape: []int{1, 4, 4}, Data: []float32{fx, 0, 4, 0, 0, fx, 3, 0, 0, 0, 1, 0, 0, 0, 0, 1}})
	invK := s.T(K.MustInverse(false))
	zero := toTensor(s, pyref.Array{Shape: []int{1, 3}, Data: []float32{0, 0, 0}})
	id := PoseMatrix(s, zero, zero, false)
	same := warper.Warp(s, toTensor(s, src), toTensor(s, depth), K, invK, id)
	if d := pyref.MaxAbsDiff(t, values(t, same), src.Data); d > 1e-5 {
		t.Errorf("identity warp changed the image by %g", d)
	}
	// t_x = 0.5 m at z = 10 m with f = 20 px moves every point 1 px right.
	shift := toTensor(s, pyref.Array{Shape: []int{1, 3}, Data: []float32{0.5, 0, 0}})
	T := PoseMatrix(s, zero, shift, false)
	got := values(t, warper.Warp(s, toTensor(s, src), toTensor(s, depth), K, invK, T))
	for y := 0; y < h; y++ {
		for x := 0; x < w-1; x++ {
			if d := math.Abs(float64(got[y*w+x] - src.Data[y*w+x+1])); d > 1e-4 {
				t.Fatalf("pixel (%d,%d): got %g, want the source's (%d,%d) = %g", x, y, got[y*w+x], x+1, y, src.Data[y*w+x+1])
			}
		}
	}
}

// Exactly no motion (where a zero-initialised pose head starts) must give
// finite gradients, and a point on the camera plane must not produce a
// non-finite sampling grid (libtorch 1.13's grid_sampler backward then
// reads out of bounds and crashes the process).
func TestZeroMotionAndDegeneratePointsStayFinite(t *testing.T) {
	s := NewScope()
	defer s.Drop()
	vec := s.T(s.T(ts.MustZeros([]int64{2, 3}, Float, cpuDevice)).MustSetRequiresGrad(true, false))
	R := RotFromAxisAngle(s, vec)
	s.T(R.MustSum(Float, false)).MustBackward()
	for _, g := range values(t, s.T(vec.MustGrad(false))) {
		if math.IsNaN(float64(g)) || math.IsInf(float64(g), 0) {
			t.Fatalf("gradient at zero rotation is %g", g)
		}
	}
	w := NewWarper(4, 6, cpuDevice)
	defer w.Drop()
	pts := make([]float32, 4*24)
	for i := range 24 {
		pts[i], pts[24+i], pts[2*24+i], pts[3*24+i] = 1, 1, 0, 1 // z = 0: on the camera plane
	}
	points := s.T(ts.MustOfSlice(pts).MustView([]int64{1, 4, 24}, true))
	eye := s.T(s.T(ts.MustEye(4, Float, cpuDevice)).MustUnsqueeze(0, false))
	for _, v := range values(t, w.Project(s, points, eye, eye)) {
		if math.IsNaN(float64(v)) || v < -2 || v > 2 {
			t.Fatalf("grid value %g, want finite within ±2", v)
		}
	}
}

// A level pixel of the pyramid averages 2^n × 2^n full pixels, so a point
// that projects to full pixel x must project to level pixel x′ with
// x = 2^n·x′ + (2^n − 1)/2, and K′⁻¹ must undo K′.
func TestLevelIntrinsicsFollowThePixelCentres(t *testing.T) {
	s := NewScope()
	defer s.Drop()
	k := []float32{150, 0, 127.3, 0, 0, 140, 47.8, 0, 0, 0, 1, 0, 0, 0, 0, 1}
	K := toTensor(s, pyref.Array{Shape: []int{1, 4, 4}, Data: k})
	invK := s.T(K.MustInverse(false))
	point := []float64{1.3, -0.4, 6.5} // camera coordinates, metres
	fullX := float64(k[0])*point[0]/point[2] + float64(k[2])
	fullY := float64(k[5])*point[1]/point[2] + float64(k[6])
	for _, n := range []int{1, 2, 3} {
		Kl, invKl := LevelIntrinsics(s, K, invK, n)
		kl := values(t, Kl)
		x := float64(kl[0])*point[0]/point[2] + float64(kl[1])*point[1]/point[2] + float64(kl[2])
		y := float64(kl[5])*point[1]/point[2] + float64(kl[6])
		f := float64(int(1) << n)
		if math.Abs(f*x+(f-1)/2-fullX) > 1e-3 || math.Abs(f*y+(f-1)/2-fullY) > 1e-3 {
			t.Errorf("level %d: projects to (%.4f, %.4f), which is full pixel (%.4f, %.4f), want (%.4f, %.4f)",
				n, x, y, f*x+(f-1)/2, f*y+(f-1)/2, fullX, fullY)
		}
		id := values(t, s.T(Kl.MustMatmul(invKl, false)))
		for i, v := range id {
			want := float32(0)
			if i%5 == 0 {
				want = 1
			}
			if math.Abs(float64(v-want)) > 1e-5 {
				t.Fatalf("level %d: K′·K′⁻¹ entry %d = %g, want %g", n, i, v, want)
			}
		}
	}
}
