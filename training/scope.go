package training

import (
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// Float is the training dtype.
var Float = gotch.Float

var cpuDevice = gotch.CPU

// Scope owns the intermediate tensors (and scalars) of one pass. gotch
// v0.7.0 has no finalizers, so every libtorch object must be freed by hand;
// routing intermediates through a Scope frees them all in one Drop.
type Scope struct {
	tensors []*ts.Tensor
	scalars []*ts.Scalar
}

// NewScope returns an empty scope.
func NewScope() *Scope { return &Scope{} }

// T registers x with the scope and returns it.
func (s *Scope) T(x *ts.Tensor) *ts.Tensor {
	s.tensors = append(s.tensors, x)
	return x
}

// F returns a float scalar owned by the scope.
func (s *Scope) F(v float64) *ts.Scalar {
	sc := ts.FloatScalar(v)
	s.scalars = append(s.scalars, sc)
	return sc
}

// Drop frees everything registered since the scope was made (or last dropped).
func (s *Scope) Drop() {
	for _, x := range s.tensors {
		x.MustDrop()
	}
	for _, sc := range s.scalars {
		sc.MustDrop()
	}
	s.tensors, s.scalars = s.tensors[:0], s.scalars[:0]
}
