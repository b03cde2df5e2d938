package matfile

import (
	"fmt"
	"math"
)

// Array classes (mxClassID) and flag bits of the array-flags subelement.
const (
	flagComplex = 0x0800
	flagLogical = 0x0200
)

var numericClass = map[uint32]string{
	6: "double", 7: "single", 8: "int8", 9: "uint8", 10: "int16", 11: "uint16",
	12: "int32", 13: "uint32", 14: "int64", 15: "uint64",
}

var otherClass = map[uint32]string{
	1: "a cell array", 2: "a struct", 3: "an object", 4: "a character array",
	5: "a sparse array", 16: "a function handle", 17: "an opaque object",
}

// matrix decodes an miMATRIX payload: array flags, dimensions, name, then
// the real part. ok is false when only names another variable.
func (d *decoder) matrix(buf []byte, at int, only *string) (v Var, ok bool, err error) {
	sub := subelements{d: d, buf: buf, at: at + 8}
	flags, err := sub.next(miUINT32, "array flags")
	if err == nil && len(flags) != 8 {
		err = fmt.Errorf("array flags are %d bytes, want 8", len(flags))
	}
	if err != nil {
		return Var{}, false, fmt.Errorf("matrix at offset %d: %w", at, err)
	}
	dimsRaw, err := sub.next(miINT32, "dimensions")
	if err != nil {
		return Var{}, false, fmt.Errorf("matrix at offset %d: %w", at, err)
	}
	name, err := sub.next(miINT8, "name")
	if err != nil {
		return Var{}, false, fmt.Errorf("matrix at offset %d: %w", at, err)
	}
	v.Name = string(name)
	if only != nil && *only != v.Name {
		return Var{}, false, nil
	}
	if v.Dims, err = d.dims(dimsRaw); err != nil {
		return Var{}, false, fmt.Errorf("variable %q: %w", v.Name, err)
	}
	if err := classify(&v, d.order.Uint32(flags)); err != nil {
		return Var{}, false, err
	}
	real, err := sub.numeric("real part")
	if err != nil {
		return Var{}, false, fmt.Errorf("variable %q: %w", v.Name, err)
	}
	if v.Data, err = d.toFloat64(real.typ, real.data, numel(v.Dims)); err != nil {
		return Var{}, false, fmt.Errorf("variable %q: %w", v.Name, err)
	}
	return v, true, nil
}

// classify sets v.Class from the array flags or refuses the class.
func classify(v *Var, flags uint32) error {
	class := flags & 0xff
	if what, ok := otherClass[class]; ok {
		return fmt.Errorf("variable %q is %s; only numeric arrays are supported", v.Name, what)
	}
	name, ok := numericClass[class]
	if !ok {
		return fmt.Errorf("variable %q has unknown array class %d", v.Name, class)
	}
	if flags&flagComplex != 0 {
		return fmt.Errorf("variable %q is complex; only real arrays are supported", v.Name)
	}
	if flags&flagLogical != 0 {
		name = "logical"
	}
	v.Class = name
	return nil
}

func (d *decoder) dims(raw []byte) ([]int, error) {
	if len(raw) < 8 || len(raw)%4 != 0 {
		return nil, fmt.Errorf("%d bytes of dimensions; need at least two int32", len(raw))
	}
	dims := make([]int, len(raw)/4)
	total := 1
	for i := range dims {
		n := int32(d.order.Uint32(raw[4*i:]))
		if n < 0 {
			return nil, fmt.Errorf("negative dimension %d", n)
		}
		dims[i] = int(n)
		if n != 0 && total > math.MaxInt32/int(n) {
			return nil, fmt.Errorf("dimensions %v are too large", dims[:i+1])
		}
		total *= int(n)
	}
	return dims, nil
}

func numel(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// subelements walks the elements inside a matrix payload.
type subelements struct {
	d   *decoder
	buf []byte
	at  int
}

type typed struct {
	typ  uint32
	data []byte
}

// next returns the next subelement, which must have type want.
func (s *subelements) next(want uint32, what string) ([]byte, error) {
	t, err := s.numeric(what)
	if err != nil {
		return nil, err
	}
	if t.typ != want {
		return nil, fmt.Errorf("%s has element type %d, want %d", what, t.typ, want)
	}
	return t.data, nil
}

// numeric returns the next subelement whatever its type.
func (s *subelements) numeric(what string) (typed, error) {
	if len(s.buf) == 0 {
		return typed{}, fmt.Errorf("%s missing (truncated matrix)", what)
	}
	typ, payload, rest, err := s.d.element(s.buf, s.at)
	if err != nil {
		return typed{}, fmt.Errorf("%s: %w", what, err)
	}
	s.at += len(s.buf) - len(rest)
	s.buf = rest
	return typed{typ, payload}, nil
}
