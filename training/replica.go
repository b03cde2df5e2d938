package training

import (
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/training/data"
)

// A replica is a second copy of the networks that computes one share of
// each batch's gradient on an OS thread of its own: data parallelism
// across a CPU's cores. A small model keeps one libtorch thread busy far
// better than it splits across several (two 1-thread halves outrun one
// 2-thread batch), so sharing out the batch is the faster way to use them.
//
// Each step the trainer copies its weights and BatchNorm statistics into
// the replicas, every copy runs forward and backward on its share, and the
// trainer averages gradients and statistics back into its own model. The
// order of every reduction is fixed, so a run stays reproducible and a
// resumed run continues bit for bit.
type replica struct {
	model  *Model
	warper *Warper
	jobs   chan shareJob
	done   chan shareResult
	vars   []*ts.Tensor // sortedVars(model), listed once
	params []*ts.Tensor // the trainable ones, for zeroing the gradients
}

type shareJob struct {
	hb    *data.HostBatch
	noise []*ts.Tensor
	lw    LossWeights
}

type shareResult struct {
	terms  Losses
	finite bool
}

// newReplica builds a copy of the networks the config describes and starts
// its thread with threads libtorch threads.
func newReplica(cfg config.Config, groups int, h, w int64, device gotch.Device, threads int) (*replica, error) {
	m, err := NewModel(cfg.Model, device)
	if err != nil {
		return nil, fmt.Errorf("replica: %w", err)
	}
	if groups > 0 {
		if err := m.AddTranslator(cfg.Distill, groups); err != nil {
			return nil, fmt.Errorf("replica: %w", err)
		}
	}
	r := &replica{model: m, warper: NewWarper(h, w, device), jobs: make(chan shareJob), done: make(chan shareResult), vars: sortedVars(m)}
	for _, p := range r.vars {
		if p.MustRequiresGrad() {
			r.params = append(r.params, p)
		}
	}
	go r.run(threads)
	return r, nil
}

// run serves jobs on one locked OS thread: libtorch's grad mode, thread
// count and error slot are per thread.
func (r *replica) run(threads int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	SetThreads(threads)
	defer r.warper.Drop()
	for j := range r.jobs {
		noGrad(func() { zeroGrads(r.params) })
		terms, finite := shareStep(r.model, r.warper, j.hb, j.noise, j.lw)
		r.done <- shareResult{terms, finite}
	}
}

// stop ends the replica's thread.
func (r *replica) stop() { close(r.jobs) }

// shareStep runs forward and backward of one share of a batch; false when
// its loss is not finite (no backward then).
func shareStep(m *Model, w *Warper, hb *data.HostBatch, noise []*ts.Tensor, lw LossWeights) (Losses, bool) {
	s := NewScope()
	defer s.Drop()
	b := Upload(s, hb, m.VS.Device())
	b.TieNoise = noise
	loss, _, terms := m.Forward(s, b, w, lw, true)
	if !finite(terms.Total) {
		return terms, false
	}
	loss.MustBackward()
	return terms, true
}

// parallelStep computes the gradient of hb in len(rs)+1 shares, share 0
// on the calling thread, and leaves the average in m's gradients; m's
// BatchNorm statistics become the shares' average too. m's gradients must
// be zero on entry.
func parallelStep(m *Model, w *Warper, rs []*replica, hb *data.HostBatch, lw LossWeights) (Losses, bool) {
	shares := hb.Split(len(rs) + 1)
	s := NewScope()
	defer s.Drop()
	mine := sortedVars(m)
	noGrad(func() {
		for _, r := range rs {
			copyVars(r.vars, mine)
			if m.Translator != nil {
				r.model.Translator.Detach, r.model.Translator.Weight = m.Translator.Detach, m.Translator.Weight
			}
		}
	})
	noise := make([][]*ts.Tensor, len(shares))
	if lw.AutoMask {
		noise = tieNoise(s, shares, m.VS.Device())
	}
	for i, r := range rs {
		r.jobs <- shareJob{hb: shares[i+1], noise: noise[i+1], lw: lw}
	}
	terms, ok := shareStep(m, w, shares[0], noise[0], lw)
	all := []Losses{terms}
	for _, r := range rs {
		res := <-r.done
		all = append(all, res.terms)
		ok = ok && res.finite
	}
	if ok {
		noGrad(func() { averageInto(mine, rs) })
	}
	return meanLosses(all), ok
}

// tieNoise draws the auto-mask's tie-breaking noise of every share here,
// in share order, so that the threads never race for libtorch's generator.
func tieNoise(s *Scope, shares []*data.HostBatch, device gotch.Device) [][]*ts.Tensor {
	noise := make([][]*ts.Tensor, len(shares))
	for i, sh := range shares {
		shape := []int64{int64(sh.B), 1, int64(sh.H), int64(sh.W)}
		noise[i] = []*ts.Tensor{s.T(ts.MustRandn(shape, Float, device)), s.T(ts.MustRandn(shape, Float, device))}
	}
	return noise
}

// averageInto replaces the gradients and BatchNorm statistics of mine
// (the trainer's sortedVars) by their mean over it and the replicas (each
// share's loss is a mean over its samples, so the mean of the shares'
// gradients is the batch's).
func averageInto(mine []*ts.Tensor, rs []*replica) {
	s := NewScope()
	defer s.Drop()
	n := s.F(float64(len(rs) + 1))
	for k, p := range mine {
		trainable := p.MustRequiresGrad()
		dst := p
		if trainable {
			if dst = s.T(p.MustGrad(false)); !dst.MustDefined() {
				continue // a part this step did not use (the pose net with gt_pose)
			}
		}
		sum := dst
		for _, r := range rs {
			x := r.vars[k]
			if trainable {
				x = s.T(x.MustGrad(false))
			}
			sum = s.T(sum.MustAdd(x, false))
		}
		dst.Copy_(s.T(sum.MustDivScalar(n, false)))
	}
}

// sortedVars lists a model's variables (trainable and BatchNorm
// statistics) in name order: the same order in every copy.
func sortedVars(m *Model) []*ts.Tensor {
	vars := m.Variables()
	names := slices.Sorted(maps.Keys(vars))
	out := make([]*ts.Tensor, len(names))
	for i, n := range names {
		out[i] = vars[n]
	}
	return out
}

func copyVars(dst, src []*ts.Tensor) {
	for i := range dst {
		dst[i].Copy_(src[i])
	}
}

// zeroGrads clears the gradients of ps (out of place and copied back: see
// Adam.ZeroGrad).
func zeroGrads(ps []*ts.Tensor) {
	for _, p := range ps {
		g := p.MustGrad(false)
		if g.MustDefined() {
			z := g.MustZerosLike(false)
			g.Copy_(z)
			z.MustDrop()
		}
		g.MustDrop()
	}
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func meanLosses(all []Losses) Losses {
	var m Losses
	for _, l := range all {
		m.Total += l.Total
		m.Photometric += l.Photometric
		m.Smoothness += l.Smoothness
		m.Distill += l.Distill
		m.MaskedFraction += l.MaskedFraction
	}
	n := float64(len(all))
	m.Total, m.Photometric, m.Smoothness, m.Distill, m.MaskedFraction = m.Total/n, m.Photometric/n, m.Smoothness/n, m.Distill/n, m.MaskedFraction/n
	return m
}
