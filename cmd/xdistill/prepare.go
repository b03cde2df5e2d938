package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/internal/data/camera"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/progress"
)

// customDate is the date folder used for a user's own recordings.
const customDate = "custom"

func newPrepareCmd() *cobra.Command {
	var video, cam, out string
	var fps float64
	var drive, valEvery int
	cmd := &cobra.Command{
		Use:   "prepare-video",
		Short: "Turn a recording from your own camera into a training dataset (KITTI layout)",
		Long: `Samples the video at --fps, writes the frames as one drive of the KITTI raw
layout under --out, writes the calibration from camera.yaml (xdistill
calibrate camera), and adds the frames to the split files (every
--val-every-th frame to val). Run it once per recording with a new --drive.`,
		Example: `  xdistill prepare-video --video drive1.mp4 --camera camera.yaml --fps 10 --out data/mycar --drive 1
  xdistill train --config configs/custom.yaml --data data/mycar`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cf, err := camera.Read(cam)
			if err != nil {
				return err
			}
			if fps <= 0 {
				return fmt.Errorf("--fps %g: want > 0", fps)
			}
			return prepareVideo(cmd, video, cf, out, fps, drive, valEvery)
		},
	}
	f := cmd.Flags()
	f.StringVar(&video, "video", "", "recording (.mp4, .avi, …)")
	f.StringVar(&cam, "camera", "camera.yaml", "intrinsics of the camera that recorded it")
	f.StringVar(&out, "out", "data/custom", "dataset root")
	f.Float64Var(&fps, "fps", 10, "frames per second to keep (training expects motion of roughly a metre per frame or less)")
	f.IntVar(&drive, "drive", 1, "drive number for this recording")
	f.IntVar(&valEvery, "val-every", 10, "every N-th usable frame goes to the val split (0 = none)")
	cmd.MarkFlagRequired("video")
	return cmd
}

func prepareVideo(cmd *cobra.Command, video string, cf camera.File, out string, fps float64, n, valEvery int) error {
	src, err := capture.Open(capture.Spec{Kind: capture.File, Target: video})
	if err != nil {
		return err
	}
	defer src.Close()
	step := 1.0
	if in := src.FPS(); in > 0 && fps < in {
		step = in / fps
	}
	d := kitti.NewDrive(customDate, n)
	if err := os.MkdirAll(filepath.Dir(d.ImagePath(out, 0)), 0o755); err != nil {
		return fmt.Errorf("prepare-video: %w", err)
	}
	if err := kitti.WriteCalib(kitti.CalibPath(out, customDate), cf.Intrinsics()); err != nil {
		return err
	}
	frame := gocv.NewMat()
	defer frame.Close()
	bar := progress.New(cmd.ErrOrStderr(), "frames", 0)
	kept, next := 0, 0.0
	for i := 0; src.Read(&frame); i++ {
		if float64(i) < next {
			continue
		}
		next += step
		if frame.Cols() != cf.Width || frame.Rows() != cf.Height {
			return fmt.Errorf("prepare-video: %s is %dx%d but %s was calibrated at %dx%d", video, frame.Cols(), frame.Rows(), "camera.yaml", cf.Width, cf.Height)
		}
		if err := writeFrameRGB(d.ImagePath(out, kept), frame); err != nil {
			return err
		}
		kept++
		bar.Add(1)
		if err := cmd.Context().Err(); err != nil {
			return err
		}
	}
	bar.Finish()
	if kept < 3 {
		return fmt.Errorf("prepare-video: only %d frames kept from %s; need ≥ 3", kept, video)
	}
	if err := appendSplits(out, d, kept, valEvery); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %d frames (every %.2f-th) to %s\n", kept, math.Max(step, 1), d.Dir(out))
	return nil
}

func writeFrameRGB(path string, bgr gocv.Mat) error {
	rgb := gocv.NewMat()
	defer rgb.Close()
	gocv.CvtColor(bgr, &rgb, gocv.ColorBGRToRGB)
	return kitti.WriteRGB(path, rgb.ToBytes(), rgb.Cols(), rgb.Rows())
}

// appendSplits adds this drive's inner frames to train/val, keeping
// entries of other drives already listed.
func appendSplits(root string, d kitti.Drive, frames, valEvery int) error {
	if err := os.MkdirAll(filepath.Join(root, "splits"), 0o755); err != nil {
		return err
	}
	sets := map[string][]kitti.Entry{}
	for _, name := range []string{"train", "val"} {
		old, err := kitti.ReadSplit(kitti.SplitPath(root, name))
		if err != nil && !os.IsNotExist(unwrapAll(err)) {
			return err
		}
		for _, e := range old {
			if e.Drive != d {
				sets[name] = append(sets[name], e)
			}
		}
	}
	for f := 1; f < frames-1; f++ {
		name := "train"
		if valEvery > 0 && f%valEvery == 0 {
			name = "val"
		}
		sets[name] = append(sets[name], kitti.Entry{Drive: d, Frame: f})
	}
	for name, entries := range sets {
		if err := kitti.WriteSplit(kitti.SplitPath(root, name), entries); err != nil {
			return err
		}
	}
	return nil
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}
