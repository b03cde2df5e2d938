package training

import (
	"fmt"
	"slices"
	"sort"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/format/safetensors"
)

// toCheckpoint copies named tensors to host checkpoint tensors (float32),
// sorted by name so the file is deterministic.
func toCheckpoint(named map[string]*ts.Tensor) []safetensors.Tensor {
	names := make([]string, 0, len(named))
	for n := range named {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]safetensors.Tensor, 0, len(names))
	for _, n := range names {
		x := named[n]
		host := x.MustTo(cpuDevice, false).MustContiguous(true).MustTotype(Float, true)
		v := host.Vals().([]float32)
		out = append(out, safetensors.F32(n, host.MustSize(), v))
		host.MustDrop()
	}
	return out
}

// fromCheckpoint copies every tensor of dst from f; a missing tensor or a
// shape mismatch is an error naming it (a checkpoint of another
// architecture is refused, not half-loaded).
func fromCheckpoint(dst map[string]*ts.Tensor, f *safetensors.File, what string) error {
	for name, x := range dst {
		src, err := f.Tensor(name)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if !slices.Equal(src.Shape, x.MustSize()) {
			return fmt.Errorf("%s: tensor %s has shape %v, the network has %v (another architecture?)", what, name, src.Shape, x.MustSize())
		}
		v, err := src.Float32s()
		if err != nil {
			return fmt.Errorf("%s: tensor %s: %w", what, name, err)
		}
		host := ts.MustOfSlice(v).MustView(src.Shape, true)
		noGrad(func() { x.Copy_(host) })
		host.MustDrop()
	}
	return nil
}

// Variables returns the model's variables (weights and batch-norm
// statistics) by name.
func (m *Model) Variables() map[string]*ts.Tensor { return variables(m.VS) }

func variables(vs *nn.VarStore) map[string]*ts.Tensor {
	out := map[string]*ts.Tensor{}
	for n, v := range vs.Variables() {
		v := v
		out[n] = &v
	}
	return out
}

// WeightTensors is the model's state for a checkpoint.
func (m *Model) WeightTensors() []safetensors.Tensor { return toCheckpoint(m.Variables()) }

// LoadWeights restores the model from checkpoint weights.
func (m *Model) LoadWeights(f *safetensors.File) error {
	return fromCheckpoint(m.Variables(), f, "weights "+f.Path)
}

// OptimizerTensors is the optimiser's state for a checkpoint.
func (a *Adam) OptimizerTensors() []safetensors.Tensor { return toCheckpoint(a.State()) }

// LoadOptimizer restores the optimiser's moments and step.
func (a *Adam) LoadOptimizer(f *safetensors.File, step int64) error {
	if err := fromCheckpoint(a.State(), f, "optimizer "+f.Path); err != nil {
		return err
	}
	a.Step = step
	return nil
}
