package matfile

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Data element types (MATLAB "MAT-File Format", table 1-1).
const (
	miINT8       = 1
	miUINT8      = 2
	miINT16      = 3
	miUINT16     = 4
	miINT32      = 5
	miUINT32     = 6
	miSINGLE     = 7
	miDOUBLE     = 9
	miINT64      = 12
	miUINT64     = 13
	miMATRIX     = 14
	miCOMPRESSED = 15
)

const (
	headerSize = 128
	// maxInflated bounds one decompressed element so that a corrupt or
	// hostile file cannot exhaust memory.
	maxInflated = 1 << 30
)

// decoder knows the file's byte order, which the header declares.
type decoder struct {
	order binary.ByteOrder
}

// newDecoder checks the 128-byte header: 116 bytes of text, 8 of subsystem
// offset, a 2-byte version and the endian indicator "MI" written as a
// 16-bit value, so a little-endian file stores it as "IM".
func newDecoder(data []byte) (*decoder, string, error) {
	if len(data) < headerSize {
		return nil, "", fmt.Errorf("%d bytes is shorter than the 128-byte MAT-file header (truncated?)", len(data))
	}
	d := &decoder{}
	switch string(data[126:128]) {
	case "IM":
		d.order = binary.LittleEndian
	case "MI":
		d.order = binary.BigEndian
	default:
		return nil, "", errors.New("no MAT-file v5 endian indicator (not a Level 5 MAT-file)")
	}
	text := strings.TrimRight(string(data[:116]), " \x00")
	if v := d.order.Uint16(data[124:126]); v != 0x0100 {
		if v == 0x0200 {
			return nil, "", errors.New("MAT-file v7.3 (HDF5) is not supported; save with -v7 or scipy.io.savemat")
		}
		return nil, "", fmt.Errorf("unknown MAT-file version %#04x", v)
	}
	return d, text, nil
}

// element splits one data element off buf: its type, its payload and what
// follows. at is the element's byte offset in the file, for error messages.
func (d *decoder) element(buf []byte, at int) (typ uint32, payload, rest []byte, err error) {
	if len(buf) < 8 {
		return 0, nil, nil, fmt.Errorf("truncated: %d bytes at offset %d, a data element tag needs 8", len(buf), at)
	}
	first := d.order.Uint32(buf)
	if n := first >> 16; n != 0 {
		// Small data element: type and size share the first word and up
		// to 4 bytes of data fill the second.
		if n > 4 {
			return 0, nil, nil, fmt.Errorf("element at offset %d: small element of %d bytes (max 4)", at, n)
		}
		return first & 0xffff, buf[4 : 4+n], buf[8:], nil
	}
	n := uint64(d.order.Uint32(buf[4:]))
	if n > uint64(len(buf)-8) {
		return 0, nil, nil, fmt.Errorf("truncated: element at offset %d claims %d bytes, %d remain", at, n, len(buf)-8)
	}
	payload, rest = buf[8:8+n], buf[8+n:]
	if first != miCOMPRESSED { // compressed elements are not padded
		pad := int((8 - n%8) % 8)
		rest = rest[min(pad, len(rest)):]
	}
	return first, payload, rest, nil
}

// topLevel decodes the variables after the header; with only set, other
// variables are skipped unchecked.
func (d *decoder) topLevel(buf []byte, only *string, vars *[]Var) error {
	at := headerSize
	for len(buf) > 0 {
		typ, payload, rest, err := d.element(buf, at)
		if err != nil {
			return err
		}
		if typ == miCOMPRESSED {
			inner, err := inflate(payload, at)
			if err != nil {
				return err
			}
			// The offsets of inner elements are within the inflated data.
			if err := d.topLevel(inner, only, vars); err != nil {
				return fmt.Errorf("compressed element at offset %d: %w", at, err)
			}
		} else if typ == miMATRIX {
			v, ok, err := d.matrix(payload, at, only)
			if err != nil {
				return err
			}
			if ok {
				*vars = append(*vars, v)
			}
		} else {
			return fmt.Errorf("element at offset %d has type %d, expected a matrix (14) or compressed (15) element", at, typ)
		}
		at += len(buf) - len(rest)
		buf = rest
	}
	return nil
}

// inflate decompresses an miCOMPRESSED payload (a zlib stream).
func inflate(payload []byte, at int) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("compressed element at offset %d: %w", at, err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, maxInflated+1))
	if err != nil {
		return nil, fmt.Errorf("compressed element at offset %d: %w (truncated?)", at, err)
	}
	if len(out) > maxInflated {
		return nil, fmt.Errorf("compressed element at offset %d inflates beyond %d bytes", at, maxInflated)
	}
	return out, nil
}
