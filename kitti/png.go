package kitti

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"

	"github.com/xdistill/edge-depth/fsutil"
)

// DepthScale is KITTI's depth PNG convention: uint16 value = metres × 256.
const DepthScale = 256

// Ignore is the label of pixels without a class.
const Ignore = 255

func writePNG(path string, img image.Image) error {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, buf.Bytes(), 0o644)
}

func readPNG(path string) (image.Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable PNG: %w", path, err)
	}
	return img, nil
}

// WriteDepth writes z-depth in metres (w×h) as a uint16 PNG; 0, negative,
// NaN and +Inf mean "no data" and are written as 0.
func WriteDepth(path string, depth []float32, w, h int) error {
	img := image.NewGray16(image.Rect(0, 0, w, h))
	for i, d := range depth {
		v := 0.0
		if d > 0 && !math.IsInf(float64(d), 0) && !math.IsNaN(float64(d)) {
			v = math.Min(math.Round(float64(d)*DepthScale), 65535)
		}
		img.Pix[2*i], img.Pix[2*i+1] = uint8(uint16(v)>>8), uint8(uint16(v))
	}
	return writePNG(path, img)
}

// ReadDepth reads a KITTI depth PNG into metres (0 = no data).
func ReadDepth(path string) ([]float32, int, int, error) {
	img, err := readPNG(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("depth %w", err)
	}
	g, ok := img.(*image.Gray16)
	if !ok {
		return nil, 0, 0, fmt.Errorf("depth %s: %T, want a 16-bit grey PNG (KITTI depth·256)", path, img)
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := make([]float32, w*h)
	for y := range h {
		for x := range w {
			out[y*w+x] = float32(g.Gray16At(x+g.Rect.Min.X, y+g.Rect.Min.Y).Y) / DepthScale
		}
	}
	return out, w, h, nil
}

// WriteLabels writes Cityscapes trainIds as an 8-bit grey PNG.
func WriteLabels(path string, labels []uint8, w, h int) error {
	img := &image.Gray{Pix: labels, Stride: w, Rect: image.Rect(0, 0, w, h)}
	return writePNG(path, img)
}

// ReadLabels reads an 8-bit label PNG.
func ReadLabels(path string) ([]uint8, int, int, error) {
	img, err := readPNG(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("labels %w", err)
	}
	g, ok := img.(*image.Gray)
	if !ok {
		return nil, 0, 0, fmt.Errorf("labels %s: %T, want an 8-bit grey PNG of trainIds", path, img)
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := make([]uint8, w*h)
	for y := range h {
		copy(out[y*w:(y+1)*w], g.Pix[y*g.Stride:])
	}
	return out, w, h, nil
}

// WriteRGB writes interleaved 8-bit RGB (w×h×3) as a PNG.
func WriteRGB(path string, rgb []uint8, w, h int) error {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range w * h {
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = rgb[3*i], rgb[3*i+1], rgb[3*i+2], 255
	}
	return writePNG(path, img)
}

// ReadRGB reads a colour PNG (any PNG colour model) into interleaved RGB.
func ReadRGB(path string) ([]uint8, int, int, error) {
	img, err := readPNG(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("image %w", err)
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]uint8, 3*w*h)
	if n, ok := img.(*image.NRGBA); ok {
		for y := range h {
			row := n.Pix[y*n.Stride:]
			for x := range w {
				copy(out[3*(y*w+x):], row[4*x:4*x+3])
			}
		}
		return out, w, h, nil
	}
	for y := range h {
		for x := range w {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			out[3*(y*w+x)], out[3*(y*w+x)+1], out[3*(y*w+x)+2] = c.R, c.G, c.B
		}
	}
	return out, w, h, nil
}
