package kitti

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// VelodynePath is frame i's LiDAR scan in a KITTI raw drive.
func (d Drive) VelodynePath(root string, i int) string {
	return filepath.Join(d.Dir(root), "velodyne_points", "data", fmt.Sprintf("%010d.bin", i))
}

// ReadVelodyne reads a KITTI scan: float32 (x, y, z, reflectance) records.
func ReadVelodyne(path string) ([][4]float32, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("velodyne %w", err)
	}
	if len(raw)%16 != 0 {
		return nil, fmt.Errorf("velodyne %s: %d bytes, not a whole number of 16-byte points", path, len(raw))
	}
	pts := make([][4]float32, len(raw)/16)
	for i := range pts {
		for k := range 4 {
			pts[i][k] = math.Float32frombits(binary.LittleEndian.Uint32(raw[16*i+4*k:]))
		}
	}
	return pts, nil
}

// Mat4 is a row-major 4×4 matrix (a LiDAR-to-image projection).
type Mat4 [4][4]float64

func (a Mat4) mul(b Mat4) Mat4 {
	var c Mat4
	for i := range 4 {
		for j := range 4 {
			for k := range 4 {
				c[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return c
}

func identity4() Mat4 { return Mat4{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}} }

// VeloToImage is the projection from LiDAR to the rectified left colour
// camera: P_rect_02 · R_rect_00 · [R|T]_velo→cam, and the image size.
func VeloToImage(camToCam, veloToCam string) (Mat4, int, int, error) {
	cc, err := readCalibKeys(camToCam, "R_rect_00", "P_rect_02", "S_rect_02")
	if err != nil {
		return Mat4{}, 0, 0, err
	}
	vc, err := readCalibKeys(veloToCam, "R", "T")
	if err != nil {
		return Mat4{}, 0, 0, err
	}
	r, t, rr, p, s := vc["R"], vc["T"], cc["R_rect_00"], cc["P_rect_02"], cc["S_rect_02"]
	if len(r) != 9 || len(t) != 3 || len(rr) != 9 || len(p) != 12 || len(s) != 2 {
		return Mat4{}, 0, 0, fmt.Errorf("calib %s / %s: need R (9), T (3), R_rect_00 (9), P_rect_02 (12), S_rect_02 (2)", camToCam, veloToCam)
	}
	v2c, rect, proj := identity4(), identity4(), Mat4{}
	for i := range 3 {
		for j := range 3 {
			v2c[i][j], rect[i][j] = r[3*i+j], rr[3*i+j]
		}
		v2c[i][3] = t[i]
		for j := range 4 {
			proj[i][j] = p[4*i+j]
		}
	}
	return proj.mul(rect).mul(v2c), int(s[0]), int(s[1]), nil
}

// DepthValue is what a projected ground-truth pixel stores.
type DepthValue int

const (
	// VelodyneX stores the LiDAR point's forward coordinate (velodyne x),
	// as Monodepth2's export_gt_depth.py does (generate_depth_map with
	// vel_depth=True): its gt_depths.npz and the published Eigen tables
	// use it. The velodyne sits ~0.27 m behind the camera, so it reads
	// ~0.27 m more than CameraZ.
	VelodyneX DepthValue = iota
	// CameraZ stores the point's depth along the rectified camera's axis.
	CameraZ
)

// ParseDepthValue reads "velodyne-x" or "camera-z".
func ParseDepthValue(s string) (DepthValue, error) {
	switch s {
	case "velodyne-x":
		return VelodyneX, nil
	case "camera-z":
		return CameraZ, nil
	}
	return 0, fmt.Errorf("depth value %q: want velodyne-x (Monodepth2's ground truth) or camera-z", s)
}

func (v DepthValue) String() string {
	if v == CameraZ {
		return "camera-z"
	}
	return "velodyne-x"
}

// ProjectDepth makes a sparse depth map (w×h, metres, 0 = none) from LiDAR
// points with Monodepth2's rules, in its order: points with velodyne x < 0
// are dropped (nothing else is: a point beside the sensor with camera z < 0
// still projects, through the sign flip); the pixel is the projection
// rounded half to even (numpy's round) minus one; points off the image
// are dropped; where several land on one pixel the smallest stored value
// wins, whichever kind value is; negative results become 0.
func ProjectDepth(points [][4]float32, P Mat4, w, h int, value DepthValue) []float32 {
	best := make([]float64, w*h)
	for i := range best {
		best[i] = math.Inf(1) // no point yet
	}
	for _, q := range points {
		if !(q[0] >= 0) {
			continue
		}
		i, d, ok := projectPoint(q, P, w, h)
		if !ok {
			continue
		}
		if value == VelodyneX {
			d = float64(q[0])
		}
		best[i] = math.Min(best[i], d)
	}
	depth := make([]float32, w*h)
	for i, d := range best {
		if d > 0 && !math.IsInf(d, 1) {
			depth[i] = float32(d)
		}
	}
	return depth
}

// projectPoint is q's pixel index in a w×h image and its camera-frame z;
// ok is false off the image (NaN and ±Inf from z = 0 included).
func projectPoint(q [4]float32, P Mat4, w, h int) (int, float64, bool) {
	x, y, z := float64(q[0]), float64(q[1]), float64(q[2])
	u := P[0][0]*x + P[0][1]*y + P[0][2]*z + P[0][3]
	v := P[1][0]*x + P[1][1]*y + P[1][2]*z + P[1][3]
	d := P[2][0]*x + P[2][1]*y + P[2][2]*z + P[2][3]
	// Minus one: KITTI's MATLAB devkit counts pixels from 1.
	px, py := math.RoundToEven(u/d)-1, math.RoundToEven(v/d)-1
	if !(px >= 0 && py >= 0 && px < float64(w) && py < float64(h)) {
		return 0, 0, false
	}
	return int(py)*w + int(px), d, true
}
