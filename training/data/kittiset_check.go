package data

import (
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // frames may be JPEG
	_ "image/png"
	"os"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/progress"
)

// Check reads, for every entry, the header of each file a sample needs
// (frames t−1, t, t+1 and, with LabelRoot, the labels): it must exist,
// decode as an image and have its drive's frame size. A frame that is
// missing or broken is then found in seconds, before training, named by
// its split line, instead of when it is first sampled. It reads headers
// only, so a file whose pixel data is cut short is still found when read.
func (s *KITTISet) Check(ctx context.Context, bar *progress.Bar) error {
	sizes := map[string]image.Point{}
	for i, e := range s.Entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.checkEntry(e, sizes); err != nil {
			return s.at(i, err)
		}
		if bar != nil {
			bar.Add(1)
		}
	}
	return nil
}

func (s *KITTISet) checkEntry(e kitti.Entry, sizes map[string]image.Point) error {
	for _, df := range []int{-1, 0, 1} {
		path := e.Drive.ImagePath(s.Root, e.Frame+df)
		size, err := header(path)
		if err != nil {
			return err
		}
		key := e.Drive.Rel()
		if want, ok := sizes[key]; !ok {
			sizes[key] = size
		} else if size != want {
			return fmt.Errorf("image %s is %dx%d, the drive's other frames %dx%d", path, size.X, size.Y, want.X, want.Y)
		}
	}
	if s.LabelRoot != "" {
		if _, err := header(e.Drive.LabelPath(s.LabelRoot, e.Frame)); err != nil {
			return fmt.Errorf("teacher labels: %w (run `xdistill teacher label`, or set distill.teacher)", err)
		}
	}
	return nil
}

// header decodes an image file's header: its size.
func header(path string) (image.Point, error) {
	f, err := os.Open(path)
	if err != nil {
		return image.Point{}, err
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return image.Point{}, fmt.Errorf("image %s: not a readable image: %w", path, err)
	}
	return image.Pt(cfg.Width, cfg.Height), nil
}
