package onnxgraph

import (
	"errors"
	"fmt"

	"github.com/xdistill/edge-depth/internal/onnx/pb"
)

// Validate checks what a builder can get wrong and ONNX Runtime would only
// report later, less clearly: a recorded builder mistake, a node input that
// nothing produced before it (ONNX wants nodes in topological order), a
// value produced twice, a graph output nobody produces, and initializer
// data that does not fit its shape. The outside judge for everything else
// is the onnx checker (internal/onnxcheck).
func (m *Model) Validate() error {
	if m.err != nil {
		return m.err
	}
	g := m.Graph()
	if g == nil {
		return errors.New("model has no graph")
	}
	defined := map[string]bool{}
	for _, v := range g.Input {
		defined[v.GetName()] = true
	}
	for _, t := range g.Initializer {
		if err := checkRaw(t); err != nil {
			return err
		}
		defined[t.GetName()] = true
	}
	for _, n := range g.Node {
		for _, in := range n.Input {
			if in != "" && !defined[in] {
				return fmt.Errorf("node %s (%s): input %q is not produced before it", n.GetName(), n.GetOpType(), in)
			}
		}
		for _, out := range n.Output {
			if out == "" {
				continue // an omitted optional output
			}
			if defined[out] {
				return fmt.Errorf("node %s (%s): output %q is already defined", n.GetName(), n.GetOpType(), out)
			}
			defined[out] = true
		}
	}
	for _, o := range g.Output {
		if !defined[o.GetName()] {
			return fmt.Errorf("graph output %q is not produced by any node or input", o.GetName())
		}
	}
	return nil
}

// checkRaw checks an initializer stored as raw_data against its shape.
func checkRaw(t *onnxpb.TensorProto) error {
	size := elemSize(t.GetDataType())
	if size == 0 || t.GetRawData() == nil {
		return nil
	}
	if want := count(t.GetDims()) * int64(size); int64(len(t.GetRawData())) != want {
		return fmt.Errorf("initializer %q: shape %v needs %d bytes, raw_data has %d (truncated?)",
			t.GetName(), t.GetDims(), want, len(t.GetRawData()))
	}
	return nil
}
