package kitti

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"

	"github.com/xdistill/edge-depth/internal/fsutil"
)

// writeAtomic encodes a PNG into memory and writes it to path atomically.
func writeAtomic(path string, encode func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := encode(&buf); err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, buf.Bytes(), 0o644)
}

// readPNG decodes path; what names the kind of file for error messages.
func readPNG(path, what string) (image.Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s %s: not a readable PNG (truncated or corrupt?): %w", what, path, err)
	}
	return img, nil
}

// checkLen guards encoders against buffers that do not match the size.
func checkLen(n, per, w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("image size %dx%d: want positive", w, h)
	}
	if n != per*w*h {
		return fmt.Errorf("buffer holds %d values, want %d for %dx%d×%d", n, per*w*h, w, h, per)
	}
	return nil
}

// describe names an image's PNG pixel format in words.
func describe(img image.Image) string {
	switch img.(type) {
	case *image.Gray:
		return "8-bit grey"
	case *image.Gray16:
		return "16-bit grey"
	case *image.RGBA, *image.NRGBA:
		return "8-bit colour"
	case *image.RGBA64, *image.NRGBA64:
		return "16-bit colour"
	case *image.Paletted:
		return "paletted"
	}
	return fmt.Sprintf("%T", img)
}

// checkSize reports an image whose size differs from the expected one.
func checkSize(path, what string, w, h, wantW, wantH int) error {
	if wantW > 0 && (w != wantW || h != wantH) {
		return fmt.Errorf("%s %s: %dx%d, want %dx%d", what, path, w, h, wantW, wantH)
	}
	return nil
}
