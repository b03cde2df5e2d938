package teacher

import (
	"context"
	"fmt"
	"io"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/internal/progress"
)

// Evaluate labels every distinct target frame of a split with t, exactly
// as LabelDataset would cache it for training, and counts the labels
// against the dataset's ground-truth label PNGs (kitti.Drive.LabelPath
// under root) in a 19-class confusion matrix. A frame without ground
// truth is an error naming the file.
func Evaluate(ctx context.Context, t Labeler, root, splitFile string, progressOut io.Writer) (*metrics.Confusion, error) {
	entries, err := kitti.ReadSplit(splitFile)
	if err != nil {
		return nil, err
	}
	entries = distinct(entries)
	if len(entries) == 0 {
		return nil, fmt.Errorf("split %s: no frames", splitFile)
	}
	if progressOut == nil {
		progressOut = io.Discard
	}
	bar := progress.New(progressOut, "teacher eval", len(entries))
	defer bar.Finish()
	c := metrics.NewConfusion(kitti.NumClasses)
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := evalFrame(t, root, e, c); err != nil {
			return nil, err
		}
		bar.Add(1)
	}
	return c, nil
}

func evalFrame(t Labeler, root string, e kitti.Entry, c *metrics.Confusion) error {
	img := e.Drive.ImagePath(root, e.Frame)
	rgb, w, h, err := kitti.ReadRGB(img)
	if err != nil {
		return err
	}
	gtPath := e.Drive.LabelPath(root, e.Frame)
	gt, err := kitti.ReadLabelsSized(gtPath, w, h)
	if err != nil {
		return fmt.Errorf("ground truth for %s: %w (teacher eval needs label PNGs beside the frames)", img, err)
	}
	pred, err := t.Label(rgb, w, h)
	if err != nil {
		return fmt.Errorf("label %s: %w", img, err)
	}
	return c.Add(pred, gt)
}
