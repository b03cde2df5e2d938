package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Tensor is one named array in a safetensors file. Data holds the values
// little-endian, C order (last dimension fastest), as the format stores them.
type Tensor struct {
	Name  string
	DType string
	Shape []int64
	Data  []byte
}

// dtypeSize is the element size of each safetensors dtype we accept. The
// converters below cover the ones our code produces; the rest can still be
// read, copied and written as raw bytes (e.g. a half-precision PyTorch file).
var dtypeSize = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

// DTypeSize returns the element size in bytes, or 0 for an unknown dtype.
func DTypeSize(dtype string) int { return dtypeSize[dtype] }

// numel is the element count, or an error on a negative dimension or an
// element count whose byte size would overflow.
func numel(shape []int64, elem int) (int64, error) {
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", shape)
		}
		if d != 0 && n > math.MaxInt64/int64(elem)/d {
			return 0, fmt.Errorf("shape %v is too large", shape)
		}
		n *= d
	}
	return n, nil
}

// Numel is the number of elements the shape holds (1 for a scalar), or -1
// for a negative or overflowing shape.
func (t Tensor) Numel() int64 {
	n, err := numel(t.Shape, 1)
	if err != nil {
		return -1
	}
	return n
}

// F32 builds a float32 tensor; the shape is copied.
func F32(name string, shape []int64, v []float32) Tensor {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return Tensor{Name: name, DType: "F32", Shape: cloneShape(shape), Data: b}
}

// F64 builds a float64 tensor.
func F64(name string, shape []int64, v []float64) Tensor {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return Tensor{Name: name, DType: "F64", Shape: cloneShape(shape), Data: b}
}

// I64 builds an int64 tensor (step counters, RNG state, index buffers).
func I64(name string, shape []int64, v []int64) Tensor {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
	}
	return Tensor{Name: name, DType: "I64", Shape: cloneShape(shape), Data: b}
}

// I32 builds an int32 tensor.
func I32(name string, shape []int64, v []int32) Tensor {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
	}
	return Tensor{Name: name, DType: "I32", Shape: cloneShape(shape), Data: b}
}

// U8 builds a uint8 tensor; the data is copied.
func U8(name string, shape []int64, v []uint8) Tensor {
	return Tensor{Name: name, DType: "U8", Shape: cloneShape(shape), Data: append([]byte{}, v...)}
}

func cloneShape(s []int64) []int64 { return append([]int64{}, s...) }
