package npy

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/pyref"
)

// Every file these tests read is written at test time by Debian's numpy
// (python3-numpy, installed by scripts/deps.sh); pyref.RunIn fails the test
// if the script cannot run, so a missing numpy is a failure, not a skip.

// numpyFiles runs script in a fresh directory (the script sees it as D)
// and returns the directory.
func numpyFiles(t testing.TB, script string) string {
	t.Helper()
	dir := t.TempDir()
	pyref.RunIn(t, dir, script, nil)
	return dir
}

// The values every dtype test uses, as numpy computes them from the flat C
// index i; expected below does the same in Go.
const dtypeValues = `
i = np.arange(24, dtype=np.int64)
vals = {
    'f4': ((i - 7) * 0.37).astype('<f4'),
    'f8': (i - 7) * 0.37,
    'u1': ((i * 37) % 256).astype('|u1'),
    'u2': ((i * 2731) % 65536).astype('<u2'),
    'i4': (i * 1000003 - 5000).astype('<i4'),
    'i8': i * 1000000007 - 5000,
}
vals['f4'][3] = np.float32(1e-45)  # smallest subnormal
vals['f8'][2] = -np.inf
vals['i4'][0], vals['i4'][-1] = -2**31, 2**31 - 1
vals['i8'][0], vals['i8'][-1] = -2**63, 2**63 - 1
`

func expected(kind string) any {
	const n = 24
	switch kind {
	case "f4":
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(float64(i-7) * 0.37)
		}
		v[3] = math.Float32frombits(1)
		return v
	case "f8":
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(i-7) * 0.37
		}
		v[2] = math.Inf(-1)
		return v
	case "u1":
		v := make([]uint8, n)
		for i := range v {
			v[i] = uint8(i * 37 % 256)
		}
		return v
	case "u2":
		v := make([]uint16, n)
		for i := range v {
			v[i] = uint16(i * 2731 % 65536)
		}
		return v
	case "i4":
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(i*1000003 - 5000)
		}
		v[0], v[n-1] = math.MinInt32, math.MaxInt32
		return v
	case "i8":
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(i)*1000000007 - 5000
		}
		v[0], v[n-1] = math.MinInt64, math.MaxInt64
		return v
	}
	panic(kind)
}

var descrs = map[string]string{"f4": "<f4", "f8": "<f8", "u1": "|u1", "u2": "<u2", "i4": "<i4", "i8": "<i8"}

// numericFiles writes every file the numeric tests read.
const numericFiles = dtypeValues + `
for k, v in vals.items():
    a = v.reshape(2, 3, 4)
    np.save(f'{D}/{k}_C.npy', a)
    f = np.asfortranarray(a)
    assert f.flags.f_contiguous and not f.flags.c_contiguous
    np.save(f'{D}/{k}_F.npy', f)
for ver in [(1, 0), (2, 0), (3, 0)]:
    with open(f'{D}/v{ver[0]}.npy', 'wb') as fh:
        np.lib.format.write_array(fh, vals['f4'].reshape(4, 6), version=ver)
np.save(D + '/scalar.npy', np.float64(2.5))
np.save(D + '/empty.npy', np.zeros((0, 3), '<f4'))
np.save(D + '/vec.npy', vals['i8'])
arrays = dict(f8=vals['f8'].reshape(6, 4), i4=np.asfortranarray(vals['i4'].reshape(4, 6)))
np.savez(D + '/stored.npz', vals['u2'].reshape(4, 6), **arrays)
np.savez_compressed(D + '/deflated.npz', vals['u2'].reshape(4, 6), **arrays)
import zipfile
assert {m.compress_type for m in zipfile.ZipFile(D + '/stored.npz').infolist()} == {zipfile.ZIP_STORED}
assert {m.compress_type for m in zipfile.ZipFile(D + '/deflated.npz').infolist()} == {zipfile.ZIP_DEFLATED}
np.save(D + '/be.npy', np.arange(4, dtype='>f4'))
np.save(D + '/c8.npy', np.arange(4, dtype='<c8'))
np.save(D + '/rec.npy', np.zeros(2, dtype=[('a', '<f4'), ('b', '<i4')]))
`

func TestNumpyNumeric(t *testing.T) {
	dir := numpyFiles(t, numericFiles)
	t.Run("dtypes and orders", func(t *testing.T) { testDTypesAndOrders(t, dir) })
	t.Run("header versions and shapes", func(t *testing.T) { testVersionsAndShapes(t, dir) })
	t.Run("npz stored and deflated", func(t *testing.T) { testNPZ(t, dir) })
	t.Run("refused dtypes", func(t *testing.T) { testRefusedDTypes(t, dir) })
}

func testDTypesAndOrders(t *testing.T, dir string) {
	for kind, descr := range descrs {
		for _, order := range []string{"C", "F"} {
			path := filepath.Join(dir, kind+"_"+order+".npy")
			raw, _ := os.ReadFile(path)
			// The F file must really be stored in Fortran order.
			if got := strings.Contains(string(raw[:128]), "'fortran_order': True"); got != (order == "F") {
				t.Fatalf("%s: fortran_order in header = %v", path, got)
			}
			a, err := LoadNPY(path)
			if err != nil {
				t.Fatal(err)
			}
			if a.DType != descr || !reflect.DeepEqual(a.Shape, []int{2, 3, 4}) {
				t.Errorf("%s: dtype %s shape %v", path, a.DType, a.Shape)
			}
			if !reflect.DeepEqual(a.Data, expected(kind)) {
				t.Errorf("%s: values\n got %v\nwant %v", path, a.Data, expected(kind))
			}
		}
	}
}

func testVersionsAndShapes(t *testing.T, dir string) {
	for _, v := range []string{"v1", "v2", "v3"} {
		path := filepath.Join(dir, v+".npy")
		raw, _ := os.ReadFile(path)
		if raw[6] != v[1]-'0' {
			t.Fatalf("%s: numpy wrote version %d", path, raw[6])
		}
		a, err := LoadNPY(path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a.Shape, []int{4, 6}) || !reflect.DeepEqual(a.Data, expected("f4")) {
			t.Errorf("%s: shape %v data %v", path, a.Shape, a.Data)
		}
	}
	cases := []struct {
		file  string
		shape []int
		data  any
	}{
		{"scalar.npy", nil, []float64{2.5}},
		{"empty.npy", []int{0, 3}, []float32{}},
		{"vec.npy", []int{24}, expected("i8")},
	}
	for _, c := range cases {
		a, err := LoadNPY(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Shape) != len(c.shape) || a.Len() != reflect.ValueOf(c.data).Len() || !reflect.DeepEqual(a.Data, c.data) {
			t.Errorf("%s: shape %v data %v, want %v %v", c.file, a.Shape, a.Data, c.shape, c.data)
		}
	}
}

func testNPZ(t *testing.T, dir string) {
	for _, file := range []string{"stored.npz", "deflated.npz"} {
		m, err := LoadNPZ(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if len(m) != 3 {
			t.Fatalf("%s: %d arrays, want arr_0, f8, i4", file, len(m))
		}
		for key, kind := range map[string]string{"arr_0": "u2", "f8": "f8", "i4": "i4"} {
			a := m[key]
			if a == nil || !reflect.DeepEqual(a.Data, expected(kind)) || a.Len() != 24 {
				t.Errorf("%s[%s] = %+v, want %v", file, key, a, expected(kind))
			}
		}
	}
}

func testRefusedDTypes(t *testing.T, dir string) {
	for file, want := range map[string]string{
		"be.npy":  `dtype ">f4" is big-endian`,
		"c8.npy":  `dtype "<c8" is not supported`,
		"rec.npy": "structured dtypes are not supported",
	} {
		path := filepath.Join(dir, file)
		_, err := LoadNPY(path)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one naming the file and %q", file, err, want)
		}
	}
}
