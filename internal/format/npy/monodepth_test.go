package npy

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// gtScript writes what Monodepth2's export_gt_depth.py writes for KITTI:
// float32 depth maps of the sizes of three recording dates, mostly zero
// like projected LiDAR, in an object array saved with
// np.savez_compressed(..., data=...). It also writes each map raw
// (tofile), the ground truth the loaded values are compared with, and the
// same object array pickled with every protocol numpy can meet: numpy
// hard-codes protocol 3 in np.save, so the others go through numpy's own
// header writer followed by pickle.dump, exactly as np.save does it.
const gtScript = `
import io, pickle, zipfile
rng = np.random.default_rng(0)
maps = []
for k, (h, w) in enumerate([(375, 1242), (370, 1226), (374, 1238)]):
    d = rng.uniform(1, 80, size=(h, w)).astype(np.float32)
    d[rng.random((h, w)) < 0.9] = 0
    d.tofile(f'{D}/gt{k}.f32')
    maps.append(d)
obj = np.empty(3, dtype=object)
for k, d in enumerate(maps):
    obj[k] = d
np.savez_compressed(D + '/gt_depths.npz', data=obj)
for p in (2, 3, 4, 5):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, np.lib.format.header_data_from_array_1_0(obj))
    start = buf.tell()
    pickle.dump(obj, buf, protocol=p)
    raw = buf.getvalue()
    assert raw[start:start + 2] == bytes([0x80, p])
    back = np.load(io.BytesIO(raw), allow_pickle=True)
    assert all(np.array_equal(a, b) for a, b in zip(back, maps))
    with zipfile.ZipFile(f'{D}/gt_p{p}.npz', 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('data.npy', raw)
    open(f'{D}/gt_p{p}.npy', 'wb').write(raw)
# Maps of one size: np.array(list) is then a plain (N, H, W) float32 array.
same = [np.ascontiguousarray(m[:370, :1226]) for m in maps]
for k, m in enumerate(same):
    m.tofile(f'{D}/same{k}.f32')
np.savez_compressed(D + '/gt_same.npz', data=np.array(same))
`

func readF32(t *testing.T, path string) []float32 {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float32, len(raw)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return v
}

func checkMaps(t *testing.T, name string, maps []Array2D, dir, prefix string, sizes [][2]int) {
	t.Helper()
	if len(maps) != len(sizes) {
		t.Fatalf("%s: %d maps, want %d", name, len(maps), len(sizes))
	}
	for k, m := range maps {
		want := readF32(t, filepath.Join(dir, fmt.Sprintf("%s%d.f32", prefix, k)))
		if m.H != sizes[k][0] || m.W != sizes[k][1] || len(m.Data) != m.H*m.W {
			t.Fatalf("%s map %d: %dx%d with %d values, want %v", name, k, m.H, m.W, len(m.Data), sizes[k])
		}
		for i := range want {
			if math.Float32bits(m.Data[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s map %d value %d: %v, want %v", name, k, i, m.Data[i], want[i])
			}
		}
	}
}

var kittiSizes = [][2]int{{375, 1242}, {370, 1226}, {374, 1238}}

func TestMonodepth2GroundTruth(t *testing.T) {
	dir := numpyFiles(t, gtScript)
	files := []string{"gt_depths.npz", "gt_p2.npz", "gt_p3.npz", "gt_p4.npz", "gt_p5.npz", "gt_p2.npy", "gt_p5.npy"}
	for _, f := range files {
		maps, err := DepthMaps(filepath.Join(dir, f), "")
		if err != nil {
			t.Fatal(err)
		}
		checkMaps(t, f, maps, dir, "gt", kittiSizes)
	}
	same, err := DepthMaps(filepath.Join(dir, "gt_same.npz"), "data")
	if err != nil {
		t.Fatal(err)
	}
	checkMaps(t, "gt_same.npz", same, dir, "same", [][2]int{{370, 1226}, {370, 1226}, {370, 1226}})

	// The general API sees the object array as such.
	m, err := LoadNPZ(filepath.Join(dir, "gt_depths.npz"))
	if err != nil {
		t.Fatal(err)
	}
	a := m["data"]
	elems, err := a.Objects()
	if err != nil || a.DType != ObjectDType || !reflect.DeepEqual(a.Shape, []int{3}) || len(elems) != 3 {
		t.Fatalf("data: %s %v %v", a.DType, a.Shape, err)
	}
	if elems[1].DType != "<f4" || !reflect.DeepEqual(elems[1].Shape, []int{370, 1226}) {
		t.Errorf("element 1: %s %v", elems[1].DType, elems[1].Shape)
	}

	_, err = DepthMaps(filepath.Join(dir, "gt_depths.npz"), "depth")
	if err == nil || !strings.Contains(err.Error(), `no array "depth" (it has: data)`) {
		t.Errorf("missing key: %v", err)
	}
}

// An object array of shape (2, 2) in Fortran order holding arrays of other
// dtypes, orders and ranks, one of them twice, in every protocol.
func TestNumpyMixedObjectArray(t *testing.T) {
	dir := numpyFiles(t, `
import io, pickle
o = np.empty((2, 2), dtype=object, order='F')
A = np.asfortranarray(np.arange(6, dtype='<u2').reshape(2, 3) * 1000)
o[0, 0], o[1, 0], o[0, 1], o[1, 1] = A, (np.arange(24) / 8).reshape(2, 3, 4), np.array(-7), A
assert o.flags.f_contiguous and not o.flags.c_contiguous
for p in (2, 3, 4, 5):
    with open(f'{D}/mixed{p}.npy', 'wb') as f:
        np.lib.format.write_array_header_1_0(f, np.lib.format.header_data_from_array_1_0(o))
        pickle.dump(o, f, protocol=p)
`)
	a8 := make([]float64, 24)
	for i := range a8 {
		a8[i] = float64(i) / 8
	}
	for p := 2; p <= 5; p++ {
		path := filepath.Join(dir, fmt.Sprintf("mixed%d.npy", p))
		a, err := LoadNPY(path)
		if err != nil {
			t.Fatal(err)
		}
		e, _ := a.Objects()
		if !reflect.DeepEqual(a.Shape, []int{2, 2}) || len(e) != 4 {
			t.Fatalf("%s: shape %v", path, a.Shape)
		}
		// C order: [0,0] [0,1] [1,0] [1,1].
		if e[0] != e[3] || !reflect.DeepEqual(e[0].Data, []uint16{0, 1000, 2000, 3000, 4000, 5000}) || e[0].DType != "<u2" {
			t.Errorf("%s [0,0]: %+v", path, e[0])
		}
		if len(e[1].Shape) != 0 || e[1].DType != "<i8" || !reflect.DeepEqual(e[1].Data, []int64{-7}) {
			t.Errorf("%s [0,1]: %+v", path, e[1])
		}
		if !reflect.DeepEqual(e[2].Shape, []int{2, 3, 4}) || !reflect.DeepEqual(e[2].Data, a8) {
			t.Errorf("%s [1,0]: %+v", path, e[2])
		}
	}
}

// A pickle that calls os.system is refused before anything is built, while
// numpy itself, given allow_pickle=True, runs it: the file is a live
// payload.
func TestPickleOtherGlobalRefused(t *testing.T) {
	dir := numpyFiles(t, `
import io, os, pickle
class Evil:
    def __reduce__(self):
        return (os.system, ('touch ' + D + '/pwned',))
o = np.empty(2, dtype=object)
o[0], o[1] = np.zeros(2, np.float32), Evil()
np.save(D + '/evil3.npy', o, allow_pickle=True)
with open(D + '/evil4.npy', 'wb') as f:
    np.lib.format.write_array_header_1_0(f, np.lib.format.header_data_from_array_1_0(o))
    pickle.dump(o, f, protocol=4)
np.savez_compressed(D + '/evil.npz', data=o)
`)
	pwned := filepath.Join(dir, "pwned")
	for _, f := range []string{"evil3.npy", "evil4.npy", "evil.npz"} {
		path := filepath.Join(dir, f)
		_, err := DepthMaps(path, "data")
		want := "pickle in " + path
		if f == "evil.npz" {
			want += ":data.npy"
		}
		want += " calls GLOBAL posix.system: not allowed"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", f, err, want)
		}
	}
	if _, err := os.Stat(pwned); !os.IsNotExist(err) {
		t.Fatalf("payload ran while we loaded: %v", err)
	}
	numpyFiles(t, fmt.Sprintf("np.load(%q, allow_pickle=True)\n", filepath.Join(dir, "evil3.npy")))
	if _, err := os.Stat(pwned); err != nil {
		t.Fatalf("the file is not a live payload, so the test proves nothing: %v", err)
	}
}
