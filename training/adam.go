package training

import (
	"fmt"
	"math"
	"sort"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// Adam is the Adam optimiser over a VarStore's trainable variables. It is
// written here rather than taken from libtorch so that its moments can be
// saved with a checkpoint and a resumed run continues bit for bit.
type Adam struct {
	LR           float64
	Beta1, Beta2 float64
	Eps          float64
	Step         int64
	names        []string
	params       map[string]*ts.Tensor
	m, v         map[string]*ts.Tensor
}

// NewAdam makes an optimiser for the trainable variables in vs.
func NewAdam(vs *nn.VarStore, lr float64) *Adam {
	a := &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8,
		params: map[string]*ts.Tensor{}, m: map[string]*ts.Tensor{}, v: map[string]*ts.Tensor{}}
	for name, p := range vs.Variables() {
		if !p.MustRequiresGrad() {
			continue
		}
		p := p
		a.names = append(a.names, name)
		a.params[name] = &p
		a.m[name] = p.MustZerosLike(false)
		a.v[name] = p.MustZerosLike(false)
	}
	sort.Strings(a.names)
	return a
}

// ZeroGrad clears the gradients of all parameters.
func (a *Adam) ZeroGrad() {
	for _, n := range a.names {
		g := a.params[n].MustGrad(false)
		if g.MustDefined() {
			g.MustZero_()
		}
		g.MustDrop()
	}
}

// Update applies one Adam step with bias correction.
func (a *Adam) Update() {
	a.Step++
	bc1 := 1 - math.Pow(a.Beta1, float64(a.Step))
	bc2 := 1 - math.Pow(a.Beta2, float64(a.Step))
	s := NewScope()
	defer s.Drop()
	noGrad(func() {
		for _, n := range a.names {
			p, m, v := a.params[n], a.m[n], a.v[n]
			g := s.T(p.MustGrad(false))
			if !g.MustDefined() {
				continue // unused this step (e.g. a scale not in the loss)
			}
			m.MustLerp_(g, s.F(1-a.Beta1))
			v.MustMulScalar_(s.F(a.Beta2))
			v.MustAdd_(s.T(s.T(g.MustMul(g, false)).MustMulScalar(s.F(1-a.Beta2), false)))
			denom := s.T(v.MustSqrt(false))
			denom.MustDivScalar_(s.F(math.Sqrt(bc2)))
			denom.MustAddScalar_(s.F(a.Eps))
			upd := s.T(m.MustDiv(denom, false))
			upd.MustMulScalar_(s.F(a.LR / bc1))
			p.MustSub_(upd)
		}
		s.Drop()
	})
}

// State returns the moments by parameter name ("m/NAME", "v/NAME") for a
// checkpoint; the step count is saved separately.
func (a *Adam) State() map[string]*ts.Tensor {
	out := make(map[string]*ts.Tensor, 2*len(a.names))
	for _, n := range a.names {
		out["m/"+n], out["v/"+n] = a.m[n], a.v[n]
	}
	return out
}

// Restore loads moments saved by State; every parameter must be present
// with its shape.
func (a *Adam) Restore(state map[string]*ts.Tensor, step int64) error {
	for _, n := range a.names {
		for _, kind := range []string{"m/", "v/"} {
			src, ok := state[kind+n]
			if !ok {
				return fmt.Errorf("optimizer state lacks %s%s", kind, n)
			}
			dst := a.m[n]
			if kind == "v/" {
				dst = a.v[n]
			}
			if !equal(src.MustSize(), dst.MustSize()) {
				return fmt.Errorf("optimizer state %s%s: shape %v, parameter has %v", kind, n, src.MustSize(), dst.MustSize())
			}
			noGrad(func() { dst.Copy_(src) })
		}
	}
	a.Step = step
	return nil
}

// Drop frees the moments.
func (a *Adam) Drop() {
	for _, n := range a.names {
		a.m[n].MustDrop()
		a.v[n].MustDrop()
	}
}
