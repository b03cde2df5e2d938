package safetensors

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// rawFile assembles a safetensors file from a literal header and buffer,
// so each test can break exactly one rule.
func rawFile(header string, buf []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(header)))
	b.WriteString(header)
	b.Write(buf)
	return b.Bytes()
}

func TestDecodeRejects(t *testing.T) {
	buf16 := make([]byte, 16)
	var good bytes.Buffer
	Encode(&good, []Tensor{F32("a", []int64{2}, []float32{1, 2}), F32("b", []int64{2}, []float32{3, 4})}, nil)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"truncated data", good.Bytes()[:good.Len()-3], "outside the"},
		{"truncated header", good.Bytes()[:20], "does not fit"},
		{"zero header length", rawFile("", nil), "JSON object"},
		{"length past end", append(binary.LittleEndian.AppendUint64(nil, 1<<40), '{', '}'), "does not fit"},
		{"garbage header", rawFile("\x00\x01garbage", nil), "JSON object"},
		{"bad JSON", rawFile(`{"a": {"dtype": "F32",`, nil), "not valid JSON"},
		{"not an object", rawFile(`["a"]`, nil), "JSON object"},
		{"trailing junk", rawFile(`{} x`, nil), "after the JSON object"},
		{"duplicate", rawFile(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`, nil), `"a" appears twice`},
		{"unknown dtype", rawFile(`{"a":{"dtype":"F7","shape":[4],"data_offsets":[0,16]}}`, buf16), `"a": unknown dtype "F7"`},
		{"missing field", rawFile(`{"a":{"dtype":"F32","data_offsets":[0,16]}}`, buf16), `"a": header entry needs`},
		{"unknown field", rawFile(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16],"x":1}}`, buf16), `"a": bad header entry`},
		{"shape/size mismatch", rawFile(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}`, buf16), `"a": data_offsets [0 16] hold 16 bytes, shape [3] of F32 needs 12`},
		{"negative dim", rawFile(`{"a":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}`, buf16), `"a": negative dimension`},
		{"huge shape", rawFile(`{"a":{"dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,16]}}`, buf16), `"a": shape`},
		{"offsets reversed", rawFile(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}}`, buf16), `"a": data_offsets [8 0] outside`},
		{"offsets past end", rawFile(`{"a":{"dtype":"U8","shape":[20],"data_offsets":[0,20]}}`, buf16), `"a": data_offsets [0 20] outside the 16-byte`},
		{"overlap", rawFile(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}`, buf16), `"b": data_offsets [8, 16] overlap tensor "a"`},
		{"gap", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}`, buf16), `"b": 4-byte gap`},
		{"trailing bytes", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, buf16), "8 bytes after the last tensor"},
		{"bad metadata", rawFile(`{"__metadata__":{"k":1}}`, nil), "__metadata__ must map strings"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.data, "bad.safetensors")
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), "bad.safetensors") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q should name the file and contain %q", err, c.want)
			}
		})
	}
}

func TestDecodeAcceptsForeignLayouts(t *testing.T) {
	// Spaces padding the header, keys in any order, tensors laid out in an
	// order other than by name, two empty tensors sharing an offset.
	h := `{"z":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"__metadata__":{"a":"b"},` +
		`"a":{"dtype":"U8","shape":[1],"data_offsets":[2,3]},"e":{"dtype":"F32","shape":[0],"data_offsets":[3,3]},` +
		`"f":{"dtype":"F32","shape":[0,5],"data_offsets":[3,3]}}   `
	f, err := Decode(rawFile(h, []byte{7, 8, 9}), "foreign")
	if err != nil {
		t.Fatal(err)
	}
	if names := strings.Join(f.Names(), ","); names != "a,e,f,z" {
		t.Errorf("names %s, want sorted a,e,f,z", names)
	}
	a, _ := f.Tensor("a")
	z, _ := f.Tensor("z")
	if a.Data[0] != 9 || z.Data[1] != 8 || f.Metadata["a"] != "b" {
		t.Errorf("a=%v z=%v meta=%v", a.Data, z.Data, f.Metadata)
	}
}

func FuzzRead(f *testing.F) {
	var good bytes.Buffer
	Encode(&good, sampleTensors(), map[string]string{"k": "v"})
	f.Add(good.Bytes())
	f.Add(rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)))
	f.Add(rawFile(`{}`, nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Decode(data, "fuzz")
		if err != nil {
			return
		}
		// Whatever is accepted must convert without panicking and
		// re-encode to something that decodes to the same tensors.
		for _, x := range file.Tensors {
			x.Float32s()
			x.Float64s()
			x.Int64s()
		}
		var again bytes.Buffer
		if err := Encode(&again, file.Tensors, file.Metadata); err != nil {
			t.Fatalf("re-encode of an accepted file: %v", err)
		}
		if _, err := Decode(again.Bytes(), "again"); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
	})
}
