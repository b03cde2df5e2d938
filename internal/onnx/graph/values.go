package onnxgraph

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/proto"

	"github.com/xdistill/edge-depth/internal/onnx/pb"
)

// Dim is one dimension of a graph input or output: a fixed Size, or a
// symbolic Name (dim_param) for a size known only at run time, such as a
// calibration batch.
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

// Sym is a symbolic (dynamic) dimension.
func Sym(name string) Dim { return Dim{Name: name} }

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

// Input declares a graph input and returns its name.
func (m *Model) Input(name string, elem int32, dims []Dim) string {
	m.claim(name, "input")
	for _, d := range dims {
		if d.Name == "" && d.Size <= 0 {
			m.fail("input %q: dimension %d must be positive or symbolic", name, d.Size)
		}
	}
	m.Graph().Input = append(m.Graph().Input, valueInfo(name, elem, dims))
	return name
}

// Output declares value as a graph output with its type and shape. The
// value keeps its name; Rename it first to give the output a public name.
func (m *Model) Output(value string, elem int32, dims []Dim) {
	for _, o := range m.Graph().Output {
		if o.GetName() == value {
			m.fail("output %q declared twice", value)
		}
	}
	m.Graph().Output = append(m.Graph().Output, valueInfo(value, elem, dims))
}

// Float32Init adds a float32 initializer with the given shape (nil for a
// scalar) and returns its unique name. Data is stored as little-endian
// raw_data, the compact form every reader accepts.
func (m *Model) Float32Init(name string, dims []int64, data []float32) string {
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return m.rawInit(name, Float32, dims, len(data), raw)
}

// Int64Init adds an int64 initializer (shapes, pads, axes).
func (m *Model) Int64Init(name string, dims []int64, data []int64) string {
	raw := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return m.rawInit(name, Int64, dims, len(data), raw)
}

// Int8Init adds an int8 initializer (quantised weights, zero points).
func (m *Model) Int8Init(name string, dims []int64, data []int8) string {
	raw := make([]byte, len(data))
	for i, v := range data {
		raw[i] = byte(v)
	}
	return m.rawInit(name, Int8, dims, len(data), raw)
}

// Uint8Init adds a uint8 initializer (activation zero points).
func (m *Model) Uint8Init(name string, dims []int64, data []uint8) string {
	return m.rawInit(name, Uint8, dims, len(data), append([]byte{}, data...))
}

func (m *Model) rawInit(name string, elem int32, dims []int64, n int, raw []byte) string {
	name = m.Unique(name)
	if count(dims) != int64(n) {
		m.fail("initializer %q: shape %v holds %d values, got %d", name, dims, count(dims), n)
	}
	m.Graph().Initializer = append(m.Graph().Initializer, &onnxpb.TensorProto{
		Name: proto.String(name), DataType: proto.Int32(elem), Dims: append([]int64(nil), dims...), RawData: raw,
	})
	return name
}

// count is the number of elements of a shape; a scalar (no dims) holds one.
func count(dims []int64) int64 {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	return n
}

// elemSize is the byte size of the element types raw_data is checked for.
func elemSize(elem int32) int {
	switch elem {
	case Float32, Int32:
		return 4
	case Int64:
		return 8
	case Uint8, Int8:
		return 1
	}
	return 0
}
