package kitti

import (
	"fmt"
	"image"
	"io"
)

// checkLabels reports the first value that is neither a trainId nor Ignore:
// a Cityscapes labelIds image (ids up to 33) read as trainIds is a mistake.
func checkLabels(labels []uint8, w int) error {
	for i, l := range labels {
		if l >= NumClasses && l != Ignore {
			return fmt.Errorf("value %d at (%d,%d) is not a Cityscapes trainId (0..%d, %d = ignore); labelIds instead of trainIds?",
				l, i%w, i/w, NumClasses-1, Ignore)
		}
	}
	return nil
}

// EncodeLabels writes Cityscapes trainIds (w×h) as an 8-bit grey PNG.
func EncodeLabels(wr io.Writer, labels []uint8, w, h int) error {
	if err := checkLen(len(labels), 1, w, h); err != nil {
		return err
	}
	if err := checkLabels(labels, w); err != nil {
		return err
	}
	return encodePNG(wr, labels, w, h, labelPNG)
}

// WriteLabels writes a label PNG atomically (see EncodeLabels).
func WriteLabels(path string, labels []uint8, w, h int) error {
	return writeAtomic(path, func(wr io.Writer) error { return EncodeLabels(wr, labels, w, h) })
}

// ReadLabels reads an 8-bit PNG of Cityscapes trainIds (255 = ignore).
func ReadLabels(path string) ([]uint8, int, int, error) {
	img, err := readPNG(path, "labels")
	if err != nil {
		return nil, 0, 0, err
	}
	g, ok := img.(*image.Gray)
	if !ok {
		return nil, 0, 0, fmt.Errorf("labels %s: %s PNG, want 8-bit grey of trainIds", path, describe(img))
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := make([]uint8, w*h)
	for y := range h {
		copy(out[y*w:(y+1)*w], g.Pix[y*g.Stride:])
	}
	if err := checkLabels(out, w); err != nil {
		return nil, 0, 0, fmt.Errorf("labels %s: %w", path, err)
	}
	return out, w, h, nil
}

// ReadLabelsSized reads a label PNG that must be w×h.
func ReadLabelsSized(path string, w, h int) ([]uint8, error) {
	l, gw, gh, err := ReadLabels(path)
	if err == nil {
		err = checkSize(path, "labels", gw, gh, w, h)
	}
	return l, err
}
