package kitti

import (
	"bytes"
	"fmt"
	"image"
	"io"
	"math"
)

// DepthScale is KITTI's depth PNG convention: uint16 value = metres × 256.
const DepthScale = 256

// MaxDepth is the largest depth a depth PNG can hold, in metres.
const MaxDepth = 65535.0 / DepthScale

// EncodeDepth writes z-depth in metres (w×h, row-major) as a uint16 PNG.
// Zero, negative, NaN and infinite values mean "no data" and become 0;
// depths beyond MaxDepth are clamped to it.
func EncodeDepth(wr io.Writer, depth []float32, w, h int) error {
	if err := checkLen(len(depth), 1, w, h); err != nil {
		return err
	}
	buf := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(buf)
	buf.Reset()
	buf.Grow(2 * w * h)
	pix := buf.AvailableBuffer()[:2*w*h]
	for i, d := range depth {
		v := depthToUint16(d)
		pix[2*i], pix[2*i+1] = uint8(v>>8), uint8(v)
	}
	return encodePNG(wr, pix, w, h, depthPNG)
}

func depthToUint16(d float32) uint16 {
	if !(d > 0) || math.IsInf(float64(d), 1) {
		return 0 // also NaN
	}
	return uint16(math.Min(math.Round(float64(d)*DepthScale), 65535))
}

// WriteDepth writes a depth PNG atomically (see EncodeDepth).
func WriteDepth(path string, depth []float32, w, h int) error {
	return writeAtomic(path, func(wr io.Writer) error { return EncodeDepth(wr, depth, w, h) })
}

// ReadDepth reads a KITTI depth PNG into metres (0 = no data).
func ReadDepth(path string) ([]float32, int, int, error) {
	img, err := readPNG(path, "depth")
	if err != nil {
		return nil, 0, 0, err
	}
	g, ok := img.(*image.Gray16)
	if !ok {
		return nil, 0, 0, fmt.Errorf("depth %s: %s PNG, want 16-bit grey (KITTI depth×256)", path, describe(img))
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := make([]float32, w*h)
	for y := range h {
		row := g.Pix[y*g.Stride:]
		for x := range w {
			out[y*w+x] = float32(uint16(row[2*x])<<8|uint16(row[2*x+1])) / DepthScale
		}
	}
	return out, w, h, nil
}

// ReadDepthSized reads a depth PNG that must be w×h.
func ReadDepthSized(path string, w, h int) ([]float32, error) {
	d, gw, gh, err := ReadDepth(path)
	if err == nil {
		err = checkSize(path, "depth", gw, gh, w, h)
	}
	return d, err
}
