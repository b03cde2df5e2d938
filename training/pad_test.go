package training

import (
	"testing"

	"github.com/sugarme/gotch/ts"
)

// The fast pad and box filter must equal libtorch's own ops, values and
// gradients, on odd sizes too.
func TestReflectPadAndBoxMatchLibtorch(t *testing.T) {
	s := NewScope()
	defer s.Drop()
	ManualSeed(3)
	x := s.T(ts.MustRandn([]int64{2, 3, 5, 7}, Float, cpuDevice))
	g := s.T(ts.MustRandn([]int64{2, 3, 5, 7}, Float, cpuDevice))
	run := func(fast bool) (out, grad *ts.Tensor) {
		xx := s.T(x.MustDetach(false).MustSetRequiresGrad(true, true))
		var y *ts.Tensor
		if fast {
			y = Box3(s, ReflectPad1(s, xx))
		} else {
			p := s.T(xx.MustReflectionPad2d([]int64{1, 1, 1, 1}, false))
			y = s.T(p.MustAvgPool2d([]int64{3, 3}, []int64{1, 1}, []int64{0, 0}, false, true, nil, false))
		}
		s.T(s.T(y.MustMul(g, false)).MustSum(Float, false)).MustBackward()
		return y, s.T(xx.MustGrad(false))
	}
	y1, g1 := run(true)
	y2, g2 := run(false)
	if d := maxAbsDiff(s, y1, y2); d > 1e-6 {
		t.Errorf("values differ by %g", d)
	}
	if d := maxAbsDiff(s, g1, g2); d > 1e-6 {
		t.Errorf("gradients differ by %g", d)
	}
	p1 := ReflectPad1(s, x)
	p2 := s.T(x.MustReflectionPad2d([]int64{1, 1, 1, 1}, false))
	if d := maxAbsDiff(s, p1, p2); d != 0 {
		t.Errorf("pad differs by %g", d)
	}
}
