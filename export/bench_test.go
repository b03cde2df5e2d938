package export_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/edge/ort"
	"github.com/xdistill/edge-depth/export"
	"github.com/xdistill/edge-depth/modelmeta"
	"github.com/xdistill/edge-depth/training"
)

// BenchmarkORTvsGotch times one frame (batch 1, float input) through the
// exported model in ONNX Runtime (CPU) — default export (reflect padding
// as Slice+Concat) and --reflect-op pad — and through training's gotch
// forward of the same checkpoint, interleaved so all see the same load on
// a shared machine. All use every core. Metrics: ms per frame for each
// and gotch/ORT (>1: the export is faster).
//
//	go test ./export -run '^$' -bench ORTvsGotch
func BenchmarkORTvsGotch(b *testing.B) {
	ensureORT(b)
	training.UseAllCores()
	for _, width := range []float64{0.25, 1} { // the CPU default config; ResNet-18 as published
		dir := b.TempDir()
		run := filepath.Join(dir, "run")
		m, _ := saveRun(b, run, runSpec{encoder: "resnet18", width: width, padding: "reflect", seed: 9})
		for _, size := range [][2]int{{trainW, trainH}, {640, 192}} {
			w, h := size[0], size[1]
			b.Run(fmt.Sprintf("resnet18-w%g/%dx%d", width, w, h), func(b *testing.B) {
				img := make([]float32, 3*w*h)
				r := rand.New(rand.NewPCG(1, 2))
				for i := range img {
					img[i] = r.Float32()
				}
				var binds []*ort.Binding
				for _, op := range []string{export.ReflectSlice, export.ReflectPad} {
					path := filepath.Join(dir, fmt.Sprintf("%dx%d-%s.onnx", w, h, op))
					if _, err := export.Export(export.Options{Checkpoint: run, Out: path, Width: w, Height: h, Batch: 1, ReflectOp: op}); err != nil {
						b.Fatal(err)
					}
					s, err := ort.Open(path, ort.Options{Provider: "cpu", IntraOpThreads: runtime.NumCPU()})
					if err != nil {
						b.Fatal(err)
					}
					defer s.Close()
					bind, err := s.Bind(nil)
					if err != nil {
						b.Fatal(err)
					}
					in, _ := bind.Float32(modelmeta.InputImage)
					copy(in, img)
					binds = append(binds, bind)
				}
				run := func() (d [3]time.Duration) {
					for k, bind := range binds {
						t0 := time.Now()
						if err := bind.Run(); err != nil {
							b.Fatal(err)
						}
						d[k] = time.Since(t0)
					}
					t0 := time.Now()
					m.Predict(img, w, h, gotch.CPU)
					d[2] = time.Since(t0)
					return d
				}
				run() // warm up
				run()
				var total [3]time.Duration
				b.ResetTimer()
				for range b.N {
					d := run()
					for k := range total {
						total[k] += d[k]
					}
				}
				ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 / float64(b.N) }
				b.ReportMetric(ms(total[0]), "ort-ms")
				b.ReportMetric(ms(total[1]), "ort-pad-ms")
				b.ReportMetric(ms(total[2]), "gotch-ms")
				b.ReportMetric(float64(total[2])/float64(total[0]), "gotch/ort")
				b.ReportMetric(float64(total[2])/float64(total[1]), "gotch/ort-pad")
			})
		}
	}
}
