package calibration

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkLatency times ONNX Runtime CPU inference (batch 1, through
// edge/ort's pre-bound path) of an FP32 depth network against its INT8
// QDQ versions: the TensorRT layout (which ONNX Runtime runs as float
// convolutions on dequantized weights) and the ORT layout (int8
// QLinearConv). Sizes: the tiny test net, and a wider one (64/128
// channels at 640×192, the KITTI input size).
//
//	go test ./calibration -run '^$' -bench Latency -benchtime 20x
func BenchmarkLatency(b *testing.B) {
	for _, c := range []struct {
		name string
		w, h int
		ch   int64
	}{{"tiny-64x32", 64, 32, 8}, {"wide-640x192", 640, 192, 64}} {
		initORT(b)
		m := depthNet(b, c.w, c.h, false, 1, c.ch)
		frames := &Images{W: c.w, H: c.h, Data: testImages(4, c.w, c.h, 5), Names: []string{"a", "b", "c", "d"}}
		stats, err := Collect(context.Background(), m, frames, RuntimeOptions{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		ranges, err := Ranges(stats, Entropy, DefaultPercentile)
		if err != nil {
			b.Fatal(err)
		}
		in, _ := inputOf(m)
		paths := map[string]string{"fp32": saveModel(b, m, "fp32.onnx")}
		for _, t := range []Target{TensorRT, ORT} {
			q, _, err := QDQ(m, Plan{Target: t, Layers: layers(m.Graph()), Ranges: ranges})
			if err != nil {
				b.Fatal(err)
			}
			paths["int8-"+string(t)] = saveModel(b, q, "q.onnx")
		}
		for _, variant := range []string{"fp32", "int8-tensorrt", "int8-ort"} {
			b.Run(fmt.Sprintf("%s/%s", c.name, variant), func(b *testing.B) {
				tm, err := OpenTimer(paths[variant], in, RuntimeOptions{})
				if err != nil {
					b.Fatal(err)
				}
				defer tm.Close()
				if _, err := tm.Run(); err != nil { // warm-up
					b.Fatal(err)
				}
				b.ResetTimer()
				for range b.N {
					if _, err := tm.Run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
