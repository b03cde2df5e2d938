package kitti

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/xdistill/edge-depth/internal/data/camera"
	"github.com/xdistill/edge-depth/internal/fsutil"
)

// ReadCalib reads the rectified left colour camera (P_rect_02, S_rect_02)
// from a calib_cam_to_cam.txt as written by KITTI or by WriteCalib. Other
// keys (other cameras, calib_time, …) are ignored.
func ReadCalib(path string) (camera.Intrinsics, error) {
	vals, err := readCalibKeys(path, "P_rect_02", "S_rect_02")
	if err != nil {
		return camera.Intrinsics{}, err
	}
	p, s := vals["P_rect_02"], vals["S_rect_02"]
	if len(p) != 12 || len(s) != 2 {
		return camera.Intrinsics{}, fmt.Errorf("calib %s: want P_rect_02 (12 numbers) and S_rect_02 (2), got %d and %d", path, len(p), len(s))
	}
	if s[0] != math.Trunc(s[0]) || s[1] != math.Trunc(s[1]) {
		return camera.Intrinsics{}, fmt.Errorf("calib %s: S_rect_02 %g %g: want whole pixel counts", path, s[0], s[1])
	}
	in := camera.Intrinsics{Fx: p[0], Cx: p[2], Fy: p[5], Cy: p[6], Width: int(s[0]), Height: int(s[1])}
	if err := in.Validate(); err != nil {
		return camera.Intrinsics{}, fmt.Errorf("calib %s: %w", path, err)
	}
	return in, nil
}

// readCalibKeys parses the wanted "key: numbers" lines of a calib file.
func readCalibKeys(path string, keys ...string) (map[string][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("calib: %w", err)
	}
	defer f.Close()
	vals := map[string][]float64{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		key = strings.TrimSpace(key)
		if !ok || !contains(keys, key) {
			continue
		}
		if _, dup := vals[key]; dup {
			return nil, fmt.Errorf("calib %s:%d: %s appears twice", path, line, key)
		}
		vals[key] = []float64{}
		for _, fld := range strings.Fields(rest) {
			v, err := strconv.ParseFloat(fld, 64)
			if err != nil {
				return nil, fmt.Errorf("calib %s:%d: %s: %q is not a number", path, line, key, fld)
			}
			vals[key] = append(vals[key], v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("calib %s: %w", path, err)
	}
	return vals, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// WriteCalib writes a calib_cam_to_cam.txt for a rectified left colour
// camera with intrinsics in (distortion-free, identity rectification), in
// KITTI's key layout so KITTI tools read it too.
func WriteCalib(path string, in camera.Intrinsics) error {
	if err := in.Validate(); err != nil {
		return fmt.Errorf("calib %s: %w", path, err)
	}
	k := []float64{in.Fx, 0, in.Cx, 0, in.Fy, in.Cy, 0, 0, 1}
	p := []float64{in.Fx, 0, in.Cx, 0, 0, in.Fy, in.Cy, 0, 0, 0, 1, 0}
	size := []float64{float64(in.Width), float64(in.Height)}
	var b strings.Builder
	b.WriteString("calib_time: synthetic\n")
	for _, kv := range []struct {
		key string
		v   []float64
	}{
		{"S_02", size}, {"K_02", k}, {"D_02", make([]float64, 5)},
		{"R_02", []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}}, {"T_02", make([]float64, 3)},
		{"S_rect_02", size}, {"R_rect_02", []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}}, {"P_rect_02", p},
	} {
		b.WriteString(kv.key + ":")
		for _, v := range kv.v {
			b.WriteString(" " + strconv.FormatFloat(v, 'e', 12, 64))
		}
		b.WriteByte('\n')
	}
	return fsutil.WriteFileAtomic(path, []byte(b.String()), 0o644)
}
