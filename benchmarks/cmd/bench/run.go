package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/benchmarks"
	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/ort"
	"github.com/xdistill/edge-depth/training"
)

// run measures everything and writes the result files.
func run(o options) error {
	if _, err := ort.Ensure("", ""); err != nil {
		return fmt.Errorf("ONNX Runtime: %w (run `make deps`)", err)
	}
	training.UseAllCores()
	mach := benchmarks.Describe(".")
	mach.Versions = []string{"ONNX Runtime " + ort.Version(), "OpenCV " + gocv.OpenCVVersion() + " (GoCV " + gocv.Version() + ")"}
	tmp, err := os.MkdirTemp("", "xdistill-bench-")
	if err != nil {
		return fmt.Errorf("scratch directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("results directory: %w", err)
	}
	cfg, err := config.Load(config.Options{File: o.config})
	if err != nil {
		return err
	}
	setups := make([]inferenceSetup, len(o.widths))
	for i, w := range o.widths {
		if setups[i], err = freshRuns(tmp, cfg, w, o.runs); err != nil {
			return err
		}
	}
	inf, err := measureInference(o, setups)
	if err != nil {
		return err
	}
	mach.Load(".")
	if err := writeInference(o, mach, cfg, inf); err != nil {
		return err
	}
	if !o.goBench {
		return nil
	}
	return runGoBenchmarks(o, mach, setups[0])
}

// freshRuns saves cfg's network at encoder width w, reflect-padded, and
// its zero-padded twin (OpenCV's last variant) as runs in tmp.
func freshRuns(tmp string, cfg config.Config, w float64, runs int) (inferenceSetup, error) {
	cfg.Model.Width = w
	dir := filepath.Join(tmp, fmt.Sprintf("w%g", w))
	reflect, zero := filepath.Join(dir, "run-reflect"), filepath.Join(dir, "run-zero")
	cfg.Model.Padding = "reflect"
	if err := freshRun(reflect, cfg); err != nil {
		return inferenceSetup{}, err
	}
	cfg.Model.Padding = "zero"
	if err := freshRun(zero, cfg); err != nil {
		return inferenceSetup{}, err
	}
	net := fmt.Sprintf("%s ×%g", cfg.Model.Encoder, w)
	return inferenceSetup{net: net, dir: dir, variants: exportVariants(reflect, zero), runs: runs}, nil
}

// inference is the whole inference measurement.
type inference struct {
	peaks []peak
	sizes []sizeResult
}

// measureInference measures the peak before and after the models (the
// load may change in between) and every size in between.
func measureInference(o options, setups []inferenceSetup) (inference, error) {
	var inf inference
	measurePeaks := func(when string) error {
		log.Printf("bench: %d×%d float32 matrix products (%s)", o.matmul, o.matmul, when)
		p, err := ortPeak(setups[0].dir, o.matmul, o.peakRuns)
		if err != nil {
			return err
		}
		t := torchPeak(o.matmul, o.peakRuns)
		t.when, p.when = when, when
		inf.peaks = append(inf.peaks, t, p)
		return nil
	}
	if err := measurePeaks("before the models"); err != nil {
		return inf, err
	}
	for _, s := range setups {
		for _, sz := range o.sizes {
			log.Printf("bench: inference of %s at %dx%d", s.net, sz[0], sz[1])
			r, err := measureSize(s, sz[0], sz[1])
			if err != nil {
				return inf, err
			}
			inf.sizes = append(inf.sizes, r)
		}
	}
	return inf, measurePeaks("after the models")
}

// best is the highest matrix-multiply rate measured: the ceiling the
// models' GFLOP/s are compared with.
func (inf inference) best() peak {
	var b peak
	for _, p := range inf.peaks {
		if p.best > b.best {
			b = p
		}
	}
	return b
}
