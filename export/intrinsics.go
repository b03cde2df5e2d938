package export

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/data/camera"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
)

// runConfig is the run's config from its record, or nil when the record
// carries none (a foreign or hand-made checkpoint).
func runConfig(raw json.RawMessage) (*config.Config, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var c config.Config
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("run config: %w", err)
	}
	return &c, nil
}

// trainingCamera finds the camera the network was trained with (at any
// size; the caller scales it) and says where it came from. In order:
//
//  1. a camera.yaml given by the user;
//  2. the training data's calibration (calib_cam_to_cam.txt of the first
//     drive of the training split, else the test split), as the loader
//     reads it (paths relative to the working directory, as in training);
//  3. for the synthetic world, its camera model (the generator's, which the
//     dataset's calibration file holds anyway), so an export does not need
//     the dataset on disk.
//
// Unknown (zero, "") when none applies; the edge runtime then treats the
// model's depth as having no metric camera.
func trainingCamera(cfg *config.Config, cameraFile string, w, h int) (in camera.Intrinsics, source string, warn string, err error) {
	if cameraFile != "" {
		f, err := camera.Read(cameraFile)
		if err != nil {
			return camera.Intrinsics{}, "", "", err
		}
		return f.Intrinsics().Scale(w, h), "camera file " + cameraFile, "", nil
	}
	if cfg == nil {
		return camera.Intrinsics{}, "", "the run record has no config", nil
	}
	in, src, warn := datasetCalib(cfg.Data)
	if src != "" {
		return in.Scale(w, h), src, "", nil
	}
	if cfg.Data.Format == "synthetic" {
		style, err := synth.ParseStyle(cfg.Data.SynthStyle)
		if err != nil {
			return camera.Intrinsics{}, "", "", fmt.Errorf("run config: %w", err)
		}
		return synth.Intrinsics(style, w, h), fmt.Sprintf("synthetic world camera (style %s)", style), warn, nil
	}
	if warn == "" {
		warn = fmt.Sprintf("no split file under %s", cfg.Data.Root)
	}
	return camera.Intrinsics{}, "", warn, nil
}

// datasetCalib reads the calibration of the training data: the
// intrinsics and the file they came from, or why not.
func datasetCalib(d config.Data) (camera.Intrinsics, string, string) {
	if d.Root == "" {
		return camera.Intrinsics{}, "", "the run config names no dataset root"
	}
	splits := d.Splits
	if splits == "" {
		splits = filepath.Join(d.Root, "splits")
	}
	for _, name := range []string{"train", "test"} {
		entries, err := kitti.ReadSplit(filepath.Join(splits, name+"_files.txt"))
		if err != nil || len(entries) == 0 {
			continue
		}
		path := kitti.CalibPath(d.Root, entries[0].Drive.Date)
		in, err := kitti.ReadCalib(path)
		if err != nil {
			return camera.Intrinsics{}, "", err.Error()
		}
		return in, path, ""
	}
	return camera.Intrinsics{}, "", fmt.Sprintf("no train or test split in %s", splits)
}
