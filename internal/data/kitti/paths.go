package kitti

import (
	"fmt"
	"path/filepath"
)

// Drive names one sequence: its date folder and drive folder.
type Drive struct {
	Date string // e.g. 2011_09_26
	Name string // e.g. 2011_09_26_drive_0001_sync
}

// NewDrive builds the drive folder name for a date and drive number.
func NewDrive(date string, n int) Drive {
	return Drive{Date: date, Name: fmt.Sprintf("%s_drive_%04d_sync", date, n)}
}

// Rel is the drive's path relative to the dataset root, as split files write it.
func (d Drive) Rel() string { return d.Date + "/" + d.Name }

// Dir is the drive's folder under root.
func (d Drive) Dir(root string) string { return filepath.Join(root, d.Date, d.Name) }

// ImagePath is the left colour camera's frame i.
func (d Drive) ImagePath(root string, i int) string {
	return filepath.Join(d.Dir(root), "image_02", "data", fmt.Sprintf("%010d.png", i))
}

// DepthPath is the ground-truth depth of frame i.
func (d Drive) DepthPath(root string, i int) string {
	return filepath.Join(d.Dir(root), "proj_depth", "groundtruth", "image_02", fmt.Sprintf("%010d.png", i))
}

// LabelPath is the semantic label map of frame i.
func (d Drive) LabelPath(root string, i int) string {
	return filepath.Join(d.Dir(root), "semantic", "image_02", fmt.Sprintf("%010d.png", i))
}

// PosesPath is the drive's camera poses.
func (d Drive) PosesPath(root string) string { return filepath.Join(d.Dir(root), "poses.txt") }

// CalibPath is the date's camera calibration.
func CalibPath(root, date string) string {
	return filepath.Join(root, date, "calib_cam_to_cam.txt")
}

// SplitPath is ROOT/splits/<name>_files.txt.
func SplitPath(root, name string) string {
	return filepath.Join(root, "splits", name+"_files.txt")
}
