package main

import (
	"fmt"
	"math"
	"runtime"

	"github.com/sugarme/gotch"
	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/ort"
	"github.com/xdistill/edge-depth/training"
)

// contender is one runtime running one model on one fixed frame.
type contender struct {
	name  string
	int8  bool
	run   func() error
	out   func() ([]float32, error) // the last run's disparity
	close func()
}

// gotchContender is training's own forward pass (libtorch, FP32) of the
// checkpoint the models were exported from.
func gotchContender(run string, img []float32, w, h int) (*contender, error) {
	m, _, err := training.LoadModel(run, gotch.CPU)
	if err != nil {
		return nil, fmt.Errorf("gotch: %w", err)
	}
	var last []float32
	return &contender{
		name:  "gotch/libtorch FP32",
		run:   func() error { last = m.Predict(img, w, h, gotch.CPU); return nil },
		out:   func() ([]float32, error) { return last, nil },
		close: func() {},
	}, nil
}

// ortContender runs a model through internal/ort as edge-depth does: CPU
// provider, all cores, pre-bound tensors, no spinning worker threads.
func ortContender(name, path string, img []float32, int8 bool) (*contender, error) {
	s, err := ort.Open(path, ort.Options{Provider: "cpu", IntraOpThreads: runtime.NumCPU(), NoSpinning: true})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	b, err := s.Bind(nil)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("%s: bind %s: %w", name, path, err)
	}
	in, err := b.Float32(modelmeta.InputImage)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	copy(in, img)
	return &contender{
		name:  name,
		int8:  int8,
		run:   b.Run,
		out:   func() ([]float32, error) { return b.Float32(modelmeta.OutputDisparity) },
		close: func() { b.Close(); s.Close() },
	}, nil
}

// opencvContender runs a model through OpenCV's DNN module (GoCV's
// ReadNetFromONNX, default backend and target: OpenCV's own CPU code).
// The importer aborts the process on an operator it refuses, so callers
// load only models probeOpenCV has accepted in a child process.
func opencvContender(path string, img []float32, w, h int) (*contender, error) {
	net := gocv.ReadNetFromONNX(path)
	if net.Empty() {
		return nil, fmt.Errorf("OpenCV DNN: %s loaded as an empty net", path)
	}
	blob := gocv.NewMatWithSizes([]int{1, 3, h, w}, gocv.MatTypeCV32F)
	d, err := blob.DataPtrFloat32()
	if err != nil {
		net.Close()
		return nil, fmt.Errorf("OpenCV DNN: input blob: %w", err)
	}
	copy(d, img)
	out := gocv.NewMat()
	return &contender{
		name: "OpenCV DNN FP32",
		run: func() error {
			net.SetInput(blob, modelmeta.InputImage)
			out.Close()
			out = net.Forward(modelmeta.OutputDisparity)
			return nil
		},
		out: func() ([]float32, error) {
			v, err := out.DataPtrFloat32()
			return append([]float32(nil), v...), err
		},
		close: func() { out.Close(); blob.Close(); net.Close() },
	}, nil
}

// maxAbsDiff is max |a − b| (+Inf on a length mismatch or NaN, so a
// broken runtime cannot look exact).
func maxAbsDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var d float64
	for i := range a {
		x := math.Abs(float64(a[i]) - float64(b[i]))
		if math.IsNaN(x) {
			return math.Inf(1)
		}
		d = max(d, x)
	}
	return d
}
