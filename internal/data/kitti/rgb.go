package kitti

import (
	"image"
	"image/color"
	"io"
)

// EncodeRGB writes interleaved 8-bit RGB (w×h×3) as a colour PNG.
func EncodeRGB(wr io.Writer, rgb []uint8, w, h int) error {
	if err := checkLen(len(rgb), 3, w, h); err != nil {
		return err
	}
	return encodePNG(wr, rgb, w, h, rgbPNG)
}

// WriteRGB writes a colour PNG atomically (see EncodeRGB).
func WriteRGB(path string, rgb []uint8, w, h int) error {
	return writeAtomic(path, func(wr io.Writer) error { return EncodeRGB(wr, rgb, w, h) })
}

// ReadRGB reads a PNG of any colour model into interleaved 8-bit RGB
// (w×h×3); grey images are replicated and alpha is dropped.
func ReadRGB(path string) ([]uint8, int, int, error) {
	img, err := readPNG(path, "image")
	if err != nil {
		return nil, 0, 0, err
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]uint8, 3*w*h)
	switch m := img.(type) {
	case *image.NRGBA:
		copyRGB(out, m.Pix, m.Stride, w, h)
	case *image.RGBA: // opaque PNGs from other writers decode as RGBA
		copyRGB(out, m.Pix, m.Stride, w, h)
	default:
		for y := range h {
			for x := range w {
				c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
				i := 3 * (y*w + x)
				out[i], out[i+1], out[i+2] = c.R, c.G, c.B
			}
		}
	}
	return out, w, h, nil
}

func copyRGB(dst, pix []uint8, stride, w, h int) {
	for y := range h {
		row := pix[y*stride:]
		for x := range w {
			i := 3 * (y*w + x)
			dst[i], dst[i+1], dst[i+2] = row[4*x], row[4*x+1], row[4*x+2]
		}
	}
}

// ReadRGBFloat reads a colour PNG as planar float32 (CHW: all R, then G,
// then B) in [0, 1], the layout networks take.
func ReadRGBFloat(path string) ([]float32, int, int, error) {
	rgb, w, h, err := ReadRGB(path)
	if err != nil {
		return nil, 0, 0, err
	}
	n := w * h
	out := make([]float32, 3*n)
	for p := range n {
		for c := range 3 {
			out[c*n+p] = float32(rgb[3*p+c]) / 255
		}
	}
	return out, w, h, nil
}
