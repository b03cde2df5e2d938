package matfile

import (
	"fmt"
	"math"
)

// elemSize is the byte size of each numeric element type. MATLAB may store
// a class in a smaller type (a double array of small integers as miUINT8),
// so the class and the storage type are independent.
var elemSize = map[uint32]int{
	miINT8: 1, miUINT8: 1, miINT16: 2, miUINT16: 2, miINT32: 4, miUINT32: 4,
	miSINGLE: 4, miDOUBLE: 8, miINT64: 8, miUINT64: 8,
}

// toFloat64 converts n stored values to float64. 64-bit integers beyond
// 2^53 lose precision, which depth data never needs.
func (d *decoder) toFloat64(typ uint32, raw []byte, n int) ([]float64, error) {
	size, ok := elemSize[typ]
	if !ok {
		return nil, fmt.Errorf("data stored as element type %d, which is not numeric", typ)
	}
	if len(raw) != n*size {
		return nil, fmt.Errorf("%d bytes of data for %d elements of %d bytes (truncated or inconsistent)", len(raw), n, size)
	}
	out := make([]float64, n)
	o := d.order
	for i := range out {
		b := raw[i*size:]
		switch typ {
		case miINT8:
			out[i] = float64(int8(b[0]))
		case miUINT8:
			out[i] = float64(b[0])
		case miINT16:
			out[i] = float64(int16(o.Uint16(b)))
		case miUINT16:
			out[i] = float64(o.Uint16(b))
		case miINT32:
			out[i] = float64(int32(o.Uint32(b)))
		case miUINT32:
			out[i] = float64(o.Uint32(b))
		case miSINGLE:
			out[i] = float64(math.Float32frombits(o.Uint32(b)))
		case miDOUBLE:
			out[i] = math.Float64frombits(o.Uint64(b))
		case miINT64:
			out[i] = float64(int64(o.Uint64(b)))
		case miUINT64:
			out[i] = float64(o.Uint64(b))
		}
	}
	return out, nil
}
