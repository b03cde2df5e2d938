package npy

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// smallFiles are numpy-written files small enough to cut at every byte.
const smallFiles = `
import pickle
a = np.arange(24, dtype='<f4').reshape(2, 3, 4)
np.save(D + '/num.npy', np.asfortranarray(a))
o = np.empty(3, dtype=object)
o[0], o[1], o[2] = a[0], np.arange(5, dtype='<u2'), np.ones((2, 2), '<f8')
for p in (2, 3, 4, 5):
    with open(f'{D}/obj{p}.npy', 'wb') as f:
        np.lib.format.write_array_header_1_0(f, np.lib.format.header_data_from_array_1_0(o))
        pickle.dump(o, f, protocol=p)
np.savez(D + '/stored.npz', data=o, num=a)
np.savez_compressed(D + '/deflated.npz', data=o, num=a)
`

var smallNames = []string{"num.npy", "obj2.npy", "obj3.npy", "obj4.npy", "obj5.npy", "stored.npz", "deflated.npz"}

// load decodes an in-memory .npy or .npz, as the path functions do.
func load(b []byte, name string) error {
	if strings.HasSuffix(name, ".npz") {
		_, err := readNPZ(bytes.NewReader(b), int64(len(b)), name, "")
		return err
	}
	_, err := decode(bytes.NewReader(b), int64(len(b)), name)
	return err
}

func TestDamagedFilesRefused(t *testing.T) {
	dir := numpyFiles(t, smallFiles)
	t.Run("truncated", func(t *testing.T) { testTruncated(t, dir) })
	t.Run("corrupt member", func(t *testing.T) { testCorruptMember(t, dir) })
}

func testTruncated(t *testing.T, dir string) {
	for _, f := range smallNames {
		full, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := load(full, f); err != nil {
			t.Fatalf("%s whole: %v", f, err)
		}
		for n := 0; n < len(full); n++ {
			err := load(full[:n], f)
			if err == nil {
				t.Fatalf("%s cut to %d of %d bytes: accepted", f, n, len(full))
			}
			if !strings.Contains(err.Error(), f) {
				t.Fatalf("%s cut to %d: error %q does not name the file", f, n, err)
			}
		}
	}
	// Through the path API too, with the reason spelt out.
	raw, _ := os.ReadFile(filepath.Join(dir, "num.npy"))
	path := filepath.Join(t.TempDir(), "cut.npy")
	os.WriteFile(path, raw[:len(raw)-5], 0o644)
	_, err := DepthMaps(path, "")
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "truncated: shape [2 3 4] of <f4 needs 96 bytes of data, the file has at most 91") {
		t.Errorf("cut .npy: %v", err)
	}
	raw, _ = os.ReadFile(filepath.Join(dir, "obj3.npy"))
	os.WriteFile(path, raw[:len(raw)/2], 0o644)
	if _, err = LoadNPY(path); err == nil || !strings.Contains(err.Error(), "pickle in "+path) {
		t.Errorf("cut pickle: %v", err)
	}
}

// Every single-byte change inside a member's zip data is caught (by
// deflate, by our checks, or at the latest by the CRC-32).
func testCorruptMember(t *testing.T, dir string) {
	for _, f := range []string{"stored.npz", "deflated.npz"} {
		full, _ := os.ReadFile(filepath.Join(dir, f))
		zr, err := zip.NewReader(bytes.NewReader(full), int64(len(full)))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range zr.File {
			off, _ := m.DataOffset()
			for i := off; i < off+int64(m.CompressedSize64); i++ {
				bad := bytes.Clone(full)
				bad[i] ^= 0x5a
				if err := load(bad, f); err == nil || !strings.Contains(err.Error(), f) {
					t.Fatalf("%s: byte %d of %s flipped: %v", f, i-off, m.Name, err)
				}
			}
		}
	}
}

// npyBytes assembles a .npy from a header dictionary and a body.
func npyBytes(dict string, body []byte) []byte {
	b := []byte(magic + "\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)+1))
	b = append(b, dict+"\n"...)
	return append(b, body...)
}

const objHeader = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"

// objPickle is a protocol 3 pickle of a one-element object array holding
// the array made by elem (which leaves one value on the stack).
func objPickle(elem string) []byte {
	p := "\x80\x03" +
		"cnumpy.core.multiarray\n_reconstruct\nq\x00" + "cnumpy\nndarray\nq\x01" +
		"K\x00\x85C\x01b\x87R" + // _reconstruct(ndarray, (0,), b'b')
		"(K\x01K\x01\x85" + "cnumpy\ndtype\nq\x02X\x02\x00\x00\x00O8\x89\x88\x87R" +
		"(K\x03X\x01\x00\x00\x00|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK?tb" + // dtype state
		"\x89]" + "(" + elem + "e" + "tb."
	return []byte(p)
}

// f4Elem is an element array of two float32 1.0 values, built the way
// numpy does.
const f4Elem = "h\x00h\x01K\x00\x85C\x01b\x87R" +
	"(K\x01K\x02\x85h\x02X\x02\x00\x00\x00f4\x89\x88\x87R" +
	"(K\x03X\x01\x00\x00\x00<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb" +
	"\x89C\x08\x00\x00\x80?\x00\x00\x80?tb"

func TestCraftedRefused(t *testing.T) {
	f4 := npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", make([]byte, 8))
	if err := load(f4, "ok.npy"); err != nil {
		t.Fatal(err)
	}
	if err := load(npyBytes(objHeader, objPickle(f4Elem)), "ok.npy"); err != nil {
		t.Fatalf("hand-built object array: %v", err)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "truncated: the file ends inside the magic string"},
		{"not npy", []byte("PK\x03\x04 some zip"), "not a .npy file"},
		{"version 4", []byte(magic + "\x04\x00\x10\x00"), "format version 4.0 is not supported"},
		{"header past end", []byte(magic + "\x01\x00\xff\x00{}"), "header length 255 runs past the end"},
		{"header not dict", npyBytes("[1, 2]", nil), "not a dictionary"},
		{"header missing key", npyBytes("{'descr': '<f4', 'shape': (2,)}", nil), "has 2 keys"},
		{"header duplicate key", npyBytes("{'descr': '<f4', 'descr': '<f4', 'shape': (2,)}", nil), `key "descr" appears twice`},
		{"header bad shape", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", nil), "non-negative"},
		{"header junk", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", nil), "after the dictionary"},
		{"header unterminated", npyBytes("{'descr': '<f4", nil), "unterminated string"},
		{"huge shape", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", nil), "too large"},
		{"short data", f4[:len(f4)-1], "needs 8 bytes of data, the file has at most 7"},
		{"trailing bytes", append(bytes.Clone(f4), 0), "unexpected bytes after the array data"},
		{"unknown opcode", npyBytes(objHeader, []byte("\x80\x03\xff")), "opcode 0xff): opcode not supported"},
		{"protocol 1", npyBytes(objHeader, []byte("\x80\x01.")), "pickle protocol 1 is not supported"},
		{"underflow", npyBytes(objHeader, []byte("\x80\x03t.")), "no MARK"},
		{"underflow mark", npyBytes(objHeader, []byte("\x80\x03(\x85.")), "stack underflow"},
		{"memo miss", npyBytes(objHeader, []byte("\x80\x03h\x07.")), "memo key 7 was never stored"},
		{"length past end", npyBytes(objHeader, []byte("\x80\x03B\xff\xff\xff\x7f")), "needs 2147483647 bytes but at most 0 remain"},
		{"no stop", npyBytes(objHeader, []byte("\x80\x03N")), "ends before STOP"},
		{"two values", npyBytes(objHeader, []byte("\x80\x03NN.")), "STOP with 2 values"},
		{"not an array", npyBytes(objHeader, []byte("\x80\x03N.")), "holds None, not an array"},
		{"float element", npyBytes(objHeader, objPickle("G@\x09!\xfb\x54\x44\x2d\x18")), "element 0 is a float; only arrays"},
		{"ndarray called", npyBytes(objHeader, []byte("\x80\x03cnumpy\nndarray\n)R.")), "numpy.ndarray: cannot be called"},
		{"builtins eval", npyBytes(objHeader, []byte("\x80\x04\x8c\x08builtins\x8c\x04eval\x93.")), "calls GLOBAL builtins.eval: not allowed"},
		{"element data short", npyBytes(objHeader, objPickle(strings.Replace(f4Elem, "C\x08\x00\x00\x80?\x00\x00\x80?", "C\x04\x00\x00\x80?", 1))), "4 bytes of data for 2 elements of <f4"},
		{"element big-endian", npyBytes(objHeader, objPickle(strings.Replace(f4Elem, "X\x01\x00\x00\x00<", "X\x01\x00\x00\x00>", 1))), `dtype ">f4" is big-endian`},
		{"shape mismatch", npyBytes(strings.Replace(objHeader, "(1,)", "(2,)", 1), objPickle(f4Elem)), "header shape [2] but the pickled array has shape [1]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := load(c.data, "bad.npy")
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), "bad.npy") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q should name the file and contain %q", err, c.want)
			}
		})
	}
}

// A pickle may hold any value numpy would not write but Python could; the
// machine reads them without crashing, and the array check then refuses.
func TestPickleValueOpcodes(t *testing.T) {
	// A dict {1: -385 (LONG1), 'k': [2.5, None, True]} via memo and DUP/POP.
	p := "\x80\x02}r\x00\x01\x00\x00(K\x01\x8a\x02\x7f\xfe" + "X\x01\x00\x00\x00k" +
		"]q\x05(G@\x04\x00\x00\x00\x00\x00\x00N\x88eu" + "2" + "0" + "j\x00\x01\x00\x00" + "0."
	m := &counter{r: strings.NewReader(p)}
	v, err := unpickle(m, int64(len(p)), "v.pkl")
	if err != nil {
		t.Fatal(err)
	}
	d, ok := v.(*pyDict)
	if !ok || len(d.keys) != 2 || d.keys[0] != int64(1) || d.vals[0] != int64(-385) || d.keys[1] != "k" {
		t.Fatalf("got %#v", v)
	}
	l := d.vals[1].(*pyList)
	if len(l.items) != 3 || l.items[0] != 2.5 || l.items[1] != (none{}) || l.items[2] != true {
		t.Errorf("list %#v", l.items)
	}
}

func FuzzDecode(f *testing.F) {
	dir := numpyFiles(f, smallFiles)
	for _, name := range smallNames {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil && strings.HasSuffix(name, ".npy") {
			f.Add(b)
		}
	}
	f.Add(npyBytes(objHeader, objPickle(f4Elem)))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := decode(bytes.NewReader(data), int64(len(data)), "fuzz.npy")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.npy") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		checkArray(t, a)
	})
}

func FuzzNPZ(f *testing.F) {
	dir := numpyFiles(f, smallFiles)
	for _, name := range []string{"stored.npz", "deflated.npz"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := readNPZ(bytes.NewReader(data), int64(len(data)), "fuzz.npz", "")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.npz") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, a := range m {
			checkArray(t, a)
		}
	})
}

// checkArray asserts what every decoded array promises: Data holds
// exactly product(Shape) values of its DType.
func checkArray(t *testing.T, a *Array) {
	t.Helper()
	n := -1
	switch d := a.Data.(type) {
	case []float32:
		n = len(d)
	case []float64:
		n = len(d)
	case []uint8:
		n = len(d)
	case []uint16:
		n = len(d)
	case []int32:
		n = len(d)
	case []int64:
		n = len(d)
	case []*Array:
		n = len(d)
		for _, e := range d {
			checkArray(t, e)
		}
	}
	if n != a.Len() {
		t.Fatalf("dtype %s shape %v holds %d values (%T)", a.DType, a.Shape, n, a.Data)
	}
	if _, known := dtypes[a.DType]; !known && a.DType != ObjectDType {
		t.Fatalf("dtype %q", a.DType)
	}
}
