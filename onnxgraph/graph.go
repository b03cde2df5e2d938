// Package onnxgraph builds, saves and loads ONNX models on top of the
// generated onnxpb types. It is what the exporter and the INT8 calibrator
// write graphs with; it never imports gotch.
package onnxgraph

import (
	"encoding/binary"
	"fmt"
	"math"

	"google.golang.org/protobuf/proto"

	"github.com/xdistill/edge-depth/onnxpb"
)

// Element types used by this project.
const (
	Float32 = int32(onnxpb.TensorProto_FLOAT)
	Uint8   = int32(onnxpb.TensorProto_UINT8)
	Int8    = int32(onnxpb.TensorProto_INT8)
	Int64   = int32(onnxpb.TensorProto_INT64)
)

// Model is an ONNX model under construction.
type Model struct {
	Proto *onnxpb.ModelProto
	names map[string]int
}

// New starts a model with one graph at the given opset (13..17). The IR
// version is the one that opset shipped with: 7 for 13–14, 8 for 15–17.
func New(graphName string, opset int64) (*Model, error) {
	if opset < 13 || opset > 17 {
		return nil, fmt.Errorf("opset %d: supported range is 13..17", opset)
	}
	ir := int64(7)
	if opset >= 15 {
		ir = 8
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

// Unique returns base, or base_N when base was already handed out.
func (m *Model) Unique(base string) string {
	n := m.names[base]
	m.names[base] = n + 1
	if n == 0 {
		return base
	}
	return fmt.Sprintf("%s_%d", base, n)
}

// Dim is a tensor dimension: a size, or a symbolic name when Name is set.
type Dim struct {
	Size int64
	Name string
}

// Dims turns fixed sizes into Dims.
func Dims(sizes ...int64) []Dim {
	out := make([]Dim, len(sizes))
	for i, s := range sizes {
		out[i] = Dim{Size: s}
	}
	return out
}

func valueInfo(name string, elem int32, dims []Dim) *onnxpb.ValueInfoProto {
	shape := &onnxpb.TensorShapeProto{}
	for _, d := range dims {
		dim := &onnxpb.TensorShapeProto_Dimension{}
		if d.Name != "" {
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: d.Name}
		} else {
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: d.Size}
		}
		shape.Dim = append(shape.Dim, dim)
	}
	return &onnxpb.ValueInfoProto{
		Name: proto.String(name),
		Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{
			TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(elem), Shape: shape},
		}},
	}
}

// Input declares a graph input.
func (m *Model) Input(name string, elem int32, dims []Dim) string {
	m.names[name]++
	m.Graph().Input = append(m.Graph().Input, valueInfo(name, elem, dims))
	return name
}

// Output declares a graph output.
func (m *Model) Output(name string, elem int32, dims []Dim) {
	m.Graph().Output = append(m.Graph().Output, valueInfo(name, elem, dims))
}

// Float32Init adds a float32 initializer (raw little-endian data).
func (m *Model) Float32Init(name string, dims []int64, data []float32) string {
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return m.rawInit(name, Float32, dims, raw)
}

// Int64Init adds an int64 initializer.
func (m *Model) Int64Init(name string, dims []int64, data []int64) string {
	raw := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return m.rawInit(name, Int64, dims, raw)
}

// Int8Init adds an int8 initializer.
func (m *Model) Int8Init(name string, dims []int64, data []int8) string {
	raw := make([]byte, len(data))
	for i, v := range data {
		raw[i] = byte(v)
	}
	return m.rawInit(name, Int8, dims, raw)
}

// Uint8Init adds a uint8 initializer.
func (m *Model) Uint8Init(name string, dims []int64, data []uint8) string {
	return m.rawInit(name, Uint8, dims, append([]byte(nil), data...))
}

func (m *Model) rawInit(name string, elem int32, dims []int64, raw []byte) string {
	name = m.Unique(name)
	m.Graph().Initializer = append(m.Graph().Initializer, &onnxpb.TensorProto{
		Name: proto.String(name), DataType: proto.Int32(elem), Dims: append([]int64(nil), dims...), RawData: raw,
	})
	return name
}

// Node adds an operator; outputs get unique names derived from the op type.
// It returns the output names.
func (m *Model) Node(op string, inputs []string, nOutputs int, attrs ...*onnxpb.AttributeProto) []string {
	name := m.Unique(op)
	outs := make([]string, nOutputs)
	for i := range outs {
		outs[i] = m.Unique(fmt.Sprintf("%s_out%d", name, i))
	}
	m.Graph().Node = append(m.Graph().Node, &onnxpb.NodeProto{
		OpType: proto.String(op), Name: proto.String(name), Input: inputs, Output: outs, Attribute: attrs,
	})
	return outs
}

// Op adds a single-output operator and returns its output name.
func (m *Model) Op(op string, inputs []string, attrs ...*onnxpb.AttributeProto) string {
	return m.Node(op, inputs, 1, attrs...)[0]
}

// Rename makes the last producer of old write to new instead (to give a
// graph output its public name).
func (m *Model) Rename(old, new string) {
	for _, n := range m.Graph().Node {
		for i, o := range n.Output {
			if o == old {
				n.Output[i] = new
			}
		}
		for i, in := range n.Input {
			if in == old {
				n.Input[i] = new
			}
		}
	}
}
