package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"

	"github.com/xdistill/edge-depth/internal/torchenv"
)

// options are the command line.
type options struct {
	out, config, goBin string
	sizes              [][2]int
	widths             []float64 // encoder width multipliers; [0] is also the edge benchmark's
	runs               int       // timed frames per runtime and size
	matmul, peakRuns   int       // matrix size and runs of the peak measurement
	goBench            bool      // also run the Go benchmarks
	trainTime          string    // -benchtime of the training step benchmarks
	trainPairs         int       // alternating baseline / X-Distill runs
	edgeTime           string    // -benchtime of the edge benchmark
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == probeFlag {
		probeChild(os.Args[2:])
		return
	}
	torchenv.Reexec() // the Go benchmarks it starts inherit the settings
	o, err := parseFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if err := run(o); err != nil {
		log.Fatalf("bench: %v", err)
	}
}

func parseFlags() (options, error) {
	var o options
	sizes := flag.String("sizes", "192x64,416x128,640x192", "inference sizes, WxH, comma-separated")
	flag.StringVar(&o.out, "out", "benchmarks/results", "directory for the result files")
	flag.StringVar(&o.config, "config", "configs/synthetic.yaml", "config whose model section is the network measured")
	flag.StringVar(&o.goBin, "go", "go", "go command for the Go benchmarks")
	widths := flag.String("widths", "0.25,1", "encoder widths (0.25: the CPU config; 1: ResNet-18 as published), comma-separated; the first is also the edge benchmark's network")
	flag.IntVar(&o.runs, "runs", 30, "timed frames per runtime and size")
	flag.IntVar(&o.matmul, "matmul", 1024, "n of the n×n float32 matrix product measuring the peak")
	flag.IntVar(&o.peakRuns, "peak-runs", 20, "matrix products per library")
	flag.BoolVar(&o.goBench, "go-bench", true, "also run the training, synthetic-world and edge Go benchmarks")
	flag.StringVar(&o.trainTime, "train-benchtime", "60x", "-benchtime of the training step benchmarks (at 3 or 15 steps the rounds disagreed by 30 % or more here)")
	flag.IntVar(&o.trainPairs, "train-pairs", 3, "alternating runs of the baseline and X-Distill step benchmarks")
	flag.StringVar(&o.edgeTime, "edge-benchtime", "2x", "-benchtime of the edge pipeline benchmark")
	flag.Parse()
	for _, s := range strings.Split(*sizes, ",") {
		var w, h int
		if _, err := fmt.Sscanf(s, "%dx%d", &w, &h); err != nil || w%32 != 0 || h%32 != 0 || w <= 0 || h <= 0 {
			return o, fmt.Errorf("-sizes: %q is not WxH with multiples of 32", s)
		}
		o.sizes = append(o.sizes, [2]int{w, h})
	}
	for _, s := range strings.Split(*widths, ",") {
		w, err := strconv.ParseFloat(s, 64)
		if err != nil || w <= 0 {
			return o, fmt.Errorf("-widths: %q is not a positive number", s)
		}
		o.widths = append(o.widths, w)
	}
	return o, nil
}
