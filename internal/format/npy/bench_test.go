package npy

import (
	"path/filepath"
	"testing"
)

// BenchmarkDepthMapsKITTI loads a Monodepth2-style gt_depths.npz of 24
// sparse KITTI-sized float32 maps (the four image sizes in turn); bytes/op
// counts the float32 payload, so MB/s extrapolates to the 697-map Eigen
// file.
func BenchmarkDepthMapsKITTI(b *testing.B) {
	dir := numpyFiles(b, `
rng = np.random.default_rng(1)
sizes = [(375, 1242), (370, 1226), (374, 1238), (376, 1241)]
obj = np.empty(24, dtype=object)
for k in range(24):
    h, w = sizes[k % 4]
    d = rng.uniform(1, 80, size=(h, w)).astype(np.float32)
    d[rng.random((h, w)) < 0.95] = 0
    obj[k] = d
np.savez_compressed(D + '/gt_depths.npz', data=obj)
`)
	path := filepath.Join(dir, "gt_depths.npz")
	maps, err := DepthMaps(path, "")
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, m := range maps {
		n += int64(4 * len(m.Data))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DepthMaps(path, ""); err != nil {
			b.Fatal(err)
		}
	}
}
