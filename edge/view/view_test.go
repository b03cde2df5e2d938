package view

import (
	"testing"

	"github.com/xdistill/edge-depth/internal/colormap"
)

// The depth panel uses magma by inverse depth: the nearest point is the
// brightest colour, points at or beyond the 95th percentile of inverse
// depth... the darkest; no data is black; the image panel is the frame.
func TestRender(t *testing.T) {
	const w, h = 8, 4
	r := New(w, h)
	bgr := make([]byte, 3*w*h)
	depth := make([]float32, w*h)
	for i := range depth {
		bgr[3*i], bgr[3*i+1], bgr[3*i+2] = byte(i), 2, 3
		depth[i] = float32(1 + i) // nearest at 0
	}
	depth[5] = 0 // no data
	dst := make([]byte, 6*w*h)
	if err := r.Render(dst, bgr, depth); err != nil {
		t.Fatal(err)
	}
	at := func(x, y int) [3]byte {
		i := 3 * (y*2*w + x)
		return [3]byte{dst[i], dst[i+1], dst[i+2]}
	}
	if got := at(3, 1); got != [3]byte{byte(11), 2, 3} {
		t.Errorf("image panel pixel (3,1) = %v", got)
	}
	bright, dark := colormap.Magma(1), colormap.Magma(0)
	if got := at(w, 0); got != [3]byte{bright.B, bright.G, bright.R} {
		t.Errorf("nearest point %v, want magma(1) %v", got, bright)
	}
	if got := at(w+7, 3); got != [3]byte{dark.B, dark.G, dark.R} {
		t.Errorf("farthest point %v, want magma(0) %v", got, dark)
	}
	if got := at(w+5, 0); got != [3]byte{} {
		t.Errorf("no-data pixel %v, want black", got)
	}
	if err := r.Render(dst[1:], bgr, depth); err == nil {
		t.Error("wrong buffer size: want an error")
	}
	if n := testing.AllocsPerRun(10, func() { r.Render(dst, bgr, depth) }); n != 0 {
		t.Errorf("Render allocates %g times", n)
	}
}

func BenchmarkRender640x192(b *testing.B) {
	const w, h = 640, 192
	r := New(w, h)
	bgr, dst, depth := make([]byte, 3*w*h), make([]byte, 6*w*h), make([]float32, w*h)
	for i := range depth {
		depth[i] = 1 + float32(i%w)/10
	}
	for range b.N {
		r.Render(dst, bgr, depth)
	}
}
