package npy

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"
)

// The pickle machine below runs the stack language of Python's pickle
// module for the opcodes numpy's object arrays use (protocols 2 to 5). It
// builds plain Go values; a call (REDUCE) is only ever one of the few numpy
// constructors in allowedGlobals, each implemented here in Go.

// pickleError is an error in the pickle stream; its message names the file.
type pickleError struct{ msg string }

func (e *pickleError) Error() string { return e.msg }

// Python values as the machine holds them. Python ints are int64, floats
// float64, str string, bool bool, None none{}; tuples are tuple.
type (
	none     struct{}
	pyBytes  struct{ b []byte } // bytes or bytearray; b is nil once an array took it
	pyList   struct{ items []any }
	pyDict   struct{ keys, vals []any }
	pyGlobal struct{ module, name string }
)

// allowedGlobals are the only callables a pickle may name: what numpy's
// ndarray and dtype reduce to, in the numpy 1.x and 2.x module spellings,
// and the codec call Python 3 uses for bytes in protocol 2.
var allowedGlobals = map[string]string{
	"numpy.core.multiarray._reconstruct":  "reconstruct",
	"numpy._core.multiarray._reconstruct": "reconstruct",
	"numpy.core.numeric._frombuffer":      "frombuffer",
	"numpy._core.numeric._frombuffer":     "frombuffer",
	"numpy.ndarray":                       "ndarray",
	"numpy.dtype":                         "dtype",
	"_codecs.encode":                      "encode",
}

// Limits that keep a hostile pickle from exhausting memory through
// structure rather than data.
const (
	maxLine  = 256 // GLOBAL module and name lines
	maxItems = 1 << 24
)

type machine struct {
	r     *counter
	start int64 // r.n at the first opcode
	avail int64 // bytes the stream may still hold
	name  string
	stack []any
	marks []int
	memo  map[uint32]any
	pos   int64 // offset of the current opcode
	op    byte
}

// unpickle runs the pickle in r (at most avail bytes) to STOP and returns
// the resulting value, with numpy arrays as *Array.
func unpickle(r *counter, avail int64, name string) (any, error) {
	m := &machine{r: r, start: r.n, avail: avail, name: name, memo: map[uint32]any{}}
	for {
		m.pos = r.n - m.start
		op, err := m.bytes(1)
		if err != nil {
			return nil, m.errf("truncated: the stream ends before STOP")
		}
		m.op = op[0]
		done, err := m.step()
		if err != nil {
			return nil, err
		}
		if done {
			return m.result()
		}
	}
}

func (m *machine) errf(format string, args ...any) error {
	return &pickleError{fmt.Sprintf("pickle in %s at byte %d (opcode 0x%02x): %s", m.name, m.pos, m.op, fmt.Sprintf(format, args...))}
}

// bytes reads n bytes, refusing lengths the stream cannot hold before
// allocating for them.
func (m *machine) bytes(n int64) ([]byte, error) {
	used := m.r.n - m.start
	if n < 0 || n > m.avail-used {
		return nil, fmt.Errorf("needs %d bytes but at most %d remain (truncated?)", n, max(m.avail-used, 0))
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(m.r, b); err != nil {
		return nil, short(err, fmt.Sprintf("a %d-byte argument", n))
	}
	return b, nil
}

// arg reads a fixed-size argument.
func (m *machine) arg(n int) ([]byte, error) {
	b, err := m.bytes(int64(n))
	if err != nil {
		return nil, m.errf("%v", err)
	}
	return b, nil
}

// counted reads a length of width bytes, then that many bytes.
func (m *machine) counted(width int) ([]byte, error) {
	l, err := m.arg(width)
	if err != nil {
		return nil, err
	}
	var n uint64
	switch width {
	case 1:
		n = uint64(l[0])
	case 4:
		n = uint64(binary.LittleEndian.Uint32(l))
	case 8:
		n = binary.LittleEndian.Uint64(l)
	}
	if n > math.MaxInt64 {
		return nil, m.errf("length %d is impossible", n)
	}
	b, err := m.bytes(int64(n))
	if err != nil {
		return nil, m.errf("%v", err)
	}
	return b, nil
}

func (m *machine) line() (string, error) {
	var b strings.Builder
	for b.Len() <= maxLine {
		c, err := m.arg(1)
		if err != nil {
			return "", err
		}
		if c[0] == '\n' {
			return b.String(), nil
		}
		b.WriteByte(c[0])
	}
	return "", m.errf("GLOBAL line longer than %d bytes", maxLine)
}

func (m *machine) push(v any) error {
	if len(m.stack) >= maxItems {
		return m.errf("stack deeper than %d", maxItems)
	}
	m.stack = append(m.stack, v)
	return nil
}

func (m *machine) pop() (any, error) {
	if len(m.stack) == 0 || len(m.marks) > 0 && len(m.stack) == m.marks[len(m.marks)-1] {
		return nil, m.errf("stack underflow")
	}
	v := m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	return v, nil
}

func (m *machine) top() (any, error) {
	if len(m.stack) == 0 || len(m.marks) > 0 && len(m.stack) == m.marks[len(m.marks)-1] {
		return nil, m.errf("stack underflow")
	}
	return m.stack[len(m.stack)-1], nil
}

// popMark pops everything above the last MARK.
func (m *machine) popMark() ([]any, error) {
	if len(m.marks) == 0 {
		return nil, m.errf("no MARK on the stack")
	}
	k := m.marks[len(m.marks)-1]
	m.marks = m.marks[:len(m.marks)-1]
	items := append([]any(nil), m.stack[k:]...)
	m.stack = m.stack[:k]
	return items, nil
}

func (m *machine) popN(n int) ([]any, error) {
	items := make([]any, n)
	for i := n - 1; i >= 0; i-- {
		v, err := m.pop()
		if err != nil {
			return nil, err
		}
		items[i] = v
	}
	return items, nil
}

func (m *machine) global(module, name string) error {
	full := module + "." + name
	if _, ok := allowedGlobals[full]; !ok {
		return &pickleError{fmt.Sprintf("pickle in %s calls GLOBAL %s: not allowed (only numpy array reconstruction is)", m.name, full)}
	}
	return m.push(pyGlobal{module, name})
}

func (m *machine) memoize(key uint32) error {
	v, err := m.top()
	if err != nil {
		return err
	}
	if len(m.memo) >= maxItems {
		return m.errf("memo larger than %d", maxItems)
	}
	m.memo[key] = v
	return nil
}

func (m *machine) get(key uint32) error {
	v, ok := m.memo[key]
	if !ok {
		return m.errf("memo key %d was never stored", key)
	}
	return m.push(v)
}

// result checks the stack after STOP.
func (m *machine) result() (any, error) {
	if len(m.stack) != 1 || len(m.marks) != 0 {
		return nil, m.errf("STOP with %d values and %d marks on the stack, want one value", len(m.stack), len(m.marks))
	}
	v := m.stack[0]
	if p, ok := v.(*pending); ok {
		if p.arr == nil {
			return nil, m.errf("the array was never given its state (BUILD)")
		}
		return p.arr, nil
	}
	return v, nil
}

// latin1 maps a str of code points below 256 to bytes, as
// _codecs.encode(s, "latin1") does.
func latin1(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 255 || r == utf8.RuneError {
			return nil, fmt.Errorf("str holds %U, which latin-1 cannot encode", r)
		}
		out = append(out, byte(r))
	}
	return out, nil
}

func typeName(v any) string {
	switch v.(type) {
	case none:
		return "None"
	case bool:
		return "a bool"
	case int64:
		return "an int"
	case float64:
		return "a float"
	case string:
		return "a str"
	case *pyBytes:
		return "bytes"
	case tuple:
		return "a tuple"
	case *pyList:
		return "a list"
	case *pyDict:
		return "a dict"
	case pyGlobal:
		return "a global"
	case *dtypeVal:
		return "a dtype"
	case *pending, *Array:
		return "an ndarray"
	}
	return fmt.Sprintf("%T", v)
}
