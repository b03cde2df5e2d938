package calibration

import (
	"fmt"
	"slices"

	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/onnx/pb"
)

// CheckModel loads path and refuses, before any work, a model that is not
// an xdistill-depth/1 export or whose graph contradicts its metadata:
// calibrating it would score or quantize the wrong tensor.
func CheckModel(path string) (*onnxgraph.Model, Input, error) {
	m, err := onnxgraph.Load(path)
	if err != nil {
		return nil, Input{}, err
	}
	in, err := checkModel(m)
	if err != nil {
		return nil, Input{}, fmt.Errorf("model %s: %w", path, err)
	}
	return m, in, nil
}

// checkModel compares the graph's image input and outputs with the
// exporter's metadata (the same contract edge-depth checks).
func checkModel(m *onnxgraph.Model) (Input, error) {
	meta, err := modelmeta.Parse(m.Metadata())
	if err != nil {
		return Input{}, err
	}
	in, err := inputOf(m)
	if err != nil {
		return Input{}, err
	}
	layout := modelmeta.LayoutNCHWFloat
	if in.Uint8 {
		layout = modelmeta.LayoutNHWCUint8
	}
	if in.Name != modelmeta.InputImage || in.W != meta.Width || in.H != meta.Height || layout != meta.Layout {
		return Input{}, fmt.Errorf("graph input %s is %dx%d %s, the metadata says %s %dx%d %s",
			in.Name, in.W, in.H, layout, modelmeta.InputImage, meta.Width, meta.Height, meta.Layout)
	}
	if !slices.Contains(meta.Outputs, in.Output) {
		return Input{}, fmt.Errorf("first graph output %q is not one the metadata lists (%v)", in.Output, meta.Outputs)
	}
	return in, checkOutputs(m, meta)
}

// checkOutputs wants every output the metadata lists as float32
// [N,1,H,W] at the metadata's size (N may be dynamic).
func checkOutputs(m *onnxgraph.Model, meta modelmeta.Meta) error {
	for _, name := range meta.Outputs {
		i := slices.IndexFunc(m.Graph().Output, func(v *onnxpb.ValueInfoProto) bool { return v.GetName() == name })
		if i < 0 {
			return fmt.Errorf("metadata lists output %q, the graph has none by that name", name)
		}
		tt := m.Graph().Output[i].GetType().GetTensorType()
		dims := tt.GetShape().GetDim()
		want := []int64{1, int64(meta.Height), int64(meta.Width)}
		ok := tt.GetElemType() == onnxgraph.Float32 && len(dims) == 4
		for k := 0; ok && k < 3; k++ {
			ok = dims[k+1].GetDimValue() == want[k]
		}
		if !ok {
			return fmt.Errorf("graph output %s is not float32 [N,1,%d,%d] as the metadata says (%d dims, element type %d)",
				name, meta.Height, meta.Width, len(dims), tt.GetElemType())
		}
	}
	return nil
}
