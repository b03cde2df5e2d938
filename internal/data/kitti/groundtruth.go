package kitti

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ProjectFrame projects frame e's velodyne scan (under root) into its
// date's rectified left colour camera: Monodepth2's Eigen ground truth
// when value is VelodyneX. It returns the w×h map in metres (0 = none).
func ProjectFrame(root string, e Entry, value DepthValue) ([]float32, int, int, error) {
	date := filepath.Join(root, e.Drive.Date)
	P, w, h, err := VeloToImage(filepath.Join(date, "calib_cam_to_cam.txt"), filepath.Join(date, "calib_velo_to_cam.txt"))
	if err != nil {
		return nil, 0, 0, err
	}
	pts, err := ReadVelodyne(e.Drive.VelodynePath(root, e.Frame))
	if err != nil {
		return nil, 0, 0, err
	}
	return ProjectDepth(pts, P, w, h, value), w, h, nil
}

// ExportGT writes frame e's projected ground truth as a depth PNG at
// e.Drive.DepthPath(out, e.Frame) and returns that path.
func ExportGT(root, out string, e Entry, value DepthValue) (string, error) {
	depth, w, h, err := ProjectFrame(root, e, value)
	if err != nil {
		return "", err
	}
	path := e.Drive.DepthPath(out, e.Frame)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("ground truth %s: %w", path, err)
	}
	return path, WriteDepth(path, depth, w, h)
}

// FindDepth locates frame i's depth PNG in a ground-truth folder laid out
// like the KITTI raw tree (<date>/<drive>/proj_depth/groundtruth/image_02,
// Monodepth2's layout and export-gt's), or like KITTI's annotated depth
// download (<drive>/…, or train/<drive>/… and val/<drive>/…).
func FindDepth(dir string, d Drive, i int) (string, error) {
	tail := filepath.Join("proj_depth", "groundtruth", "image_02", fmt.Sprintf("%010d.png", i))
	var tried []string
	for _, base := range []string{filepath.Join(dir, d.Date, d.Name), filepath.Join(dir, d.Name),
		filepath.Join(dir, "train", d.Name), filepath.Join(dir, "val", d.Name)} {
		p := filepath.Join(base, tail)
		_, err := os.Stat(p)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("ground truth %s: %w", p, err)
		}
		tried = append(tried, p)
	}
	return "", fmt.Errorf("ground truth for %s frame %d: none of %s exists", d.Rel(), i, strings.Join(tried, ", "))
}
