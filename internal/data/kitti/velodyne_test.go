package kitti

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// With identity rectification and a velo→cam transform that maps
// (forward, left, up) to camera (x right, y down, z forward) with the
// camera 0.25 m ahead of the LiDAR, a point 10 m ahead, 1 m left lands
// left of the principal point and stores 10 (velodyne x) or 9.75 (camera z).
func TestProjectDepthFollowsMonodepth2(t *testing.T) {
	dir := t.TempDir()
	cc := filepath.Join(dir, "calib_cam_to_cam.txt")
	vc := filepath.Join(dir, "calib_velo_to_cam.txt")
	os.WriteFile(cc, []byte("calib_time: 09-Jan-2012\nS_rect_02: 100 50\nR_rect_00: 1 0 0 0 1 0 0 0 1\nP_rect_02: 50 0 50 0 0 50 25 0 0 0 1 0\n"), 0o644)
	os.WriteFile(vc, []byte("R: 0 -1 0 0 0 -1 1 0 0\nT: 0 0 -0.25\n"), 0o644)
	P, w, h, err := VeloToImage(cc, vc)
	if err != nil || w != 100 || h != 50 {
		t.Fatal(w, h, err)
	}
	// Camera z = x − 0.25. (10.25, 1): u = 50 − 50/10 = 45 → column 44,
	// row 24. (20.25, 2) lands there too (the nearer one wins), and so
	// does (10.2525, 1.0002) (a hair farther). (12.75, 0.375): u = 48.5
	// exactly, which numpy rounds to even: 48 → column 47 (math.Round
	// would give 48). Behind the sensor and off the image: dropped.
	pts := [][4]float32{{10.25, 1, 0, 0}, {20.25, 2, 0, 0}, {10.2525, 1.0002, 0, 0}, {12.75, 0.375, 0, 0}, {-5, 0, 0, 0}, {10, 50, 0, 0}}
	bin := filepath.Join(dir, "0000000000.bin")
	var raw []byte
	for _, p := range pts {
		for _, v := range p {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
		}
	}
	os.WriteFile(bin, raw, 0o644)
	read, err := ReadVelodyne(bin)
	if err != nil || len(read) != len(pts) {
		t.Fatal(read, err)
	}
	for _, c := range []struct {
		value    DepthValue
		near, hf float32
	}{{VelodyneX, 10.25, 12.75}, {CameraZ, 10, 12.5}} {
		d := ProjectDepth(read, P, w, h, c.value)
		if d[24*w+44] != c.near || d[24*w+47] != c.hf {
			t.Errorf("%s: depth at (44,24) %g, at (47,24) %g; want %g and %g", c.value, d[24*w+44], d[24*w+47], c.near, c.hf)
		}
		if n := nonZero(d); n != 2 {
			t.Errorf("%s: %d pixels with depth, want 2 (behind-sensor and off-image points dropped)", c.value, n)
		}
	}
	os.WriteFile(bin, raw[:len(raw)-3], 0o644)
	if _, err := ReadVelodyne(bin); err == nil {
		t.Error("truncated scan: want an error")
	}
}

func nonZero(d []float32) int {
	n := 0
	for _, v := range d {
		if v != 0 {
			n++
		}
	}
	return n
}
