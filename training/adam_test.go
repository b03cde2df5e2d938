package training

import (
	"bytes"
	"math"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/format/safetensors"
	"github.com/xdistill/edge-depth/internal/pyref"
)

const adamReference = `
import torch
p = torch.nn.Parameter(torch.from_numpy(load("p0")))
opt = torch.optim.Adam([p], lr=0.01)
for k in range(3):
    opt.zero_grad()
    loss = ((p - torch.from_numpy(load("target"))) ** 2 * (k + 1)).sum()
    loss.backward()
    opt.step()
save("p", p.detach())
`

func TestAdamMatchesPyTorch(t *testing.T) {
	pyref.Require(t, "torch")
	p0 := randArray(21, -1, 1, 4, 5)
	target := randArray(22, -1, 1, 4, 5)
	ref := pyref.Run(t, adamReference, map[string]pyref.Array{"p0": p0, "target": target})

	vs := nn.NewVarStore(gotch.CPU)
	p := vs.Root().MustZeros("p", []int64{4, 5})
	s := NewScope()
	defer s.Drop()
	noGrad(func() { p.Copy_(toTensor(s, p0)) })
	opt := NewAdam(vs, 0.01)
	defer opt.Drop()
	tgt := toTensor(s, target)
	for k := range 3 {
		opt.ZeroGrad()
		diff := s.T(p.MustSub(tgt, false))
		loss := s.T(s.T(s.T(diff.MustSquare(false)).MustMulScalar(s.F(float64(k+1)), false)).MustSum(Float, false))
		loss.MustBackward()
		opt.Update()
	}
	if d := pyref.MaxAbsDiff(t, values(t, p), ref["p"].Data); d > 1e-6 {
		t.Errorf("after 3 Adam steps: max |ours − torch.optim.Adam| = %.3g", d)
	}
	// Restoring saved moments (through the checkpoint format, as a resumed
	// run does) into a fresh optimiser reproduces them.
	fresh := NewAdam(vs, 0.01)
	defer fresh.Drop()
	if err := fresh.LoadOptimizer(encodeDecode(t, opt.OptimizerTensors()), opt.Step); err != nil {
		t.Fatal(err)
	}
	if d := pyref.MaxAbsDiff(t, values(t, fresh.State()["v/p"]), values(t, opt.State()["v/p"])); d != 0 || fresh.Step != 3 {
		t.Errorf("restored state differs by %g, step %d", d, fresh.Step)
	}
	bad := []safetensors.Tensor{safetensors.F32("m/p", []int64{2}, []float32{0, 0}), safetensors.F32("v/p", []int64{2}, []float32{0, 0})}
	if err := fresh.LoadOptimizer(encodeDecode(t, bad), 1); err == nil {
		t.Error("restoring mismatched state: want an error")
	}
}

// encodeDecode round-trips tensors through the safetensors format.
func encodeDecode(t *testing.T, tensors []safetensors.Tensor) *safetensors.File {
	t.Helper()
	var buf bytes.Buffer
	if err := safetensors.Encode(&buf, tensors, nil); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Decode(buf.Bytes(), "optimizer.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestAdamScalesThePoseNetsRate: Adam's first step moves every weight by
// about its learning rate, so a "pose.*" weight under Scale 3 moves 3× as
// far as a "depth.*" one; "poser.*" is not under "pose".
func TestAdamScalesThePoseNetsRate(t *testing.T) {
	vs := nn.NewVarStore(gotch.CPU)
	ps := map[string]*ts.Tensor{}
	for _, n := range []string{"depth", "pose", "poser"} {
		ps[n] = vs.Root().Sub(n).MustZeros("w", []int64{3})
	}
	opt := NewAdam(vs, 0.01)
	defer opt.Drop()
	opt.Scale = map[string]float64{"pose": 3}
	s := NewScope()
	defer s.Drop()
	var loss *ts.Tensor
	for _, p := range ps {
		loss = add(s, loss, s.T(p.MustSum(Float, false)))
	}
	opt.ZeroGrad()
	loss.MustBackward()
	opt.Update()
	want := map[string]float64{"depth": -0.01, "pose": -0.03, "poser": -0.01}
	for n, p := range ps {
		if got := float64(values(t, p)[0]); math.Abs(got-want[n]) > 1e-6 {
			t.Errorf("%s.w after one step: %.5f, want %.5f", n, got, want[n])
		}
	}
}
