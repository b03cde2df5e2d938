package npy

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Array is one numpy array. Data holds the values in C order (row-major)
// whatever the stored order, as a slice of the stored type: []float32
// ("<f4"), []float64 ("<f8"), []uint8 ("|u1"), []uint16 ("<u2"), []int32
// ("<i4"), []int64 ("<i8"), or, for an object array ("|O"), []*Array.
type Array struct {
	Shape []int
	DType string
	Data  any
}

// ObjectDType is the DType of an object array whose elements are arrays.
const ObjectDType = "|O"

// Len is the number of elements: the product of Shape (1 for a 0-d array).
func (a *Array) Len() int { return product(a.Shape) }

// Float32 returns the values as float32: Data itself for "<f4", otherwise a
// converted copy (float64 and 32/64-bit integers may round).
func (a *Array) Float32() ([]float32, error) {
	switch d := a.Data.(type) {
	case []float32:
		return d, nil
	case []float64:
		return convert[float32](d), nil
	case []uint8:
		return convert[float32](d), nil
	case []uint16:
		return convert[float32](d), nil
	case []int32:
		return convert[float32](d), nil
	case []int64:
		return convert[float32](d), nil
	}
	return nil, fmt.Errorf("dtype %s is not numeric", a.DType)
}

// Float64 returns the values as float64: Data itself for "<f8", otherwise
// a converted copy (exact except int64 beyond 2^53).
func (a *Array) Float64() ([]float64, error) {
	switch d := a.Data.(type) {
	case []float64:
		return d, nil
	case []float32:
		return convert[float64](d), nil
	case []uint8:
		return convert[float64](d), nil
	case []uint16:
		return convert[float64](d), nil
	case []int32:
		return convert[float64](d), nil
	case []int64:
		return convert[float64](d), nil
	}
	return nil, fmt.Errorf("dtype %s is not numeric", a.DType)
}

// Objects returns the elements of an object array in C order.
func (a *Array) Objects() ([]*Array, error) {
	if d, ok := a.Data.([]*Array); ok {
		return d, nil
	}
	return nil, fmt.Errorf("dtype %s is not an object array", a.DType)
}

type number interface {
	~float32 | ~float64 | ~uint8 | ~uint16 | ~int32 | ~int64
}

func convert[T, S number](src []S) []T {
	out := make([]T, len(src))
	for i, v := range src {
		out[i] = T(v)
	}
	return out
}

// dtype describes one supported numeric element type: its size and how to
// allocate a typed slice, which fill then converts into chunk by chunk, so
// the raw bytes and the values need not be held whole at once.
type dtype struct {
	size int
	make func(n int) any
}

func typed[T number](size int) dtype {
	return dtype{size, func(n int) any { return make([]T, n) }}
}

var dtypes = map[string]dtype{
	"<f4": typed[float32](4),
	"<f8": typed[float64](8),
	"|u1": typed[uint8](1),
	"<u2": typed[uint16](2),
	"<i4": typed[int32](4),
	"<i8": typed[int64](8),
}

var le = binary.LittleEndian

// fill converts the whole little-endian elements in raw into dst[at:].
// One plain loop per type: this is the hot path for large depth files.
func (dt dtype) fill(dst any, at int, raw []byte) {
	switch d := dst.(type) {
	case []float32:
		d = d[at : at+len(raw)/4]
		for i := range d {
			d[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
	case []float64:
		d = d[at : at+len(raw)/8]
		for i := range d {
			d[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		}
	case []uint8:
		copy(d[at:], raw)
	case []uint16:
		d = d[at : at+len(raw)/2]
		for i := range d {
			d[i] = le.Uint16(raw[2*i:])
		}
	case []int32:
		d = d[at : at+len(raw)/4]
		for i := range d {
			d[i] = int32(le.Uint32(raw[4*i:]))
		}
	case []int64:
		d = d[at : at+len(raw)/8]
		for i := range d {
			d[i] = int64(le.Uint64(raw[8*i:]))
		}
	}
}

// decode converts n elements held in raw.
func (dt dtype) decode(raw []byte, n int) any {
	s := dt.make(n)
	dt.fill(s, 0, raw[:n*dt.size])
	return s
}

// lookupDType normalises a numpy type string and finds its decoder. A
// one-byte type has no byte order, which numpy may spell '|', '<' or '>'.
func lookupDType(descr string) (string, dtype, error) {
	if len(descr) == 3 && descr[1:] == "u1" && (descr[0] == '<' || descr[0] == '>' || descr[0] == '=') {
		descr = "|u1"
	}
	if dt, ok := dtypes[descr]; ok {
		return descr, dt, nil
	}
	if len(descr) > 1 && descr[0] == '>' {
		return "", dtype{}, fmt.Errorf("dtype %q is big-endian, which is not supported (save it as %q)", descr, "<"+descr[1:])
	}
	return "", dtype{}, fmt.Errorf("dtype %q is not supported (want <f4, <f8, |u1, <u2, <i4 or <i8)", descr)
}

// product multiplies dims, or returns -1 if a dimension is negative or the
// product overflows an int.
func product(dims []int) int {
	n := 1
	for _, d := range dims {
		if d < 0 {
			return -1
		}
		if d != 0 && n > math.MaxInt/d {
			return -1
		}
		n *= d
	}
	return n
}

// fortranToC reorders n-dimensional data stored with the first index
// varying fastest into C order.
func fortranToC[T any](src []T, shape []int) []T {
	if len(shape) < 2 || len(src) == 0 {
		return src
	}
	dst := make([]T, len(src))
	// Strides of the Fortran layout, walked in C order with an odometer.
	fstride := make([]int, len(shape))
	s := 1
	for i, d := range shape {
		fstride[i] = s
		s *= d
	}
	idx := make([]int, len(shape))
	off := 0
	for c := range dst {
		dst[c] = src[off]
		for k := len(shape) - 1; k >= 0; k-- {
			idx[k]++
			off += fstride[k]
			if idx[k] < shape[k] {
				break
			}
			off -= idx[k] * fstride[k]
			idx[k] = 0
		}
	}
	return dst
}

// toCOrder reorders any supported Data slice from Fortran to C order.
func toCOrder(data any, shape []int) any {
	switch d := data.(type) {
	case []float32:
		return fortranToC(d, shape)
	case []float64:
		return fortranToC(d, shape)
	case []uint8:
		return fortranToC(d, shape)
	case []uint16:
		return fortranToC(d, shape)
	case []int32:
		return fortranToC(d, shape)
	case []int64:
		return fortranToC(d, shape)
	}
	panic(fmt.Sprintf("npy: toCOrder of %T", data))
}
