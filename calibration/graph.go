package calibration

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/onnx/pb"
)

// elemTypes infers the element type of every value in the graph from the
// inputs, initializers and the few ops that change type; every other op in
// a depth network keeps the type of its first input.
func elemTypes(g *onnxpb.GraphProto) map[string]int32 {
	types := map[string]int32{}
	for _, v := range g.Input {
		types[v.GetName()] = v.GetType().GetTensorType().GetElemType()
	}
	for _, t := range g.Initializer {
		types[t.GetName()] = t.GetDataType()
	}
	for _, n := range g.Node {
		var out int32
		switch n.GetOpType() {
		case "Cast":
			out = int32(attrInt(n, "to", 0))
		case "Shape", "NonZero":
			out = onnxgraph.Int64
		case "DequantizeLinear":
			out = onnxgraph.Float32
		case "QuantizeLinear":
			out = onnxgraph.Uint8
			if len(n.Input) > 2 && n.Input[2] != "" {
				out = types[n.Input[2]]
			}
		default:
			for _, in := range n.Input {
				if in != "" {
					out = types[in]
					break
				}
			}
		}
		for _, o := range n.Output {
			if o != "" {
				types[o] = out
			}
		}
	}
	return types
}

func attrInt(n *onnxpb.NodeProto, name string, def int64) int64 {
	for _, a := range n.Attribute {
		if a.GetName() == name {
			return a.GetI()
		}
	}
	return def
}

// activations lists the float tensors calibration measures, in graph
// order: float graph inputs and every float node output (Constant nodes'
// outputs are not activations).
func activations(g *onnxpb.GraphProto) []string {
	types := elemTypes(g)
	var out []string
	for _, v := range g.Input {
		if types[v.GetName()] == onnxgraph.Float32 && !isInitializer(g, v.GetName()) {
			out = append(out, v.GetName())
		}
	}
	for _, n := range g.Node {
		if n.GetOpType() == "Constant" {
			continue
		}
		for _, o := range n.Output {
			if o != "" && types[o] == onnxgraph.Float32 {
				out = append(out, o)
			}
		}
	}
	return out
}

func isInitializer(g *onnxpb.GraphProto, name string) bool {
	for _, t := range g.Initializer {
		if t.GetName() == name {
			return true
		}
	}
	return false
}

// expose returns a copy of the model whose graph outputs are the given
// tensors (after the original outputs, which stay first), serialised for
// ONNX Runtime. The added outputs declare float32 of unknown shape; ONNX
// Runtime infers the rest.
func expose(m *onnxgraph.Model, tensors []string) ([]byte, []string, error) {
	p := proto.Clone(m.Proto).(*onnxpb.ModelProto)
	g := p.Graph
	have := map[string]bool{}
	var names []string
	for _, o := range g.Output {
		have[o.GetName()] = true
		names = append(names, o.GetName())
	}
	for _, t := range tensors {
		if have[t] {
			continue
		}
		have[t] = true
		names = append(names, t)
		g.Output = append(g.Output, &onnxpb.ValueInfoProto{
			Name: proto.String(t),
			Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{
				TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(onnxgraph.Float32)},
			}},
		})
	}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(p)
	if err != nil {
		return nil, nil, fmt.Errorf("expose activations: %w", err)
	}
	return data, names, nil
}

// Layer is one quantizable operator: a Conv whose weight is a float
// initializer.
type Layer struct {
	Node   string // node name
	Weight string // weight initializer name (names the layer in reports)
	Bias   string // bias initializer name, "" if none
	Input  string // activation input
	Output string
}

// Name is how reports and --keep-fp32 refer to the layer: the weight's
// name without a trailing ".weight", which in an exported model is the
// PyTorch module path (encoder.layer1.0.conv1).
func (l Layer) Name() string {
	const suffix = ".weight"
	if n := len(l.Weight); n > len(suffix) && l.Weight[n-len(suffix):] == suffix {
		return l.Weight[:n-len(suffix)]
	}
	return l.Weight
}

// layers lists the model's quantizable layers in graph order.
func layers(g *onnxpb.GraphProto) []Layer {
	inits := map[string]*onnxpb.TensorProto{}
	for _, t := range g.Initializer {
		inits[t.GetName()] = t
	}
	var out []Layer
	for _, n := range g.Node {
		if n.GetOpType() != "Conv" || len(n.Input) < 2 {
			continue
		}
		w, ok := inits[n.Input[1]]
		if !ok || w.GetDataType() != onnxgraph.Float32 || len(w.GetDims()) != 4 {
			continue
		}
		l := Layer{Node: n.GetName(), Weight: n.Input[1], Input: n.Input[0], Output: n.Output[0]}
		if len(n.Input) > 2 && n.Input[2] != "" {
			b, ok := inits[n.Input[2]]
			if !ok || b.GetDataType() != onnxgraph.Float32 {
				continue // a computed bias: leave the layer in float
			}
			l.Bias = n.Input[2]
		}
		out = append(out, l)
	}
	return out
}
