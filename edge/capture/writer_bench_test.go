package capture

import (
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/internal/data/synth"
)

// BenchmarkWrite encodes one 1280×192 frame (the size of the 640×192
// side-by-side view) per op, per container/codec. The frames are a
// synthetic drive, so they change from frame to frame as a real view
// does (an identical frame would flatter mp4v's inter-frame coding).
func BenchmarkWrite(b *testing.B) {
	frames := driveViews(b, 16)
	defer func() {
		for _, m := range frames {
			m.Close()
		}
	}()
	for _, ext := range []string{".avi", ".mp4"} {
		b.Run(ext, func(b *testing.B) {
			w, err := NewWriter(filepath.Join(b.TempDir(), "v"+ext), 10, 1280, 192)
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			b.ResetTimer()
			for i := range b.N {
				if err := w.Write(frames[i%len(frames)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// driveViews renders n frames of a synthetic drive at 640×192, each put
// twice side by side (the view's layout).
func driveViews(b *testing.B, n int) []gocv.Mat {
	const w, h = 640, 192
	world := synth.NewWorld(3, synth.StyleDefault, n, w, h)
	fr := synth.NewFrame(w, h)
	out := make([]gocv.Mat, n)
	for f := range n {
		world.RenderInto(fr, f, 0)
		view := make([]byte, 0, 2*w*h*3)
		for y := range h {
			row := fr.RGB[y*w*3 : (y+1)*w*3]
			view = append(append(view, row...), row...)
		}
		m, err := gocv.NewMatFromBytes(h, 2*w, gocv.MatTypeCV8UC3, view)
		if err != nil {
			b.Fatal(err)
		}
		out[f] = m.Clone() // the Mat would otherwise point into view's Go memory
		m.Close()
	}
	return out
}
