package npy

import (
	"fmt"
	"strings"
)

// The calls numpy's pickles make, each done in Go. ndarray.__reduce__
// gives _reconstruct(ndarray, (0,), b"b") followed by BUILD with the state
// (version, shape, dtype, is_fortran, data), where data is the raw bytes
// (in Fortran order if is_fortran), or for an object array a list of the
// elements (always in C order). With protocol 5 a
// contiguous array is _frombuffer(buffer, dtype, shape, order) instead. A
// dtype is dtype("f4", False, True) followed by BUILD with (version,
// byte order, subarray, names, fields, elsize, alignment, flags[, meta]).

// pending is an ndarray from _reconstruct awaiting its BUILD state.
type pending struct{ arr *Array }

// dtypeVal is a numpy dtype: typ as given to the constructor ("f4", "O8"),
// endian from its state ('<', '>', '|').
type dtypeVal struct{ typ, endian string }

// descr is the .npy-style type string, e.g. "<f4" or "|O".
func (d *dtypeVal) descr() string {
	if strings.HasPrefix(d.typ, "O") {
		return ObjectDType
	}
	return d.endian + d.typ
}

// call handles REDUCE and BUILD, the two opcodes that act on objects.
func (m *machine) call() error {
	switch m.op {
	case 'R': // REDUCE: callable(*args)
		v, err := m.popN(2)
		if err != nil {
			return err
		}
		fn, ok := v[0].(pyGlobal)
		if !ok {
			return m.errf("REDUCE calls %s, not a global", typeName(v[0]))
		}
		args, ok := v[1].(tuple)
		if !ok {
			return m.errf("REDUCE arguments are %s, not a tuple", typeName(v[1]))
		}
		res, err := m.invoke(allowedGlobals[fn.module+"."+fn.name], args)
		if err != nil {
			return m.errf("%s.%s: %v", fn.module, fn.name, err)
		}
		return m.push(res)
	case 'b': // BUILD: obj.__setstate__(state)
		state, err := m.pop()
		if err != nil {
			return err
		}
		obj, err := m.top()
		if err != nil {
			return err
		}
		switch o := obj.(type) {
		case *pending:
			err = o.build(state)
		case *dtypeVal:
			err = o.build(state)
		default:
			err = fmt.Errorf("cannot set the state of %s", typeName(obj))
		}
		if err != nil {
			return m.errf("BUILD: %v", err)
		}
		return nil
	}
	return m.errf("opcode not supported (not one numpy's array pickles use)")
}

func (m *machine) invoke(fn string, args tuple) (any, error) {
	switch fn {
	case "reconstruct":
		if len(args) != 3 || args[0] != (pyGlobal{"numpy", "ndarray"}) {
			return nil, fmt.Errorf("want (numpy.ndarray, shape, typecode), got %d arguments", len(args))
		}
		return &pending{}, nil
	case "dtype":
		if len(args) < 1 || len(args) > 3 {
			return nil, fmt.Errorf("want 1 to 3 arguments, got %d", len(args))
		}
		typ, ok := args[0].(string)
		if !ok {
			return nil, fmt.Errorf("type is %s, not a str", typeName(args[0]))
		}
		return &dtypeVal{typ: typ, endian: "="}, nil
	case "encode":
		if len(args) != 2 {
			return nil, fmt.Errorf("want (str, encoding), got %d arguments", len(args))
		}
		s, ok1 := args[0].(string)
		enc, ok2 := args[1].(string)
		if !ok1 || !ok2 || !isLatin1(enc) {
			return nil, fmt.Errorf("only (str, %q) is supported", "latin1")
		}
		b, err := latin1(s)
		return &pyBytes{b}, err
	case "frombuffer":
		return frombuffer(args)
	}
	return nil, fmt.Errorf("cannot be called")
}

func isLatin1(enc string) bool {
	switch strings.ToLower(strings.ReplaceAll(enc, "_", "-")) {
	case "latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1":
		return true
	}
	return false
}

func (d *dtypeVal) build(state any) error {
	t, ok := state.(tuple)
	if !ok || len(t) < 8 {
		return fmt.Errorf("dtype state is %s, want a tuple of 8 or 9", typeName(state))
	}
	if e, ok := t[1].(string); ok {
		d.endian = e
	} else {
		return fmt.Errorf("dtype byte order is %s, not a str", typeName(t[1]))
	}
	for i, what := range map[int]string{2: "subarray", 3: "field names", 4: "fields"} {
		if t[i] != (none{}) {
			return fmt.Errorf("dtype %s has %s: structured dtypes are not supported", d.typ, what)
		}
	}
	return nil
}

func (p *pending) build(state any) error {
	if p.arr != nil {
		return fmt.Errorf("the array already has its state")
	}
	t, ok := state.(tuple)
	if ok && len(t) == 5 { // versioned state; version 1 is the only one
		if t[0] != int64(1) {
			return fmt.Errorf("ndarray state version %v is not supported", t[0])
		}
		t = t[1:]
	}
	if !ok || len(t) != 4 {
		return fmt.Errorf("ndarray state is %s, want (version, shape, dtype, is_fortran, data)", typeName(state))
	}
	dt, ok := t[1].(*dtypeVal)
	if !ok {
		return fmt.Errorf("ndarray dtype is %s", typeName(t[1]))
	}
	fortran, err := truth(t[2])
	if err != nil {
		return err
	}
	arr, err := newArray(t[0], dt, fortran, t[3])
	p.arr = arr
	return err
}

// frombuffer is numpy's _frombuffer(buf, dtype, shape, order).
func frombuffer(args tuple) (any, error) {
	if len(args) != 4 {
		return nil, fmt.Errorf("want (buffer, dtype, shape, order), got %d arguments", len(args))
	}
	dt, ok := args[1].(*dtypeVal)
	if !ok {
		return nil, fmt.Errorf("dtype is %s", typeName(args[1]))
	}
	order, _ := args[3].(string)
	if order != "C" && order != "F" {
		return nil, fmt.Errorf("order is %v, want 'C' or 'F'", args[3])
	}
	if dt.descr() == ObjectDType {
		return nil, fmt.Errorf("object dtype cannot come from a buffer")
	}
	return newArray(args[2], dt, order == "F", args[0])
}

// newArray builds an array from a pickled shape, dtype, order and data:
// raw bytes, or a list of arrays for an object array.
func newArray(shapeVal any, dt *dtypeVal, fortran bool, data any) (*Array, error) {
	shape, err := shapeOf(shapeVal)
	if err != nil {
		return nil, err
	}
	n := product(shape)
	if n < 0 {
		return nil, fmt.Errorf("shape %v is too large", shape)
	}
	a := &Array{Shape: shape, DType: dt.descr()}
	if a.DType == ObjectDType {
		a.Data, err = objects(data, n)
	} else {
		a.DType, a.Data, err = numeric(data, n, a.DType)
	}
	if err != nil {
		return nil, err
	}
	// numpy lists an object array's elements in C order whatever its
	// order; only raw bytes follow the Fortran flag.
	if fortran && a.DType != ObjectDType {
		a.Data = toCOrder(a.Data, shape)
	}
	return a, nil
}

// releaseBytes is the size from which converted data bytes are dropped.
// Smaller ones are kept: CPython shares b"" and one-byte bytes objects,
// so the pickle may hand the same one to two arrays.
const releaseBytes = 4096

// numeric converts raw bytes; it returns the normalised dtype and values.
func numeric(data any, n int, descr string) (string, any, error) {
	descr, t, err := lookupDType(descr)
	if err != nil {
		return "", nil, err
	}
	b, ok := data.(*pyBytes)
	if !ok {
		return "", nil, fmt.Errorf("array data is %s, not bytes", typeName(data))
	}
	if b.b == nil {
		return "", nil, fmt.Errorf("array data bytes were already used by another array")
	}
	if n > len(b.b)/t.size || len(b.b) != n*t.size {
		return "", nil, fmt.Errorf("%d bytes of data for %d elements of %s", len(b.b), n, descr)
	}
	out := t.decode(b.b, n)
	if len(b.b) >= releaseBytes {
		b.b = nil // converted; let the raw bytes go while the rest loads
	}
	return descr, out, nil
}

func objects(data any, n int) ([]*Array, error) {
	l, ok := data.(*pyList)
	if !ok {
		return nil, fmt.Errorf("object array data is %s, not a list", typeName(data))
	}
	if len(l.items) != n {
		return nil, fmt.Errorf("object array holds %d elements, its shape needs %d", len(l.items), n)
	}
	out := make([]*Array, n)
	for i, v := range l.items {
		switch e := v.(type) {
		case *Array:
			out[i] = e
		case *pending:
			if e.arr == nil {
				return nil, fmt.Errorf("element %d is an array without its state", i)
			}
			out[i] = e.arr
		default:
			return nil, fmt.Errorf("element %d is %s; only arrays are supported inside object arrays", i, typeName(v))
		}
	}
	return out, nil
}

func shapeOf(v any) ([]int, error) {
	t, ok := v.(tuple)
	if !ok {
		return nil, fmt.Errorf("shape is %s, not a tuple", typeName(v))
	}
	shape := make([]int, len(t))
	for i, d := range t {
		n, ok := d.(int64)
		if !ok || n < 0 || n > int64(^uint(0)>>1) {
			return nil, fmt.Errorf("shape %v: dimensions must be non-negative integers", t)
		}
		shape[i] = int(n)
	}
	return shape, nil
}

// truth accepts True/False, or 0/1 from Python 2 pickles.
func truth(v any) (bool, error) {
	switch b := v.(type) {
	case bool:
		return b, nil
	case int64:
		if b == 0 || b == 1 {
			return b == 1, nil
		}
	}
	return false, fmt.Errorf("is_fortran is %v, not a bool", v)
}
