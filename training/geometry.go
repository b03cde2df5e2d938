package training

import (
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// Warper reconstructs a target view from a source image, given the target's
// depth, the camera intrinsics and the relative pose: backproject every
// target pixel to 3-D, move it into the source camera, project, and sample
// the source bilinearly (border padding).
type Warper struct {
	H, W   int64
	pix    *ts.Tensor // [1,3,H·W] homogeneous pixel coordinates (x, y, 1)
	ones   *ts.Tensor // [1,1,H·W]
	scale  *ts.Tensor // [2]: 2/(W−1), 2/(H−1), pixels → grid_sample's [-1, 1]
	levels []*Warper  // coarser sizes, made by Level on first use
}

// NewWarper precomputes the pixel grid for an H×W image on device.
func NewWarper(h, w int64, device gotch.Device) *Warper {
	n := h * w
	data := make([]float32, 3*n)
	for y := int64(0); y < h; y++ {
		for x := int64(0); x < w; x++ {
			i := y*w + x
			data[i], data[n+i], data[2*n+i] = float32(x), float32(y), 1
		}
	}
	pix := ts.MustOfSlice(data).MustView([]int64{1, 3, n}, true).MustTo(device, true)
	ones := ts.MustOnes([]int64{1, 1, n}, Float, device)
	scale := ts.MustOfSlice([]float32{2 / float32(w-1), 2 / float32(h-1)}).MustTo(device, true)
	return &Warper{H: h, W: w, pix: pix, ones: ones, scale: scale}
}

// Drop frees the precomputed grid.
func (w *Warper) Drop() {
	w.pix.MustDrop()
	w.ones.MustDrop()
	w.scale.MustDrop()
	for _, l := range w.levels {
		l.Drop()
	}
	w.levels = nil
}

// Level returns the warper of level sc of the image pyramid (the size
// divided by 2^sc; level 0 is w itself), made on first use. Like the rest
// of a Warper, not for concurrent use: each replica has its own.
func (w *Warper) Level(sc int) *Warper {
	for len(w.levels) < sc {
		n := len(w.levels) + 1
		w.levels = append(w.levels, NewWarper(w.H>>n, w.W>>n, w.pix.MustDevice()))
	}
	if sc == 0 {
		return w
	}
	return w.levels[sc-1]
}

// Downsample averages x [B,C,H,W] over 2^sc × 2^sc blocks: level sc of
// the image pyramid.
func Downsample(s *Scope, x *ts.Tensor, sc int) *ts.Tensor {
	if sc == 0 {
		return x
	}
	f := int64(1) << sc
	return s.T(x.MustAvgPool2d([]int64{f, f}, []int64{f, f}, []int64{0, 0}, false, true, nil, false))
}

// LevelIntrinsics returns K and K⁻¹ [B,4,4] for level sc of the pyramid.
// A level pixel averages f = 2^sc full pixels, so its centre x' maps to
// x = f·x' + (f−1)/2 at full size: K' = S·K and K'⁻¹ = K⁻¹·S⁻¹.
func LevelIntrinsics(s *Scope, K, invK *ts.Tensor, sc int) (*ts.Tensor, *ts.Tensor) {
	if sc == 0 {
		return K, invK
	}
	f := float32(int(1) << sc)
	o := (f - 1) / 2
	mat := func(v []float32) *ts.Tensor {
		return s.T(ts.MustOfSlice(v).MustView([]int64{4, 4}, true).MustTo(K.MustDevice(), true))
	}
	S := mat([]float32{1 / f, 0, -o / f, 0, 0, 1 / f, -o / f, 0, 0, 0, 1, 0, 0, 0, 0, 1})
	Sinv := mat([]float32{f, 0, o, 0, 0, f, o, 0, 0, 0, 1, 0, 0, 0, 0, 1})
	return s.T(S.MustMatmul(K, false)), s.T(invK.MustMatmul(Sinv, false))
}

// Backproject lifts depth [B,1,H,W] to camera points [B,4,H·W] with invK [B,4,4].
func (w *Warper) Backproject(s *Scope, depth, invK *ts.Tensor) *ts.Tensor {
	b := depth.MustSize()[0]
	rays := s.T(s.T(invK.MustNarrow(1, 0, 3, false)).MustNarrow(2, 0, 3, false))
	cam := s.T(rays.MustMatmul(w.pix, false))
	cam = s.T(cam.MustMul(s.T(depth.MustView([]int64{b, 1, w.H * w.W}, false)), false))
	ones := s.T(w.ones.MustExpand([]int64{b, 1, w.H * w.W}, false, false))
	return s.T(ts.MustCat([]ts.Tensor{*cam, *ones}, 1))
}

// Project maps camera points [B,4,H·W] through T [B,4,4] and K [B,4,4] to a
// sampling grid [B,H,W,2] normalised to [-1, 1] (align_corners=true).
func (w *Warper) Project(s *Scope, points, K, T *ts.Tensor) *ts.Tensor {
	b := points.MustSize()[0]
	P := s.T(s.T(K.MustMatmul(T, false)).MustNarrow(1, 0, 3, false))
	cam := s.T(P.MustMatmul(points, false))
	z := s.T(s.T(cam.MustNarrow(1, 2, 1, false)).MustAddScalar(s.F(1e-7), false))
	pix := s.T(s.T(cam.MustNarrow(1, 0, 2, false)).MustDiv(z, false))
	pix = s.T(s.T(pix.MustView([]int64{b, 2, w.H, w.W}, false)).MustPermute([]int64{0, 2, 3, 1}, false))
	// x/(W-1)·2−1 and y/(H-1)·2−1, as one multiply and one subtract.
	grid := s.T(s.T(pix.MustMul(w.scale, false)).MustSubScalar(s.F(1), false))
	// Points at the camera plane project to ±inf or NaN, which crash
	// libtorch 1.13's grid_sampler backward (it indexes out of bounds).
	// Everything beyond ±1 samples the border with zero gradient anyway,
	// so ±2 changes neither values nor gradients.
	grid = s.T(grid.MustNanToNum([]float64{2}, []float64{2}, []float64{-2}, false))
	return s.T(grid.MustClamp(s.F(-2), s.F(2), false))
}

// GridSample reads src [B,C,H,W] at grid [B,H,W,2]: bilinear, border padding.
func GridSample(s *Scope, src, grid *ts.Tensor) *ts.Tensor {
	const bilinear, border = 0, 1
	return s.T(ts.MustGridSampler(src, grid, bilinear, border, true))
}

// Warp reconstructs the target view from src: depth is the target's depth.
func (w *Warper) Warp(s *Scope, src, depth, K, invK, T *ts.Tensor) *ts.Tensor {
	return GridSample(s, src, w.Project(s, w.Backproject(s, depth, invK), K, T))
}

// RotFromAxisAngle turns axis-angle vectors [B,3] into rotation matrices
// [B,4,4] (homogeneous) by Rodrigues' formula.
func RotFromAxisAngle(s *Scope, vec *ts.Tensor) *ts.Tensor {
	b := vec.MustSize()[0]
	// The 1e-12 under the root keeps the gradient finite at exactly no
	// rotation (a zero-initialised pose head starts there): d√x/dx is
	// infinite at 0, and ∞·0 = NaN would poison every weight.
	sq := s.T(s.T(vec.MustSquare(false)).MustSumDimIntlist([]int64{1}, true, Float, false))
	angle := s.T(s.T(sq.MustAddScalar(s.F(1e-12), false)).MustSqrt(false))
	axis := s.T(vec.MustDiv(s.T(angle.MustAddScalar(s.F(1e-7), false)), false))
	ca := s.T(s.T(angle.MustCos(false)).MustView([]int64{b}, false))
	sa := s.T(s.T(angle.MustSin(false)).MustView([]int64{b}, false))
	c := s.T(s.T(ca.MustNeg(false)).MustAddScalar(s.F(1), false))
	comp := func(i int64) *ts.Tensor { return s.T(s.T(axis.MustNarrow(1, i, 1, false)).MustView([]int64{b}, false)) }
	x, y, z := comp(0), comp(1), comp(2)
	mul := func(a, b *ts.Tensor) *ts.Tensor { return s.T(a.MustMul(b, false)) }
	add := func(a, b *ts.Tensor) *ts.Tensor { return s.T(a.MustAdd(b, false)) }
	sub := func(a, b *ts.Tensor) *ts.Tensor { return s.T(a.MustSub(b, false)) }
	xs, ys, zs := mul(x, sa), mul(y, sa), mul(z, sa)
	xC, yC, zC := mul(x, c), mul(y, c), mul(z, c)
	xyC, yzC, zxC := mul(x, yC), mul(y, zC), mul(z, xC)
	zero := s.T(ca.MustZerosLike(false))
	one := s.T(ca.MustOnesLike(false))
	rows := []ts.Tensor{
		*add(mul(x, xC), ca), *sub(xyC, zs), *add(zxC, ys), *zero,
		*add(xyC, zs), *add(mul(y, yC), ca), *sub(yzC, xs), *zero,
		*sub(zxC, ys), *add(yzC, xs), *add(mul(z, zC), ca), *zero,
		*zero, *zero, *zero, *one,
	}
	return s.T(s.T(ts.MustStack(rows, 1)).MustView([]int64{b, 4, 4}, false))
}

// TranslationMatrix makes homogeneous translations [B,4,4] from t [B,3].
func TranslationMatrix(s *Scope, t *ts.Tensor) *ts.Tensor {
	b := t.MustSize()[0]
	comp := func(i int64) *ts.Tensor { return s.T(s.T(t.MustNarrow(1, i, 1, false)).MustView([]int64{b}, false)) }
	zero := s.T(comp(0).MustZerosLike(false))
	one := s.T(zero.MustOnesLike(false))
	rows := []ts.Tensor{
		*one, *zero, *zero, *comp(0),
		*zero, *one, *zero, *comp(1),
		*zero, *zero, *one, *comp(2),
		*zero, *zero, *zero, *one,
	}
	return s.T(s.T(ts.MustStack(rows, 1)).MustView([]int64{b, 4, 4}, false))
}

// PoseMatrix builds the 4×4 transform from the pose net's outputs. With
// invert (a source frame earlier than the target), the motion is reversed:
// Rᵀ·T(−t) instead of T(t)·R, as in Monodepth2.
func PoseMatrix(s *Scope, axisangle, translation *ts.Tensor, invert bool) *ts.Tensor {
	R := RotFromAxisAngle(s, axisangle)
	t := translation
	if invert {
		R = s.T(R.MustTranspose(1, 2, false))
		t = s.T(t.MustNeg(false))
	}
	T := TranslationMatrix(s, t)
	if invert {
		return s.T(R.MustMatmul(T, false))
	}
	return s.T(T.MustMatmul(R, false))
}
