package teacher

import (
	"testing"
)

// BenchmarkLabelKITTIFrame labels a KITTI-sized frame (1242×375) with a
// 1×1-conv 19-class model at 1024×320: almost all the time is the
// teacher's own work around the model (resize, normalise, argmax,
// nearest back), the part a real model's inference time adds to.
func BenchmarkLabelKITTIFrame(b *testing.B) {
	const w, h = 1242, 375
	m := open(b, convNet{in: nchw(3, 320, 1024), classes: 19, kernel: 1, stride: 1}.save(b, "seg.onnx"), Options{Threads: 1})
	frame := make([]uint8, 3*w*h)
	for i := range frame {
		frame[i] = uint8(i * 7)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := m.Label(frame, w, h); err != nil {
			b.Fatal(err)
		}
	}
}
