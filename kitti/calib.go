package kitti

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/xdistill/edge-depth/camera"
	"github.com/xdistill/edge-depth/fsutil"
)

// ReadCalib reads the rectified left colour camera (P_rect_02, S_rect_02)
// from a KITTI calib_cam_to_cam.txt; other keys are ignored.
func ReadCalib(path string) (camera.Intrinsics, error) {
	f, err := os.Open(path)
	if err != nil {
		return camera.Intrinsics{}, fmt.Errorf("calib %s: %w", path, err)
	}
	defer f.Close()
	vals := map[string][]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "P_rect_02" && key != "S_rect_02") {
			continue
		}
		for _, fld := range strings.Fields(rest) {
			v, err := strconv.ParseFloat(fld, 64)
			if err != nil {
				return camera.Intrinsics{}, fmt.Errorf("calib %s: %s: %w", path, key, err)
			}
			vals[key] = append(vals[key], v)
		}
	}
	if err := sc.Err(); err != nil {
		return camera.Intrinsics{}, fmt.Errorf("calib %s: %w", path, err)
	}
	p, s := vals["P_rect_02"], vals["S_rect_02"]
	if len(p) != 12 || len(s) != 2 {
		return camera.Intrinsics{}, fmt.Errorf("calib %s: want P_rect_02 (12 numbers) and S_rect_02 (2), got %d and %d", path, len(p), len(s))
	}
	in := camera.Intrinsics{Fx: p[0], Cx: p[2], Fy: p[5], Cy: p[6], Width: int(s[0]), Height: int(s[1])}
	if err := in.Validate(); err != nil {
		return camera.Intrinsics{}, fmt.Errorf("calib %s: %w", path, err)
	}
	return in, nil
}

// WriteCalib writes a minimal calib_cam_to_cam.txt for the left colour camera.
func WriteCalib(path string, in camera.Intrinsics) error {
	g := func(v float64) string { return strconv.FormatFloat(v, 'e', 9, 64) }
	var b strings.Builder
	fmt.Fprintf(&b, "calib_time: synthetic\n")
	fmt.Fprintf(&b, "S_rect_02: %s %s\n", g(float64(in.Width)), g(float64(in.Height)))
	fmt.Fprintf(&b, "R_rect_02: %s\n", strings.Join([]string{g(1), g(0), g(0), g(0), g(1), g(0), g(0), g(0), g(1)}, " "))
	fmt.Fprintf(&b, "P_rect_02: %s\n", strings.Join([]string{
		g(in.Fx), g(0), g(in.Cx), g(0), g(0), g(in.Fy), g(in.Cy), g(0), g(0), g(0), g(1), g(0)}, " "))
	return fsutil.WriteFileAtomic(path, []byte(b.String()), 0o644)
}
