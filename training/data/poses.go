package data

import (
	"errors"
	"io/fs"
	"sync"

	"github.com/xdistill/edge-depth/internal/data/kitti"
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

// relPose is the row-major 4×4 transform from camera t to camera s.
func relPose(pt, ps kitti.Pose) [16]float64 {
	var out [16]float64
	r := kitti.Relative(pt, ps) // 3×4 row-major: the top three rows
	copy(out[:12], r[:])
	out[15] = 1
	return out
}
