package npy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
)

// LoadNPY reads the .npy file at path.
func LoadNPY(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	return decode(bufio.NewReaderSize(f, bufSize(st.Size())), st.Size(), path)
}

// decode reads one .npy from r, which holds at most limit bytes (the file
// size, or a bound for a compressed member); name is used in errors.
func decode(r io.Reader, limit int64, name string) (*Array, error) {
	a, err := decodeNPY(&counter{r: r}, limit, name)
	if err != nil {
		var pe *pickleError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("npy: %w", err) // names the file itself
		}
		return nil, fmt.Errorf("npy %s: %w", name, err)
	}
	return a, nil
}

func decodeNPY(r *counter, limit int64, name string) (*Array, error) {
	h, err := readHeader(r, limit)
	if err != nil {
		return nil, err
	}
	var a *Array
	if h.descr == ObjectDType {
		a, err = readPickled(r, limit-int64(h.size), name, h)
	} else {
		a, err = readNumeric(r, limit-int64(h.size), h)
	}
	if err != nil {
		return nil, err
	}
	var one [1]byte
	if n, err := io.ReadFull(r, one[:]); n > 0 {
		return nil, errors.New("unexpected bytes after the array data (corrupt file?)")
	} else if err != io.EOF {
		return nil, fmt.Errorf("after the array data: %w", err)
	}
	return a, nil
}

// bufSize sizes a read buffer for a stream of at most limit bytes.
func bufSize(limit int64) int { return int(max(min(limit, chunk), 4096)) }

// chunk is how much raw data is converted at a time; a multiple of every
// element size.
const chunk = 1 << 20

func readNumeric(r io.Reader, avail int64, h header) (*Array, error) {
	descr, dt, err := lookupDType(h.descr)
	if err != nil {
		return nil, err
	}
	n := product(h.shape)
	if n < 0 || n > math.MaxInt/dt.size {
		return nil, fmt.Errorf("shape %v is too large", h.shape)
	}
	need := int64(n) * int64(dt.size)
	if need > avail {
		return nil, fmt.Errorf("truncated: shape %v of %s needs %d bytes of data, the file has at most %d", h.shape, descr, need, avail)
	}
	data := dt.make(n)
	buf := make([]byte, min(need, chunk))
	for done := int64(0); done < need; {
		m := min(need-done, chunk)
		if k, err := io.ReadFull(r, buf[:m]); err != nil {
			return nil, fmt.Errorf("%w (%d of %d data bytes present)", short(err, "the array data"), done+int64(k), need)
		}
		dt.fill(data, int(done)/dt.size, buf[:m])
		done += m
	}
	if h.fortran {
		data = toCOrder(data, h.shape)
	}
	return &Array{Shape: h.shape, DType: descr, Data: data}, nil
}

// readPickled reads an object array, which numpy stores as a pickle of the
// whole ndarray after the header.
func readPickled(r *counter, avail int64, name string, h header) (*Array, error) {
	v, err := unpickle(r, avail, name)
	if err != nil {
		return nil, err
	}
	a, ok := v.(*Array)
	if !ok {
		return nil, &pickleError{fmt.Sprintf("pickle in %s holds %s, not an array", name, typeName(v))}
	}
	if !slices.Equal(a.Shape, h.shape) {
		return nil, fmt.Errorf("header shape %v but the pickled array has shape %v", h.shape, a.Shape)
	}
	return a, nil
}

// counter counts the bytes read, for error positions.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
