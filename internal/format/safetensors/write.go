package safetensors

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/xdistill/edge-depth/internal/fsutil"
)

// metadataKey is the reserved header entry for free-form string metadata.
const metadataKey = "__metadata__"

// headerEntry is one tensor's description in the JSON header.
type headerEntry struct {
	DType   string   `json:"dtype"`
	Shape   []int64  `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

// Write stores the tensors and metadata at path atomically (temporary file,
// fsync, rename): a crash leaves either the old file or the new one.
// Tensors are laid out sorted by name, so equal input gives equal bytes.
func Write(path string, tensors []Tensor, meta map[string]string) error {
	sorted, header, err := layout(tensors, meta)
	if err != nil {
		return fmt.Errorf("safetensors %s: %w", path, err)
	}
	err = fsutil.WriteAtomic(path, 0o644, func(f *os.File) error {
		w := bufio.NewWriterSize(f, 1<<20)
		if err := emit(w, sorted, header); err != nil {
			return err
		}
		return w.Flush()
	})
	if err != nil {
		return fmt.Errorf("safetensors: %w", err) // names the path already
	}
	return nil
}

// Encode writes the safetensors encoding of tensors and meta to w.
func Encode(w io.Writer, tensors []Tensor, meta map[string]string) error {
	sorted, header, err := layout(tensors, meta)
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return emit(w, sorted, header)
}

// layout validates and sorts the tensors and builds the header.
func layout(tensors []Tensor, meta map[string]string) ([]Tensor, []byte, error) {
	sorted, err := checkForWrite(tensors)
	if err != nil {
		return nil, nil, err
	}
	header, err := encodeHeader(sorted, meta)
	return sorted, header, err
}

// emit writes the header length, the header and the data.
func emit(w io.Writer, sorted []Tensor, header []byte) error {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(header); err != nil {
		return err
	}
	for _, t := range sorted {
		if _, err := w.Write(t.Data); err != nil {
			return err
		}
	}
	return nil
}

// checkForWrite refuses what Read would refuse, naming the tensor, and
// returns the tensors sorted by name.
func checkForWrite(tensors []Tensor) ([]Tensor, error) {
	sorted := slices.Clone(tensors)
	slices.SortFunc(sorted, func(a, b Tensor) int { return strings.Compare(a.Name, b.Name) })
	for i, t := range sorted {
		switch {
		case t.Name == "" || t.Name == metadataKey:
			return nil, fmt.Errorf("tensor name %q is not allowed", t.Name)
		case i > 0 && sorted[i-1].Name == t.Name:
			return nil, fmt.Errorf("tensor %q appears twice", t.Name)
		}
		if err := t.checkLen(); err != nil {
			return nil, err
		}
	}
	return sorted, nil
}

// encodeHeader builds the JSON header, padded with spaces so the data
// starts 8-byte aligned (as the reference implementation does), which lets
// readers map float64 data in place.
func encodeHeader(sorted []Tensor, meta map[string]string) ([]byte, error) {
	entries := make(map[string]any, len(sorted)+1)
	var off int64
	for _, t := range sorted {
		end := off + int64(len(t.Data))
		entries[t.Name] = headerEntry{DType: t.DType, Shape: cloneShape(t.Shape), Offsets: [2]int64{off, end}}
		off = end
	}
	if len(meta) > 0 {
		entries[metadataKey] = meta
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(entries); err != nil { // map keys come out sorted
		return nil, fmt.Errorf("encode header: %w", err)
	}
	h := bytes.TrimRight(buf.Bytes(), "\n")
	if pad := (8 - len(h)%8) % 8; pad > 0 {
		h = append(h, bytes.Repeat([]byte{' '}, pad)...)
	}
	return h, nil
}
