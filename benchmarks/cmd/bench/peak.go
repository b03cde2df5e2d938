package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"time"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/benchmarks"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/ort"
	"github.com/xdistill/edge-depth/training"
)

// peak is a measured float32 matrix-multiply rate: the machine's
// practical compute ceiling, measured in the same run as the models so
// it sees the same load.
type peak struct {
	lib       string
	when      string             // before or after the models
	n         int                // square matrices n×n
	best, p50 float64            // GFLOP/s of the fastest and the median run
	lat       benchmarks.Latency // per product
}

func gflops(n int, d float64) float64 { return 2 * float64(n) * float64(n) * float64(n) / d / 1e9 }

func summarizePeak(lib string, n int, ds []time.Duration) peak {
	l := benchmarks.Summarize(ds)
	return peak{lib: lib, n: n, best: gflops(n, l.Min/1e3), p50: gflops(n, l.P50/1e3), lat: l}
}

// torchPeak times C = A·B through libtorch (its BLAS, all cores).
func torchPeak(n, runs int) peak {
	training.UseAllCores()
	a := ts.MustRandn([]int64{int64(n), int64(n)}, gotch.Float, gotch.CPU)
	b := ts.MustRandn([]int64{int64(n), int64(n)}, gotch.Float, gotch.CPU)
	defer a.MustDrop()
	defer b.MustDrop()
	a.MustMatmul(b, false).MustDrop() // warm-up
	ds := make([]time.Duration, runs)
	for i := range ds {
		t0 := time.Now()
		c := a.MustMatmul(b, false)
		ds[i] = time.Since(t0)
		c.MustDrop()
	}
	return summarizePeak("libtorch", n, ds)
}

// ortPeak times a one-node MatMul graph through ONNX Runtime (CPU, all
// cores, as the models run).
func ortPeak(dir string, n, runs int) (peak, error) {
	m, err := onnxgraph.New("matmul", 13)
	if err != nil {
		return peak{}, err
	}
	dims := onnxgraph.Dims(int64(n), int64(n))
	c := m.Op("MatMul", []string{m.Input("a", onnxgraph.Float32, dims), m.Input("b", onnxgraph.Float32, dims)})
	m.Rename(c, "c")
	m.Output("c", onnxgraph.Float32, dims)
	path := filepath.Join(dir, "matmul.onnx")
	if err := m.Save(path); err != nil {
		return peak{}, fmt.Errorf("matmul peak: %w", err)
	}
	s, err := ort.Open(path, ort.Options{Provider: "cpu", IntraOpThreads: runtime.NumCPU(), NoSpinning: true})
	if err != nil {
		return peak{}, fmt.Errorf("matmul peak: %w", err)
	}
	defer s.Close()
	bind, err := s.Bind(nil)
	if err != nil {
		return peak{}, fmt.Errorf("matmul peak: %w", err)
	}
	defer bind.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{"a", "b"} {
		v, _ := bind.Float32(name)
		for i := range v {
			v[i] = r.Float32()
		}
	}
	ds := make([]time.Duration, runs+1)
	for i := range ds {
		t0 := time.Now()
		if err := bind.Run(); err != nil {
			return peak{}, fmt.Errorf("matmul peak: %w", err)
		}
		ds[i] = time.Since(t0)
	}
	return summarizePeak("ONNX Runtime", n, ds[1:]), nil
}
