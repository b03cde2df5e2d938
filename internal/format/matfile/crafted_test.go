package matfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/pyref"
)

// craft builds MAT-files by hand in both byte orders with what scipy never
// writes: small data elements, a double array stored as miUINT8 (MATLAB's
// storage compaction), big-endian data and an unpadded compressed element
// mid-file. scipy.io.loadmat must read each back, which vouches for the
// files, before our reader is asked to.
const craft = `
import sys, struct, zlib, numpy as np, scipy.io
D = sys.argv[1]
for E, name, mark in ((">", "be.mat", b"MI"), ("<", "le.mat", b"IM")):
    def elem(typ, data):
        b = struct.pack(E + "II", typ, len(data)) + data
        return b + b"\0" * (-len(b) % 8)
    def small(typ, data):
        word = struct.pack(E + "I", (len(data) << 16) | typ)
        return word + data + b"\0" * (4 - len(data))
    def matrix(nm, cls, dims, mtype, fmt, values):
        flags = elem(6, struct.pack(E + "II", cls, 0))
        dm = elem(5, struct.pack(E + "%di" % len(dims), *dims))
        nm_el = small(1, nm) if len(nm) <= 4 else elem(1, nm)
        data = struct.pack(E + fmt * len(values), *values)
        real = small(mtype, data) if len(data) <= 4 else elem(mtype, data)
        return elem(14, flags + dm + nm_el + real)
    hdr = b"MATLAB 5.0 MAT-file, crafted by hand".ljust(116, b" ") + b"\0" * 8 + struct.pack(E + "H", 0x0100) + mark
    z = zlib.compress(matrix(b"zz", 6, [1, 3], 9, "d", [0.5, -2.0, 1e300]))
    body = (matrix(b"d", 6, [2, 3], 2, "B", [1, 4, 2, 5, 3, 6])
            + matrix(b"depthmap", 7, [2, 2], 7, "f", [1.5, -2.5, 3.25, 70.0])
            + struct.pack(E + "II", 15, len(z)) + z
            + matrix(b"i16", 10, [1, 2], 3, "h", [-5, 300])
            + matrix(b"u32", 13, [1, 1], 6, "I", [4000000000]))
    open(D + "/" + name, "wb").write(hdr + body)
    m = scipy.io.loadmat(D + "/" + name, mat_dtype=True)  # class, not storage, dtype
    assert (m["d"] == [[1, 2, 3], [4, 5, 6]]).all() and m["d"].dtype.str[1:] == "f8", m["d"]
    assert (m["depthmap"] == np.array([[1.5, 3.25], [-2.5, 70]], np.float32)).all(), m["depthmap"]
    assert (m["zz"] == [[0.5, -2.0, 1e300]]).all() and (m["i16"] == [[-5, 300]]).all(), m
    assert m["u32"][0, 0] == 4000000000 and m["u32"].dtype.str[1:] == "u4", m["u32"]
`

func TestCraftedBothEndians(t *testing.T) {
	pyref.Require(t, "scipy.io")
	dir := t.TempDir()
	runPython(t, craft, dir)
	for _, name := range []string{"be.mat", "le.mat"} {
		f, err := Read(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]float64{
			"d":        {1, 2, 3, 4, 5, 6}, // row-major of [[1 2 3] [4 5 6]]
			"depthmap": {1.5, 3.25, -2.5, 70},
			"zz":       {0.5, -2, 1e300},
			"i16":      {-5, 300},
			"u32":      {4e9},
		}
		if len(f.Vars) != len(want) || f.Header != "MATLAB 5.0 MAT-file, crafted by hand" {
			t.Errorf("%s: %d variables, header %q", name, len(f.Vars), f.Header)
		}
		for v, vals := range want {
			got, err := f.Var(v)
			if err != nil {
				t.Fatal(err)
			}
			assertExact(t, name+" "+v, got.RowMajor(), vals)
		}
		if d, _ := f.Var("d"); d.Class != "double" {
			t.Errorf("%s: class of d stored as uint8 is %s, want double", name, d.Class)
		}
	}
}

// TestTruncated cuts files at every length (crafted) or at chosen points
// (scipy's, which are large): never a panic, and a cut file either fails
// with a clear error or yields only the variables before the cut.
func TestTruncated(t *testing.T) {
	pyref.Require(t, "scipy.io")
	dir := t.TempDir()
	runPython(t, craft, dir)
	runPython(t, writeScipy, dir)
	for _, name := range []string{"be.mat", "plain.mat", "zipped.mat"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		full, err := Decode(data, name)
		if err != nil {
			t.Fatal(err)
		}
		cuts := []int{0, 100, 127, 128, 131, 136, 200, len(data) / 2, len(data) - 9, len(data) - 1}
		if len(data) < 4096 {
			cuts = cuts[:0]
			for n := 0; n < len(data); n++ {
				cuts = append(cuts, n)
			}
		}
		for _, n := range cuts {
			f, err := Decode(data[:n], name)
			if err != nil {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("%s cut at %d: error %q does not name the file", name, n, err)
				}
				continue
			}
			if n < headerSize || len(f.Vars) >= len(full.Vars) && n < len(data)-7 {
				t.Errorf("%s cut at %d: accepted with %d of %d variables", name, n, len(f.Vars), len(full.Vars))
			}
		}
	}
}

func TestHeaderErrors(t *testing.T) {
	hdr := func(version string, mark string) []byte {
		b := []byte(strings.Repeat(" ", 124))
		return append(append(b, version...), mark...)
	}
	cases := map[string][]byte{
		"shorter than the 128-byte":  []byte("MATLAB 5.0"),
		"not a Level 5 MAT-file":     hdr("\x00\x01", "XX"),
		"v7.3 (HDF5) is not support": hdr("\x00\x02", "IM"),
		"unknown MAT-file version":   hdr("\x07\x00", "IM"),
	}
	for want, data := range cases {
		if _, err := Decode(data, "x.mat"); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "x.mat") {
			t.Errorf("want %q naming x.mat, got %v", want, err)
		}
	}
	// A header alone is a valid file with no variables.
	if f, err := Decode(hdr("\x00\x01", "IM"), "empty.mat"); err != nil || len(f.Vars) != 0 {
		t.Errorf("header-only file: %v", err)
	}
}

func TestVarHelpers(t *testing.T) {
	// A 2×3×2 array; column-major value at (i,j,k) is i + 2j + 6k.
	v := Var{Name: "g", Dims: []int{2, 3, 2}, Data: make([]float64, 12)}
	for i := range v.Data {
		v.Data[i] = float64(i)
	}
	if v.At(1, 2, 1) != 1+4+6 {
		t.Errorf("At(1,2,1) = %g, want 11", v.At(1, 2, 1))
	}
	// Row-major starts (0,0,0)=0, (0,0,1)=6, (0,1,0)=2, (0,1,1)=8.
	if rm := v.RowMajor(); rm[0] != 0 || rm[1] != 6 || rm[2] != 2 || rm[3] != 8 || rm[11] != 11 {
		t.Errorf("RowMajor = %v", rm)
	}
	// Plane 1 row 1 = (1,0,1), (1,1,1), (1,2,1) = 7, 9, 11.
	p, rows, cols, err := v.Plane(1)
	if err != nil || rows != 2 || cols != 3 || p[3] != 7 || p[4] != 9 || p[5] != 11 {
		t.Errorf("Plane(1) = %v %d×%d %v", p, rows, cols, err)
	}
	if _, _, _, err := v.Plane(2); err == nil {
		t.Error("plane 2 of 2 accepted")
	}
}

func FuzzDecode(f *testing.F) {
	hdr := []byte(strings.Repeat(" ", 124) + "\x00\x01IM")
	f.Add(hdr)
	// x = 2.0 (1×1 double): flags, dims, small-element name, data.
	matrix := []byte{14, 0, 0, 0, 56, 0, 0, 0,
		6, 0, 0, 0, 8, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0,
		5, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,
		1, 0, 1, 0, 'x', 0, 0, 0,
		9, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40}
	f.Add(append(append([]byte{}, hdr...), matrix...))
	if file, err := Decode(append(append([]byte{}, hdr...), matrix...), "seed"); err != nil || file.Vars[0].Data[0] != 2 {
		f.Fatalf("seed does not decode: %v", err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if file, err := Decode(data, "fuzz"); err == nil {
			for _, v := range file.Vars {
				v.RowMajor()
				v.Plane(0)
			}
		}
	})
}
