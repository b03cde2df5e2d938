package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func sampleTensors() []Tensor {
	return []Tensor{
		F32("encoder.conv1.weight", []int64{2, 3}, []float32{1, -2.5, 3e-8, float32(math.Inf(1)), 0, 7}),
		I64("step", []int64{}, []int64{-123456789012}),
		F64("bn.running_var", []int64{3}, []float64{0.1, 1e300, -0}),
		I32("idx", []int64{2, 1}, []int32{-7, 1 << 30}),
		U8("mask", []int64{4}, []uint8{0, 1, 254, 255}),
		F32("empty", []int64{0, 3}, nil),
	}
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "w.safetensors")
	meta := map[string]string{"format": "pt", "note": "<&>"}
	in := sampleTensors()
	if err := Write(p, in, meta); err != nil {
		t.Fatal(err)
	}
	f, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Metadata, meta) {
		t.Errorf("metadata %v, want %v", f.Metadata, meta)
	}
	want := map[string]Tensor{}
	for _, x := range in {
		want[x.Name] = x
	}
	if len(f.Tensors) != len(in) {
		t.Fatalf("%d tensors, want %d", len(f.Tensors), len(in))
	}
	for _, got := range f.Tensors {
		w := want[got.Name]
		if got.DType != w.DType || !reflect.DeepEqual(got.Shape, w.Shape) || !bytes.Equal(got.Data, w.Data) {
			t.Errorf("tensor %q: got %s %v %x, want %s %v %x", got.Name, got.DType, got.Shape, got.Data, w.DType, w.Shape, w.Data)
		}
	}
	v, _ := f.Tensor("encoder.conv1.weight")
	if xs, err := v.Float32s(); err != nil || xs[1] != -2.5 || !math.IsInf(float64(xs[3]), 1) {
		t.Errorf("Float32s = %v, %v", xs, err)
	}
	s, _ := f.Tensor("step")
	if xs, err := s.Int64s(); err != nil || len(xs) != 1 || xs[0] != -123456789012 {
		t.Errorf("scalar I64 = %v, %v", xs, err)
	}
	if _, err := f.Tensor("missing"); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("missing tensor error %v should name the file", err)
	}
}

func TestWriteIsDeterministicAndAligned(t *testing.T) {
	in := sampleTensors()
	var a, b bytes.Buffer
	if err := Encode(&a, in, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	rev := append([]Tensor(nil), in...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	if err := Encode(&b, rev, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("input order changed the bytes")
	}
	if n := binary.LittleEndian.Uint64(a.Bytes()); n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
}

func TestWriteRejects(t *testing.T) {
	good := F32("a", []int64{2}, []float32{1, 2})
	cases := map[string][]Tensor{
		`"a" appears twice`:    {good, good},
		`"a": 8 bytes of data`: {F32("a", []int64{3}, []float32{1, 2})},
		`unknown dtype "F8"`:   {{Name: "x", DType: "F8"}},
		`name "" is not`:       {{Name: "", DType: "F32", Data: make([]byte, 4)}},
		`"__metadata__"`:       {{Name: "__metadata__", DType: "U8", Shape: []int64{0}}},
	}
	p := filepath.Join(t.TempDir(), "x.safetensors")
	for want, ts := range cases {
		err := Write(p, ts, nil)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("want an error naming the file and containing %q, got %v", want, err)
		}
	}
	if _, err := os.Stat(p); err == nil {
		t.Error("a failed write left a file behind")
	}
}

func TestConverters(t *testing.T) {
	// F16: 0x3c00 = 1, 0xc000 = -2, 0x0001 = 2^-24 (smallest subnormal),
	// 0x7bff = 65504 (largest finite), 0xfc00 = -inf.
	half := Tensor{Name: "h", DType: "F16", Shape: []int64{5}, Data: le16(0x3c00, 0xc000, 0x0001, 0x7bff, 0xfc00)}
	got, err := half.Float32s()
	want := []float32{1, -2, float32(math.Ldexp(1, -24)), 65504, float32(math.Inf(-1))}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("F16 → %v, %v; want %v", got, err, want)
	}
	// BF16 0x3fc0 is the top half of float32 1.5 (0x3fc00000).
	bf := Tensor{Name: "b", DType: "BF16", Shape: []int64{1}, Data: le16(0x3fc0)}
	if got, _ := bf.Float32s(); got[0] != 1.5 {
		t.Errorf("BF16 → %v, want 1.5", got)
	}
	i32 := I32("i", []int64{2}, []int32{-5, 9})
	if got, _ := i32.Int64s(); got[0] != -5 || got[1] != 9 {
		t.Errorf("I32 → %v", got)
	}
	f64 := F64("d", []int64{1}, []float64{0.1})
	if _, err := f64.Float32s(); err == nil || !strings.Contains(err.Error(), `"d"`) {
		t.Errorf("F64 as float32 should be refused naming the tensor, got %v", err)
	}
	if got, _ := F32("f", []int64{1}, []float32{0.5}).Float64s(); got[0] != 0.5 {
		t.Errorf("F32 → float64 %v", got)
	}
	bad := Tensor{Name: "short", DType: "F32", Shape: []int64{4}, Data: make([]byte, 4)}
	if _, err := bad.Float32s(); err == nil {
		t.Error("data shorter than its shape accepted")
	}
}

func le16(v ...uint16) []byte {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	return b
}
