package calibration

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/xdistill/edge-depth/internal/onnx/graph"
)

// BenchmarkLatency times ONNX Runtime CPU inference (batch 1, through
// internal/ort's pre-bound path) of an FP32 depth network against its INT8
// QDQ versions: the TensorRT layout (which ONNX Runtime runs as float
// convolutions on dequantized weights) and the ORT layout (int8
// QLinearConv). Networks: the tiny test net, a wider one (64/128 channels
// at 640×192, the KITTI input size) and, when XDISTILL_BENCH_MODEL names
// an exported model, that one.
//
//	go test ./calibration -run '^$' -bench Latency -benchtime 40x
//	XDISTILL_BENCH_MODEL=models/depth.onnx go test ./calibration -run '^$' -bench Latency/exported
func BenchmarkLatency(b *testing.B) {
	type net struct {
		name string
		w, h int
		ch   int64
		path string
	}
	nets := []net{{"tiny-64x32", 64, 32, 8, ""}, {"wide-640x192", 640, 192, 64, ""}}
	if p := os.Getenv("XDISTILL_BENCH_MODEL"); p != "" {
		nets = append(nets, net{name: "exported", path: p})
	}
	parent := b // owns the model files across the sub-benchmark's runs
	for _, c := range nets {
		var (
			once  sync.Once
			in    Input
			paths map[string]string
		)
		b.Run(c.name, func(b *testing.B) {
			once.Do(func() { in, paths = benchModels(parent, c.w, c.h, c.ch, c.path) })
			// The variants run interleaved, one frame each per iteration,
			// so load from other processes hits them alike; medians are
			// reported per variant.
			variants := []string{"fp32", "int8-tensorrt", "int8-ort"}
			timers := make([]*Timer, len(variants))
			times := make([][]time.Duration, len(variants))
			for i, v := range variants {
				tm, err := OpenTimer(paths[v], in, RuntimeOptions{})
				if err != nil {
					b.Fatal(err)
				}
				defer tm.Close()
				if _, err := tm.Run(); err != nil { // warm-up
					b.Fatal(err)
				}
				timers[i] = tm
			}
			b.ResetTimer()
			for range b.N {
				for i, tm := range timers {
					d, err := tm.Run()
					if err != nil {
						b.Fatal(err)
					}
					times[i] = append(times[i], d)
				}
			}
			fp := median(times[0])
			for i, v := range variants {
				b.ReportMetric(float64(median(times[i]).Microseconds())/1000, v+"-ms")
				if i > 0 {
					b.ReportMetric(float64(fp)/float64(median(times[i])), v+"-speedup")
				}
			}
		})
	}
}

// benchModels builds (or loads) the FP32 model, calibrates it on four test
// images and saves it with its two QDQ versions.
func benchModels(b *testing.B, w, h int, ch int64, path string) (Input, map[string]string) {
	var m *onnxgraph.Model
	initORT(b)
	if path == "" {
		m = depthNet(b, w, h, false, 1, ch)
	} else {
		var err error
		if m, err = onnxgraph.Load(path); err != nil {
			b.Fatal(err)
		}
	}
	in, err := inputOf(m)
	if err != nil {
		b.Fatal(err)
	}
	frames := &Images{W: in.W, H: in.H, Data: testImages(4, in.W, in.H, 5), Names: []string{"a", "b", "c", "d"}}
	stats, err := Collect(context.Background(), m, frames, RuntimeOptions{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ranges, err := Ranges(stats, Entropy, DefaultPercentile)
	if err != nil {
		b.Fatal(err)
	}
	paths := map[string]string{"fp32": saveModel(b, m, "fp32.onnx")}
	for _, t := range []Target{TensorRT, ORT} {
		q, _, err := QDQ(m, Plan{Target: t, Layers: layers(m.Graph()), Ranges: ranges})
		if err != nil {
			b.Fatal(err)
		}
		paths["int8-"+string(t)] = saveModel(b, q, "q.onnx")
	}
	return in, paths
}
