package kitti

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// With identity rectification and a velo→cam transform that maps
// (forward, left, up) to camera (x right, y down, z forward), a point
// 10 m ahead, 1 m left lands left of the principal point at depth 10.
func TestProjectDepthFollowsMonodepth2(t *testing.T) {
	dir := t.TempDir()
	cc := filepath.Join(dir, "calib_cam_to_cam.txt")
	vc := filepath.Join(dir, "calib_velo_to_cam.txt")
	os.WriteFile(cc, []byte("calib_time: 09-Jan-2012\nS_rect_02: 100 50\nR_rect_00: 1 0 0 0 1 0 0 0 1\nP_rect_02: 50 0 50 0 0 50 25 0 0 0 1 0\n"), 0o644)
	os.WriteFile(vc, []byte("R: 0 -1 0 0 0 -1 1 0 0\nT: 0 0 0\n"), 0o644)
	P, w, h, err := VeloToImage(cc, vc)
	if err != nil || w != 100 || h != 50 {
		t.Fatal(w, h, err)
	}
	pts := [][4]float32{{10, 1, 0, 0}, {20, 1, 0, 0}, {10, 1.02, 0, 0}, {-5, 0, 0, 0}, {10, 50, 0, 0}}
	bin := filepath.Join(dir, "0000000000.bin")
	var raw []byte
	for _, p := range pts {
		for _, v := range p {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
		}
	}
	os.WriteFile(bin, raw, 0o644)
	read, err := ReadVelodyne(bin)
	if err != nil || len(read) != 5 {
		t.Fatal(read, err)
	}
	d := ProjectDepth(read, P, w, h)
	// u = 50·(−1)/10 + 50 = 45 → column 44; v = 25 → row 24. The point
	// 20 m away behind it and the one 1.02 m left at 10 m land on the
	// same pixel: the nearest (10 m) wins.
	if d[24*w+44] != 10 {
		t.Errorf("depth at (44,24) = %g, want 10", d[24*w+44])
	}
	n := 0
	for _, v := range d {
		if v > 0 {
			n++
		}
	}
	if n != 2 { // (44,24) and the 20 m point at u=47.5→48 → column 47
		t.Errorf("%d pixels with depth, want 2 (behind-sensor and off-image points dropped)", n)
	}
	os.WriteFile(bin, raw[:len(raw)-3], 0o644)
	if _, err := ReadVelodyne(bin); err == nil {
		t.Error("truncated scan: want an error")
	}
}
