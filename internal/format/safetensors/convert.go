package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Float32s decodes the values as float32. F16 and BF16 widen exactly, so a
// half-precision PyTorch file loads into our float32 networks; F64 would
// lose precision silently and is refused (use Float64s).
func (t Tensor) Float32s() ([]float32, error) {
	if err := t.checkLen(); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	out := make([]float32, t.Numel())
	switch t.DType {
	case "F32":
		for i := range out {
			out[i] = math.Float32frombits(le.Uint32(t.Data[4*i:]))
		}
	case "F16":
		for i := range out {
			out[i] = halfToFloat32(le.Uint16(t.Data[2*i:]))
		}
	case "BF16":
		for i := range out {
			// bfloat16 is the top half of a float32.
			out[i] = math.Float32frombits(uint32(le.Uint16(t.Data[2*i:])) << 16)
		}
	default:
		return nil, t.convErr("float32")
	}
	return out, nil
}

// Float64s decodes F64, or F32 widened.
func (t Tensor) Float64s() ([]float64, error) {
	if t.DType == "F32" {
		f, err := t.Float32s()
		if err != nil {
			return nil, err
		}
		out := make([]float64, len(f))
		for i, x := range f {
			out[i] = float64(x)
		}
		return out, nil
	}
	if err := t.checkLen(); err != nil {
		return nil, err
	}
	if t.DType != "F64" {
		return nil, t.convErr("float64")
	}
	out := make([]float64, t.Numel())
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(t.Data[8*i:]))
	}
	return out, nil
}

// Int64s decodes any integer or boolean dtype that fits an int64 exactly.
func (t Tensor) Int64s() ([]int64, error) {
	if err := t.checkLen(); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	out := make([]int64, t.Numel())
	for i := range out {
		switch t.DType {
		case "I64":
			out[i] = int64(le.Uint64(t.Data[8*i:]))
		case "I32":
			out[i] = int64(int32(le.Uint32(t.Data[4*i:])))
		case "U32":
			out[i] = int64(le.Uint32(t.Data[4*i:]))
		case "I16":
			out[i] = int64(int16(le.Uint16(t.Data[2*i:])))
		case "U16":
			out[i] = int64(le.Uint16(t.Data[2*i:]))
		case "I8":
			out[i] = int64(int8(t.Data[i]))
		case "U8", "BOOL":
			out[i] = int64(t.Data[i])
		default:
			return nil, t.convErr("int64")
		}
	}
	return out, nil
}

// checkLen guards the converters against a hand-built Tensor whose data
// does not match its shape; tensors from Read are already validated.
func (t Tensor) checkLen() error {
	size := DTypeSize(t.DType)
	if size == 0 {
		return fmt.Errorf("tensor %q: unknown dtype %q", t.Name, t.DType)
	}
	n, err := numel(t.Shape, size)
	if err != nil {
		return fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	if int64(len(t.Data)) != n*int64(size) {
		return fmt.Errorf("tensor %q: %d bytes of data, shape %v of %s needs %d", t.Name, len(t.Data), t.Shape, t.DType, n*int64(size))
	}
	return nil
}

func (t Tensor) convErr(to string) error {
	return fmt.Errorf("tensor %q: dtype %s cannot be read as %s", t.Name, t.DType, to)
}

// halfToFloat32 widens an IEEE 754 binary16 value exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf or NaN: keep the payload
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac·2^-24
		v := float32(frac) / (1 << 24)
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}
