package kitti

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/pyref"
)

// KITTI's 2011_09_26 calibration (the velodyne ~0.27 m behind camera 0).
const (
	kittiCamToCam = `calib_time: 09-Jan-2012 13:57:47
S_rect_02: 1.242000e+03 3.750000e+02
R_rect_00: 9.999239e-01 9.837760e-03 -7.445048e-03 -9.869795e-03 9.999421e-01 -4.278459e-03 7.402527e-03 4.351614e-03 9.999631e-01
P_rect_02: 7.215377e+02 0.000000e+00 6.095593e+02 4.485728e+01 0.000000e+00 7.215377e+02 1.728540e+02 2.163791e-01 0.000000e+00 0.000000e+00 1.000000e+00 2.745884e-03
`
	kittiVeloToCam = `calib_time: 15-Mar-2012 11:37:16
R: 7.533745e-03 -9.999714e-01 -6.166020e-04 1.480249e-02 7.280733e-04 -9.998902e-01 9.998621e-01 7.523790e-03 1.480755e-02
T: -4.069766e-03 -7.631618e-02 -2.717806e-01
delta_f: 0.000000e+00 0.000000e+00
delta_c: 0.000000e+00 0.000000e+00
`
)

// projectionJudge is the ground truth as the issue describes Monodepth2's
// export_gt_depth.py, written independently in numpy: drop velodyne
// x < 0, project with P_rect_02·R_rect_00·[R|T], pixel = round half to
// even − 1, drop off-image pixels, store velodyne x (or camera z), keep
// the smallest stored value per pixel, zero the negatives. It also counts
// the cases the scan was built to contain.
const projectionJudge = `
def calib(path):
    out = {}
    for line in open(path):
        key, _, rest = line.partition(":")
        try:
            out[key.strip()] = np.array([float(x) for x in rest.split()])
        except ValueError:
            pass
    return out
cc = calib(D + "/kitti/2011_09_26/calib_cam_to_cam.txt")
vc = calib(D + "/kitti/2011_09_26/calib_velo_to_cam.txt")
tr, rect = np.eye(4), np.eye(4)
tr[:3, :3], tr[:3, 3] = vc["R"].reshape(3, 3), vc["T"]
rect[:3, :3] = cc["R_rect_00"].reshape(3, 3)
P = cc["P_rect_02"].reshape(3, 4) @ rect @ tr
W, H = (int(s) for s in cc["S_rect_02"])
pts = np.fromfile(D + "/kitti/2011_09_26/2011_09_26_drive_0002_sync/velodyne_points/data/0000000069.bin", dtype="<f4").reshape(-1, 4)
ahead = pts[pts[:, 0] >= 0]
cam = np.c_[ahead[:, :3].astype(np.float64), np.ones(len(ahead))] @ P.T
with np.errstate(divide="ignore", invalid="ignore"):
    u = np.round(cam[:, 0] / cam[:, 2]) - 1
    v = np.round(cam[:, 1] / cam[:, 2]) - 1
inside = (u >= 0) & (v >= 0) & (u < W) & (v < H)
rows, cols = v[inside].astype(int), u[inside].astype(int)
for name, value in (("velodyne_x", ahead[:, 0].astype(np.float64)), ("camera_z", cam[:, 2])):
    depth = np.full((H, W), np.inf)
    np.minimum.at(depth, (rows, cols), value[inside])
    depth[np.isinf(depth) | (depth < 0)] = 0
    save(name, depth)
flat = rows * W + cols
_, hits = np.unique(flat, return_counts=True)
save("counts", [len(pts) - len(ahead), int((~inside).sum()), int((hits > 1).sum()), int((inside & (cam[:, 2] < 0)).sum())])
`

// The ground truth export-gt writes equals, pixel for pixel, an
// independent numpy projection of a scan with duplicated pixels, points
// behind the sensor, off the image and beside it (camera z < 0).
func TestExportGTMatchesNumpyProjection(t *testing.T) {
	pyref.Require(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "kitti")
	e := Entry{Drive: NewDrive("2011_09_26", 2), Frame: 69}
	writeFile(t, filepath.Join(root, "2011_09_26", "calib_cam_to_cam.txt"), []byte(kittiCamToCam))
	writeFile(t, filepath.Join(root, "2011_09_26", "calib_velo_to_cam.txt"), []byte(kittiVeloToCam))
	writeFile(t, e.Drive.VelodynePath(root, e.Frame), scanBytes(testScan()))
	ref := pyref.RunIn(t, dir, projectionJudge, nil)

	counts := ref["counts"].Data // behind, off-image, duplicated pixels, camera z < 0 in the image
	if counts[0] < 100 || counts[1] < 100 || counts[2] < 100 || counts[3] < 1 {
		t.Fatalf("the scan lacks cases (behind, off-image, duplicated pixels, camera z<0 in image): %v", counts)
	}
	for _, c := range []struct {
		value DepthValue
		ref   string
		tol   float64 // velodyne x is copied; camera z may differ in its last bit (BLAS)
	}{{VelodyneX, "velodyne_x", 0}, {CameraZ, "camera_z", 1e-5}} {
		want := ref[c.ref]
		got, w, h, err := ProjectFrame(root, e, c.value)
		if err != nil || w != want.Shape[1] || h != want.Shape[0] {
			t.Fatalf("%s: %dx%d, %v; numpy %v", c.value, w, h, err, want.Shape)
		}
		if d := maxDiff(t, got, want.Data); d > c.tol {
			t.Errorf("%s: projection differs from numpy by up to %g m", c.value, d)
		}
		out := filepath.Join(dir, "gt-"+c.value.String())
		path, err := ExportGT(root, out, e, c.value)
		if err != nil {
			t.Fatal(err)
		}
		png, err := ReadDepthSized(path, w, h)
		if err != nil {
			t.Fatal(err)
		}
		if d := maxDiff(t, png, pngRange(want.Data)); d > 0.5/DepthScale+1e-6 {
			t.Errorf("%s: depth PNG differs from numpy by up to %g m (PNG step 1/256)", c.value, d)
		}
	}
	// The symptom: camera z reads ~0.27 m less than velodyne x.
	vx, cz := ref["velodyne_x"].Data, ref["camera_z"].Data
	var sum float64
	n := 0
	for i := range vx {
		if vx[i] > 5 && cz[i] > 0 {
			sum += float64(vx[i] - cz[i])
			n++
		}
	}
	t.Logf("velodyne x − camera z: %.4f m on average over %d pixels; cases %v", sum/float64(n), n, counts)
	if m := sum / float64(n); m < 0.2 || m > 0.35 {
		t.Errorf("mean velodyne x − camera z = %.3f m over %d pixels, want ~0.27", m, n)
	}
}

// maxDiff is max |got − want|; it fails the test where exactly one of
// them is 0 (a pixel marked by one and not the other).
func maxDiff(t *testing.T, got, want []float32) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d values, numpy %d", len(got), len(want))
	}
	m, marked := 0.0, 0
	for i := range got {
		if (got[i] == 0) != (want[i] == 0) {
			t.Fatalf("pixel %d: %g, numpy %g: marked by one only", i, got[i], want[i])
		}
		if got[i] != 0 {
			marked++
		}
		m = math.Max(m, math.Abs(float64(got[i])-float64(want[i])))
	}
	if marked < 1000 {
		t.Fatalf("only %d pixels marked", marked)
	}
	return m
}

// testScan is a LiDAR sweep: points all around (a quarter behind the
// sensor, many off the image), clusters of points a few mm apart that
// share a pixel, and points beside the sensor (velodyne x ∈ [0, 0.2),
// camera z < 0) near the camera axis, which project through the sign flip.
func testScan() [][4]float32 {
	rng := rand.New(rand.NewPCG(19, 2))
	f := func(lo, hi float64) float32 { return float32(lo + (hi-lo)*rng.Float64()) }
	var pts [][4]float32
	for range 30000 {
		pts = append(pts, [4]float32{f(-30, 90), f(-40, 40), f(-3, 3), f(0, 1)})
	}
	for range 3000 {
		x, y, z := f(4, 60), f(-20, 20), f(-2.5, 1)
		for k := range 3 {
			pts = append(pts, [4]float32{x + 0.01*float32(k)*f(0, 1), y + f(-1e-3, 1e-3), z + f(-1e-3, 1e-3), 0.5})
		}
	}
	for range 400 {
		pts = append(pts, [4]float32{f(0, 0.2), f(-0.05, 0.05), f(-0.1, -0.05), 0.5})
	}
	return pts
}

// pngRange zeroes depths below half a PNG step (1/512 m), which a depth
// PNG cannot hold: only the sign-flipped points beside the sensor have them.
func pngRange(d []float32) []float32 {
	out := make([]float32, len(d))
	for i, v := range d {
		if v >= 0.5/DepthScale {
			out[i] = v
		}
	}
	return out
}

func scanBytes(pts [][4]float32) []byte {
	var raw []byte
	for _, p := range pts {
		for _, v := range p {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
		}
	}
	return raw
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindDepthLayouts(t *testing.T) {
	dir := t.TempDir()
	d := NewDrive("2011_09_26", 2)
	tail := filepath.Join("proj_depth", "groundtruth", "image_02", "0000000069.png")
	for _, base := range []string{filepath.Join("a", "2011_09_26", d.Name), filepath.Join("b", d.Name), filepath.Join("c", "val", d.Name)} {
		writeFile(t, filepath.Join(dir, base, tail), nil)
		got, err := FindDepth(filepath.Join(dir, strings.SplitN(base, string(filepath.Separator), 2)[0]), d, 69)
		if err != nil || got != filepath.Join(dir, base, tail) {
			t.Errorf("layout %s: %q, %v", base, got, err)
		}
	}
	if _, err := FindDepth(dir, d, 70); err == nil || !strings.Contains(err.Error(), "2011_09_26/2011_09_26_drive_0002_sync frame 70: none of") {
		t.Errorf("missing frame: %v", err)
	}
}
