package onnxgraph

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/xdistill/edge-depth/internal/onnx/pb"
)

// Element types used by this project (onnxpb.TensorProto_DataType values).
const (
	Float32 = int32(onnxpb.TensorProto_FLOAT)
	Uint8   = int32(onnxpb.TensorProto_UINT8)
	Int8    = int32(onnxpb.TensorProto_INT8)
	Int32   = int32(onnxpb.TensorProto_INT32)
	Int64   = int32(onnxpb.TensorProto_INT64)
)

// Supported opsets: 13 is the oldest TensorRT 8 on a Jetson takes well,
// 17 the newest Debian's onnx 1.12 checker knows.
const (
	MinOpset = 13
	MaxOpset = 17
)

// Model is an ONNX model being built or read.
type Model struct {
	Proto *onnxpb.ModelProto
	names map[string]int // every value and node name handed out
	err   error          // the first builder mistake
}

// IRVersion is the IR version released together with an opset: ONNX 1.8
// and 1.9 (opsets 13, 14) wrote IR 7; 1.10 to 1.12 (opsets 15 to 17) IR 8.
// A checker rejects a model whose opset is newer than its IR version.
func IRVersion(opset int64) (int64, error) {
	switch {
	case opset < MinOpset || opset > MaxOpset:
		return 0, fmt.Errorf("opset %d: supported range is %d..%d", opset, MinOpset, MaxOpset)
	case opset <= 14:
		return 7, nil
	default:
		return 8, nil
	}
}

// New starts a model with an empty graph at the given opset.
func New(graphName string, opset int64) (*Model, error) {
	ir, err := IRVersion(opset)
	if err != nil {
		return nil, err
	}
	return &Model{
		Proto: &onnxpb.ModelProto{
			IrVersion:    proto.Int64(ir),
			OpsetImport:  []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(opset)}},
			ProducerName: proto.String("xdistill"),
			Graph:        &onnxpb.GraphProto{Name: proto.String(graphName)},
		},
		names: map[string]int{},
	}, nil
}

// Graph is the model's graph.
func (m *Model) Graph() *onnxpb.GraphProto { return m.Proto.Graph }

// Opset is the default-domain opset version (0 if none is imported).
func (m *Model) Opset() int64 {
	for _, o := range m.Proto.OpsetImport {
		if o.GetDomain() == "" || o.GetDomain() == "ai.onnx" {
			return o.GetVersion()
		}
	}
	return 0
}

// Err is the first mistake made while building, or nil.
func (m *Model) Err() error { return m.err }

func (m *Model) fail(format string, args ...any) {
	if m.err == nil {
		m.err = fmt.Errorf(format, args...)
	}
}

// Unique returns base if no value or node has that name yet, else the
// first free base_N, and reserves it.
func (m *Model) Unique(base string) string {
	name := base
	for i := 1; m.names[name] > 0; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	m.names[name]++
	return name
}

// claim reserves an exact name chosen by the caller (a graph input, an
// output's public name); a name already in use is a mistake.
func (m *Model) claim(name, what string) {
	if name == "" {
		m.fail("%s with an empty name", what)
		return
	}
	if m.names[name] > 0 {
		m.fail("%s %q: name already used in the graph", what, name)
	}
	m.names[name]++
}

// Node adds an operator with nOutputs outputs, named after the node, and
// returns the output names. An empty input name is an omitted optional
// input, as ONNX allows.
func (m *Model) Node(op string, inputs []string, nOutputs int, attrs ...*onnxpb.AttributeProto) []string {
	name := m.Unique(op)
	outs := make([]string, nOutputs)
	for i := range outs {
		outs[i] = m.Unique(fmt.Sprintf("%s_out%d", name, i))
	}
	m.Graph().Node = append(m.Graph().Node, &onnxpb.NodeProto{
		OpType: proto.String(op), Name: proto.String(name),
		Input: append([]string(nil), inputs...), Output: outs, Attribute: attrs,
	})
	return outs
}

// Op adds a single-output operator and returns its output name.
func (m *Model) Op(op string, inputs []string, attrs ...*onnxpb.AttributeProto) string {
	return m.Node(op, inputs, 1, attrs...)[0]
}

// Rename gives a value a new name everywhere it is produced or used; it is
// how a node's output gets the public name of a graph output.
func (m *Model) Rename(old, new string) {
	if !m.produced(old) {
		m.fail("rename %q to %q: no node produces %q", old, new, old)
		return
	}
	m.claim(new, "rename target")
	for _, n := range m.Graph().Node {
		replace(n.Output, old, new)
		replace(n.Input, old, new)
	}
	for _, o := range m.Graph().Output {
		if o.GetName() == old {
			o.Name = proto.String(new)
		}
	}
}

// produced reports whether some node outputs value.
func (m *Model) produced(value string) bool {
	for _, n := range m.Graph().Node {
		for _, o := range n.Output {
			if o == value {
				return true
			}
		}
	}
	return false
}

func replace(list []string, old, new string) {
	for i, s := range list {
		if s == old {
			list[i] = new
		}
	}
}

// errNotModel marks data that does not decode as an ONNX model.
var errNotModel = errors.New("not an ONNX model")
