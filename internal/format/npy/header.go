package npy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const magic = "\x93NUMPY"

// header is the parsed .npy header.
type header struct {
	descr   string
	fortran bool
	shape   []int
	size    int // bytes of magic, version, length and header text
}

// readHeader reads and parses the header from r. limit is the number of
// bytes r can hold at most, which bounds what a corrupt length may claim.
func readHeader(r io.Reader, limit int64) (header, error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		return header{}, short(err, "the magic string and version")
	}
	if string(pre[:6]) != magic {
		return header{}, fmt.Errorf("not a .npy file (starts with %q, want %q)", pre[:6], magic)
	}
	major, minor := pre[6], pre[7]
	var n, size int
	switch major {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return header{}, short(err, "the header length")
		}
		n, size = int(binary.LittleEndian.Uint16(pre[8:])), 10
	case 2, 3:
		var l [4]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return header{}, short(err, "the header length")
		}
		n, size = int(binary.LittleEndian.Uint32(l[:])), 12
	default:
		return header{}, fmt.Errorf("format version %d.%d is not supported (want 1.0, 2.0 or 3.0)", major, minor)
	}
	if minor != 0 {
		return header{}, fmt.Errorf("format version %d.%d is not supported (want 1.0, 2.0 or 3.0)", major, minor)
	}
	if int64(size+n) > limit {
		return header{}, fmt.Errorf("header length %d runs past the end of the %d-byte file (truncated?)", n, limit)
	}
	text := make([]byte, n)
	if _, err := io.ReadFull(r, text); err != nil {
		return header{}, short(err, fmt.Sprintf("the %d-byte header", n))
	}
	h, err := parseHeader(string(text))
	if err != nil {
		return header{}, fmt.Errorf("header %.120q: %w", text, err)
	}
	h.size = size + n
	return h, nil
}

// short turns an EOF while reading what into a truncation error.
func short(err error, what string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated: the file ends inside %s", what)
	}
	return fmt.Errorf("reading %s: %w", what, err)
}

// parseHeader reads numpy's header dictionary, a Python literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }.
func parseHeader(text string) (header, error) {
	p := &literal{s: strings.TrimRight(text, " \n\x00")}
	v, err := p.value(0)
	if err != nil {
		return header{}, err
	}
	if p.skipSpace(); p.i != len(p.s) {
		return header{}, fmt.Errorf("unexpected %q after the dictionary", p.rest())
	}
	d, ok := v.(map[string]any)
	if !ok {
		return header{}, errors.New("not a dictionary")
	}
	if len(d) != 3 {
		return header{}, fmt.Errorf("has %d keys, want descr, fortran_order and shape", len(d))
	}
	var h header
	descr, ok := d["descr"].(string)
	if !ok {
		if _, list := d["descr"].([]any); list {
			return header{}, errors.New("structured dtypes are not supported")
		}
		return header{}, errors.New("descr must be a string")
	}
	h.descr = descr
	if h.fortran, ok = d["fortran_order"].(bool); !ok {
		return header{}, errors.New("fortran_order must be True or False")
	}
	shape, ok := d["shape"].(tuple)
	if !ok {
		return header{}, errors.New("shape must be a tuple")
	}
	for _, s := range shape {
		n, ok := s.(int64)
		if !ok || n < 0 || n > int64(^uint(0)>>1) {
			return header{}, fmt.Errorf("shape %v: dimensions must be non-negative integers", shape)
		}
		h.shape = append(h.shape, int(n))
	}
	return h, nil
}

// tuple is a parsed Python tuple (lists parse as []any).
type tuple []any

// literal parses the subset of Python literals numpy headers use.
type literal struct {
	s string
	i int
}

const maxDepth = 16

func (p *literal) rest() string {
	r := p.s[p.i:]
	if len(r) > 20 {
		r = r[:20] + "…"
	}
	return r
}

func (p *literal) skipSpace() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *literal) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("nested too deeply")
	}
	p.skipSpace()
	if p.i >= len(p.s) {
		return nil, errors.New("ends early")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.dict(depth)
	case c == '(' || c == '[':
		return p.sequence(depth)
	case c == '\'' || c == '"':
		return p.str()
	case c == '-' || c >= '0' && c <= '9':
		return p.integer()
	}
	for word, v := range map[string]any{"True": true, "False": false, "None": nil} {
		if strings.HasPrefix(p.s[p.i:], word) {
			p.i += len(word)
			return v, nil
		}
	}
	return nil, fmt.Errorf("unexpected %q", p.rest())
}

func (p *literal) dict(depth int) (any, error) {
	p.i++ // {
	d := map[string]any{}
	for {
		if p.skipSpace(); p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return d, nil
		}
		k, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		key, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("dictionary key %v is not a string", k)
		}
		if _, dup := d[key]; dup {
			return nil, fmt.Errorf("key %q appears twice", key)
		}
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		if d[key], err = p.value(depth + 1); err != nil {
			return nil, err
		}
		if err := p.separator('}'); err != nil {
			return nil, err
		}
	}
}

func (p *literal) sequence(depth int) (any, error) {
	open := p.s[p.i]
	closer := byte(')')
	if open == '[' {
		closer = ']'
	}
	p.i++
	var items []any
	for {
		if p.skipSpace(); p.i < len(p.s) && p.s[p.i] == closer {
			p.i++
			if open == '[' {
				return items, nil
			}
			return tuple(items), nil
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		if err := p.separator(closer); err != nil {
			return nil, err
		}
	}
}

// separator consumes a comma, or checks that closer follows.
func (p *literal) separator(closer byte) error {
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ',' {
		p.i++
		return nil
	}
	if p.i < len(p.s) && p.s[p.i] == closer {
		return nil
	}
	return fmt.Errorf("expected ',' or %q at %q", closer, p.rest())
}

func (p *literal) expect(c byte) error {
	p.skipSpace()
	if p.i >= len(p.s) || p.s[p.i] != c {
		return fmt.Errorf("expected %q at %q", c, p.rest())
	}
	p.i++
	return nil
}

func (p *literal) str() (any, error) {
	q := p.s[p.i]
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		c := p.s[p.i]
		switch {
		case c == q:
			p.i++
			return b.String(), nil
		case c == '\\' && p.i+1 < len(p.s):
			p.i++
			b.WriteByte(p.s[p.i])
		default:
			b.WriteByte(c)
		}
	}
	return nil, errors.New("unterminated string")
}

func (p *literal) integer() (any, error) {
	j := p.i
	if p.s[j] == '-' {
		j++
	}
	for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
		j++
	}
	n, err := strconv.ParseInt(p.s[p.i:j], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("bad integer %q", p.s[p.i:j])
	}
	p.i = j
	if p.i < len(p.s) && p.s[p.i] == 'L' { // Python 2 long
		p.i++
	}
	return n, nil
}
