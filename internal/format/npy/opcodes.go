package npy

import (
	"encoding/binary"
	"math"
	"unicode/utf8"
)

// step executes one opcode; done is true after STOP.
func (m *machine) step() (done bool, err error) {
	switch m.op {
	case 0x80: // PROTO
		b, err := m.arg(1)
		if err != nil {
			return false, err
		}
		if b[0] < 2 || b[0] > 5 {
			return false, m.errf("pickle protocol %d is not supported (want 2 to 5)", b[0])
		}
		return false, nil
	case 0x95: // FRAME: a length prefix for buffering; the opcodes follow inline
		_, err := m.arg(8)
		return false, err
	case '.': // STOP
		return true, nil
	case 'c': // GLOBAL
		module, err := m.line()
		if err != nil {
			return false, err
		}
		name, err := m.line()
		if err != nil {
			return false, err
		}
		return false, m.global(module, name)
	case 0x93: // STACK_GLOBAL
		v, err := m.popN(2)
		if err != nil {
			return false, err
		}
		module, ok1 := v[0].(string)
		name, ok2 := v[1].(string)
		if !ok1 || !ok2 {
			return false, m.errf("STACK_GLOBAL needs two str, got %s and %s", typeName(v[0]), typeName(v[1]))
		}
		return false, m.global(module, name)
	}
	if err := m.data(); err != errUnknown {
		return false, err
	}
	if err := m.structure(); err != errUnknown {
		return false, err
	}
	return false, m.call()
}

// errUnknown tells step that an opcode group does not know the opcode.
var errUnknown = &pickleError{"unknown opcode"}

// data handles opcodes that push constants.
func (m *machine) data() error {
	switch m.op {
	case 'N':
		return m.push(none{})
	case 0x88:
		return m.push(true)
	case 0x89:
		return m.push(false)
	case 'K': // BININT1
		b, err := m.arg(1)
		if err != nil {
			return err
		}
		return m.push(int64(b[0]))
	case 'M': // BININT2
		b, err := m.arg(2)
		if err != nil {
			return err
		}
		return m.push(int64(binary.LittleEndian.Uint16(b)))
	case 'J': // BININT
		b, err := m.arg(4)
		if err != nil {
			return err
		}
		return m.push(int64(int32(binary.LittleEndian.Uint32(b))))
	case 0x8a: // LONG1: little-endian two's complement
		b, err := m.counted(1)
		if err != nil {
			return err
		}
		if len(b) > 8 {
			return m.errf("integer of %d bytes does not fit 64 bits", len(b))
		}
		var v int64
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | int64(b[i])
		}
		if n := len(b); n > 0 && n < 8 && b[n-1]&0x80 != 0 {
			v -= 1 << (8 * n)
		}
		return m.push(v)
	case 'G': // BINFLOAT, big-endian
		b, err := m.arg(8)
		if err != nil {
			return err
		}
		return m.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case 0x8c, 'X', 0x8d: // SHORT_BINUNICODE, BINUNICODE, BINUNICODE8
		b, err := m.counted(map[byte]int{0x8c: 1, 'X': 4, 0x8d: 8}[m.op])
		if err != nil {
			return err
		}
		if !utf8.Valid(b) {
			return m.errf("str is not valid UTF-8")
		}
		return m.push(string(b))
	case 'C', 'B', 0x8e, 'U', 'T', 0x96: // bytes, Python 2 str, bytearray
		b, err := m.counted(map[byte]int{'C': 1, 'U': 1, 'B': 4, 'T': 4, 0x8e: 8, 0x96: 8}[m.op])
		if err != nil {
			return err
		}
		return m.push(&pyBytes{b})
	case 0x98: // READONLY_BUFFER: no effect on an in-band buffer
		_, err := m.top()
		return err
	case 0x97: // NEXT_BUFFER
		return m.errf("out-of-band buffers cannot be stored in a file")
	}
	return errUnknown
}

// structure handles containers, marks and the memo.
func (m *machine) structure() error {
	switch m.op {
	case '(': // MARK
		m.marks = append(m.marks, len(m.stack))
		return nil
	case '0': // POP
		_, err := m.pop()
		return err
	case '1': // POP_MARK
		_, err := m.popMark()
		return err
	case '2': // DUP
		v, err := m.top()
		if err != nil {
			return err
		}
		return m.push(v)
	case ')':
		return m.push(tuple{})
	case 't':
		items, err := m.popMark()
		if err != nil {
			return err
		}
		return m.push(tuple(items))
	case 0x85, 0x86, 0x87: // TUPLE1..3
		items, err := m.popN(int(m.op-0x85) + 1)
		if err != nil {
			return err
		}
		return m.push(tuple(items))
	case ']':
		return m.push(&pyList{})
	case 'l':
		items, err := m.popMark()
		if err != nil {
			return err
		}
		return m.push(&pyList{items})
	case 'a', 'e': // APPEND, APPENDS
		return m.appends()
	case '}':
		return m.push(&pyDict{})
	case 'd':
		items, err := m.popMark()
		if err != nil {
			return err
		}
		d := &pyDict{}
		if err := m.setPairs(d, items); err != nil {
			return err
		}
		return m.push(d)
	case 's', 'u': // SETITEM, SETITEMS
		return m.setitems()
	case 'q', 'r', 0x94: // BINPUT, LONG_BINPUT, MEMOIZE
		return m.put()
	case 'h', 'j': // BINGET, LONG_BINGET
		if m.op == 'h' {
			b, err := m.arg(1)
			if err != nil {
				return err
			}
			return m.get(uint32(b[0]))
		}
		b, err := m.arg(4)
		if err != nil {
			return err
		}
		return m.get(binary.LittleEndian.Uint32(b))
	}
	return errUnknown
}

func (m *machine) appends() error {
	var items []any
	var err error
	if m.op == 'a' {
		items, err = m.popN(1)
	} else {
		items, err = m.popMark()
	}
	if err != nil {
		return err
	}
	v, err := m.top()
	if err != nil {
		return err
	}
	l, ok := v.(*pyList)
	if !ok {
		return m.errf("APPEND to %s, not a list", typeName(v))
	}
	if len(l.items)+len(items) > maxItems {
		return m.errf("list longer than %d", maxItems)
	}
	l.items = append(l.items, items...)
	return nil
}

func (m *machine) setitems() error {
	var items []any
	var err error
	if m.op == 's' {
		items, err = m.popN(2)
	} else {
		items, err = m.popMark()
	}
	if err != nil {
		return err
	}
	v, err := m.top()
	if err != nil {
		return err
	}
	d, ok := v.(*pyDict)
	if !ok {
		return m.errf("SETITEM on %s, not a dict", typeName(v))
	}
	return m.setPairs(d, items)
}

// setPairs adds alternating keys and values. Keys are kept as a list, not
// hashed: numpy's arrays never pickle dicts, so only their shape matters.
func (m *machine) setPairs(d *pyDict, items []any) error {
	if len(items)%2 != 0 {
		return m.errf("odd number of items (%d) for dict keys and values", len(items))
	}
	if len(d.keys)+len(items)/2 > maxItems {
		return m.errf("dict larger than %d", maxItems)
	}
	for i := 0; i < len(items); i += 2 {
		d.keys = append(d.keys, items[i])
		d.vals = append(d.vals, items[i+1])
	}
	return nil
}

func (m *machine) put() error {
	switch m.op {
	case 'q':
		b, err := m.arg(1)
		if err != nil {
			return err
		}
		return m.memoize(uint32(b[0]))
	case 'r':
		b, err := m.arg(4)
		if err != nil {
			return err
		}
		return m.memoize(binary.LittleEndian.Uint32(b))
	}
	return m.memoize(uint32(len(m.memo))) // MEMOIZE: the next free index
}
