package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// maxHeader bounds the JSON header, like the reference implementation
// (100 MB), so a corrupt length cannot make us allocate the moon.
const maxHeader = 100 << 20

// File is a decoded safetensors file.
type File struct {
	Path     string
	Tensors  []Tensor // sorted by name; Data aliases the file's bytes
	Metadata map[string]string
}

// Read loads and validates a safetensors file. Every defect (size, header,
// dtype, shape, offsets) is an error that names the file and the tensor.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	return Decode(data, path)
}

// Tensor returns the named tensor, or an error naming the file.
func (f *File) Tensor(name string) (Tensor, error) {
	i, ok := slices.BinarySearchFunc(f.Tensors, name, func(t Tensor, n string) int { return strings.Compare(t.Name, n) })
	if !ok {
		return Tensor{}, fmt.Errorf("safetensors %s: no tensor %q", f.Path, name)
	}
	return f.Tensors[i], nil
}

// Names lists the tensor names in sorted order.
func (f *File) Names() []string {
	out := make([]string, len(f.Tensors))
	for i, t := range f.Tensors {
		out[i] = t.Name
	}
	return out
}

// Decode parses a safetensors file held in memory; name is used in errors.
func Decode(data []byte, name string) (*File, error) {
	f, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("safetensors %s: %w", name, err)
	}
	f.Path = name
	return f, nil
}

func decode(data []byte) (*File, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("%d bytes is too short for the 8-byte header length (truncated?)", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > maxHeader || n > uint64(len(data)-8) {
		return nil, fmt.Errorf("header length %d does not fit in a %d-byte file (truncated or not safetensors)", n, len(data))
	}
	header := data[8 : 8+n]
	if len(bytes.TrimSpace(header)) == 0 || header[0] != '{' {
		return nil, fmt.Errorf("header does not start with a JSON object (not a safetensors file?)")
	}
	raw, err := headerObject(header)
	if err != nil {
		return nil, err
	}
	f := &File{}
	buf := data[8+n:]
	var spans []span
	for _, kv := range raw {
		if kv.key == metadataKey {
			if err := json.Unmarshal(kv.value, &f.Metadata); err != nil {
				return nil, fmt.Errorf("%s must map strings to strings: %w", metadataKey, err)
			}
			continue
		}
		t, s, err := parseEntry(kv.key, kv.value, buf)
		if err != nil {
			return nil, err
		}
		f.Tensors = append(f.Tensors, t)
		spans = append(spans, s)
	}
	if err := checkLayout(spans, len(buf)); err != nil {
		return nil, err
	}
	slices.SortFunc(f.Tensors, func(a, b Tensor) int { return strings.Compare(a.Name, b.Name) })
	return f, nil
}

type keyValue struct {
	key   string
	value json.RawMessage
}

// headerObject splits the header's top-level object into entries in file
// order, refusing duplicate names (which a plain map decode would silently
// merge) and trailing garbage.
func headerObject(header []byte) ([]keyValue, error) {
	dec := json.NewDecoder(bytes.NewReader(header))
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("header is not valid JSON: %w", err)
	}
	var out []keyValue
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("header is not valid JSON: %w", err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("header is not valid JSON at %q: %w", key, err)
		}
		if seen[key] {
			return nil, fmt.Errorf("tensor %q appears twice in the header", key)
		}
		seen[key] = true
		out = append(out, keyValue{key, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("header is not valid JSON: %w", err)
	}
	if rest := header[dec.InputOffset():]; len(bytes.TrimRight(rest, " ")) != 0 {
		return nil, fmt.Errorf("header has %d bytes after the JSON object", len(rest))
	}
	return out, nil
}

// span is where a tensor's bytes lie in the data buffer.
type span struct {
	name       string
	begin, end int64
}

// parseEntry decodes one tensor's description and checks it against the
// data buffer; the tensor's Data aliases buf.
func parseEntry(name string, raw json.RawMessage, buf []byte) (Tensor, span, error) {
	var e struct {
		DType   *string  `json:"dtype"`
		Shape   *[]int64 `json:"shape"`
		Offsets *[]int64 `json:"data_offsets"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return Tensor{}, span{}, fmt.Errorf("tensor %q: bad header entry: %w", name, err)
	}
	if name == "" || e.DType == nil || e.Shape == nil || e.Offsets == nil {
		return Tensor{}, span{}, fmt.Errorf("tensor %q: header entry needs a name, dtype, shape and data_offsets", name)
	}
	size := DTypeSize(*e.DType)
	if size == 0 {
		return Tensor{}, span{}, fmt.Errorf("tensor %q: unknown dtype %q", name, *e.DType)
	}
	n, err := numel(*e.Shape, size)
	if err != nil {
		return Tensor{}, span{}, fmt.Errorf("tensor %q: %w", name, err)
	}
	off := *e.Offsets
	if len(off) != 2 || off[0] < 0 || off[0] > off[1] || off[1] > int64(len(buf)) {
		return Tensor{}, span{}, fmt.Errorf("tensor %q: data_offsets %v outside the %d-byte data buffer", name, off, len(buf))
	}
	if want := n * int64(size); off[1]-off[0] != want {
		return Tensor{}, span{}, fmt.Errorf("tensor %q: data_offsets %v hold %d bytes, shape %v of %s needs %d", name, off, off[1]-off[0], *e.Shape, *e.DType, want)
	}
	t := Tensor{Name: name, DType: *e.DType, Shape: *e.Shape, Data: buf[off[0]:off[1]:off[1]]}
	return t, span{name, off[0], off[1]}, nil
}

// checkLayout demands what the format promises: tensors tile the data
// buffer exactly, without gaps, overlaps or trailing bytes.
func checkLayout(spans []span, bufLen int) error {
	slices.SortStableFunc(spans, func(a, b span) int { return cmp.Compare(a.begin, b.begin) })
	var at int64
	prev := "the start of the data"
	for _, s := range spans {
		switch {
		case s.begin < at:
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] overlap %s", s.name, s.begin, s.end, prev)
		case s.begin > at:
			return fmt.Errorf("tensor %q: %d-byte gap before data_offsets [%d, %d]", s.name, s.begin-at, s.begin, s.end)
		}
		at, prev = s.end, fmt.Sprintf("tensor %q", s.name)
	}
	if at != int64(bufLen) {
		return fmt.Errorf("%d bytes after the last tensor (data buffer %d bytes, tensors cover %d)", int64(bufLen)-at, bufLen, at)
	}
	return nil
}
