package kitti

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"
	"slices"
	"testing"
)

// The encoder's output is read back by image/png exactly, for odd sizes
// and for large noisy images.
func TestEncodePNGDecodesExactly(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, size := range [][2]int{{1, 1}, {3, 2}, {17, 5}, {300, 310}} {
		w, h := size[0], size[1]
		for _, f := range []pngFormat{rgbPNG, depthPNG, labelPNG} {
			pix := make([]byte, w*h*f.bpp)
			for i := range pix {
				pix[i] = byte(r.IntN(256))
			}
			var buf bytes.Buffer
			if err := encodePNG(&buf, pix, w, h, f); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(&buf)
			if err != nil {
				t.Fatalf("%dx%d bpp %d: %v", w, h, f.bpp, err)
			}
			if got := pixels(img); !slices.Equal(got, pix) {
				t.Errorf("%dx%d bpp %d: decoded pixels differ", w, h, f.bpp)
			}
		}
	}
}

func pixels(img image.Image) []byte {
	switch m := img.(type) {
	case *image.Gray:
		return m.Pix
	case *image.Gray16:
		return m.Pix
	case *image.RGBA:
		out := make([]byte, 0, len(m.Pix)/4*3)
		for i := 0; i < len(m.Pix); i += 4 {
			out = append(out, m.Pix[i:i+3]...)
		}
		return out
	}
	return nil
}

func BenchmarkEncode416x128(b *testing.B) {
	w, h := 416, 128
	rgb := make([]byte, 3*w*h)
	depth := make([]float32, w*h)
	labels := make([]byte, w*h)
	for i := range depth {
		x, y := i%w, i/w
		depth[i] = 300 / float32(y+10)
		labels[i] = byte(y / 13)
		for c := range 3 {
			rgb[3*i+c] = byte((x*3+y*5)/4 + c*30 + (x*7919+y*104729)%9)
		}
	}
	var buf bytes.Buffer
	for i := 0; i < b.N; i++ {
		buf.Reset()
		EncodeRGB(&buf, rgb, w, h)
		EncodeDepth(&buf, depth, w, h)
		EncodeLabels(&buf, labels, w, h)
	}
}
