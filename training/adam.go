package training

import (
	"math"
	"sort"
	"strings"

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
	// Scale multiplies LR for the variables under a path prefix ("pose"
	// = every "pose.*" variable); the others use LR.
	Scale  map[string]float64
	names  []string
	params map[string]*ts.Tensor
	m, v   map[string]*ts.Tensor
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
//
// gotch v0.7.0's generated in-place ops (Zero_, Add_, …) replace the
// tensor's handle with a new one and never free the old handle, which
// keeps the old storage alive: on temporaries that leaked ~2× the model
// size per step. So the optimiser computes out of place and writes results
// back with Copy_ (hand-written in gotch, no handle swap).
func (a *Adam) ZeroGrad() {
	ps := make([]*ts.Tensor, len(a.names))
	for i, n := range a.names {
		ps[i] = a.params[n]
	}
	noGrad(func() { zeroGrads(ps) })
}

// Update applies one Adam step with bias correction.
func (a *Adam) Update() {
	a.Step++
	bc1 := 1 - math.Pow(a.Beta1, float64(a.Step))
	bc2 := 1 - math.Pow(a.Beta2, float64(a.Step))
	noGrad(func() {
		for _, n := range a.names {
			a.update(n, bc1, bc2)
		}
	})
}

func (a *Adam) update(n string, bc1, bc2 float64) {
	s := NewScope()
	defer s.Drop()
	p, m, v := a.params[n], a.m[n], a.v[n]
	g := s.T(p.MustGrad(false))
	if !g.MustDefined() {
		return // unused this step (e.g. a scale not in the loss)
	}
	mNew := s.T(s.T(m.MustMulScalar(s.F(a.Beta1), false)).MustAdd(s.T(g.MustMulScalar(s.F(1-a.Beta1), false)), false))
	gg := s.T(s.T(g.MustMul(g, false)).MustMulScalar(s.F(1-a.Beta2), false))
	vNew := s.T(s.T(v.MustMulScalar(s.F(a.Beta2), false)).MustAdd(gg, false))
	denom := s.T(s.T(s.T(vNew.MustSqrt(false)).MustDivScalar(s.F(math.Sqrt(bc2)), false)).MustAddScalar(s.F(a.Eps), false))
	upd := s.T(s.T(mNew.MustDiv(denom, false)).MustMulScalar(s.F(a.lr(n)/bc1), false))
	pNew := s.T(p.MustSub(upd, false))
	m.Copy_(mNew)
	v.Copy_(vNew)
	p.Copy_(pNew)
}

// lr is the learning rate of variable n.
func (a *Adam) lr(n string) float64 {
	for prefix, k := range a.Scale {
		if strings.HasPrefix(n, prefix+".") {
			return a.LR * k
		}
	}
	return a.LR
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

// Drop frees the moments.
func (a *Adam) Drop() {
	for _, n := range a.names {
		a.m[n].MustDrop()
		a.v[n].MustDrop()
	}
}
