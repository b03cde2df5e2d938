package training

import (
	"errors"
	"io/fs"
	"sync"

	"github.com/xdistill/edge-depth/kitti"
)

// drivePoses caches each drive's poses.txt (nil when the drive has none).
type drivePoses struct {
	mu    sync.Mutex
	cache map[kitti.Drive][]kitti.Pose
}

func (d *drivePoses) get(root string, drv kitti.Drive) ([]kitti.Pose, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.cache[drv]; ok {
		return p, nil
	}
	p, err := kitti.ReadPoses(drv.PosesPath(root))
	if errors.Is(err, fs.ErrNotExist) {
		p, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	if d.cache == nil {
		d.cache = map[kitti.Drive][]kitti.Pose{}
	}
	d.cache[drv] = p
	return p, nil
}

// relPose is the row-major 4×4 transform from camera t to camera s for
// camera-to-world poses: inv(P_s) · P_t.
func relPose(pt, ps kitti.Pose) [16]float64 {
	var out [16]float64
	// inv([R|c]) = [Rᵀ | −Rᵀc]
	for r := range 3 {
		for c := range 4 {
			var v float64
			for k := range 3 {
				// (Rsᵀ)[r][k] = Rs[k][r]
				v += ps[4*k+r] * at(pt, k, c)
			}
			if c == 3 {
				for k := range 3 {
					v -= ps[4*k+r] * ps[4*k+3]
				}
			}
			out[4*r+c] = v
		}
	}
	out[15] = 1
	return out
}

// at reads row r, column c of a 3×4 pose as a 4×4 matrix.
func at(p kitti.Pose, r, c int) float64 { return p[4*r+c] }
