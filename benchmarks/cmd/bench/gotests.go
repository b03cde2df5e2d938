package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/xdistill/edge-depth/benchmarks"
	"github.com/xdistill/edge-depth/internal/fsutil"
)

// goBench is one invocation of a package's existing Go benchmarks.
type goBench struct {
	pkg, bench, benchtime string
	env                   []string
}

// edgeSizes are the sizes BenchmarkEndToEndVsModel may use; each gets
// the harness's default export through EDGE_BENCH_MODEL_<W>x<H>, so the
// edge numbers are for the same network as the inference table. A size
// not listed here falls back to the benchmark's stand-in, which its log
// (quoted in edge.md) says.
var edgeSizes = [][2]int{{192, 64}, {256, 96}, {416, 128}, {640, 192}}

// trainSteps are the training-step benchmarks, in the order they alternate.
var trainSteps = []string{"BenchmarkTrainStep", "BenchmarkTrainStepDistill", "BenchmarkTrainStepReplicas",
	"BenchmarkTrainStepPyramidBaseline", "BenchmarkTrainStepPyramid", "BenchmarkTrainStepPyramidHalf", "BenchmarkTrainStepPyramidSmall"}

// runGoBenchmarks runs the training, synthetic-world and edge benchmarks,
// keeps their raw output (benchstat reads it) and writes training.md and
// edge.md from it.
func runGoBenchmarks(o options, m benchmarks.Machine, s inferenceSetup) error {
	env, err := edgeModels(s)
	if err != nil {
		return err
	}
	var runs []goBench
	// The training steps alternate, one process each, so a change of load
	// from the machine's other users hits all: each ratio is the median
	// over the rounds, and the report shows every round's.
	for range o.trainPairs {
		for _, name := range trainSteps {
			runs = append(runs, goBench{"./training", "^" + name + "$", o.trainTime, nil})
		}
	}
	runs = append(runs,
		goBench{"./training", "^BenchmarkLoader$", "20x", nil},
		goBench{"./internal/data/synth", "^BenchmarkGenerate416x128$", "3x", nil},
		goBench{"./internal/data/synth", "^BenchmarkRender416x128$", "20x", nil},
		goBench{"./edge/pipeline", "^BenchmarkEndToEndVsModel$", o.edgeTime, env})
	var raw bytes.Buffer
	bins := map[string]string{}
	for _, r := range runs {
		if err := runOne(o, s.dir, r, bins, &raw); err != nil {
			return err
		}
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(o.out, "gobench.txt"), raw.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write gobench.txt: %w", err)
	}
	results, err := benchmarks.ParseGoBench(bytes.NewReader(raw.Bytes()))
	if err != nil {
		return fmt.Errorf("parse Go benchmark output: %w", err)
	}
	m.Load(".")
	if err := writeTraining(o, m, results); err != nil {
		return err
	}
	return writeEdge(o, m, results)
}

// edgeModels exports the default variant at every edge size and returns
// the environment that hands them to the edge benchmark.
func edgeModels(s inferenceSetup) ([]string, error) {
	var env []string
	for _, sz := range edgeSizes {
		p, err := exportAt(s.variants[0], s.dir, sz[0], sz[1])
		if err != nil {
			return nil, err
		}
		env = append(env, fmt.Sprintf("EDGE_BENCH_MODEL_%dx%d=%s", sz[0], sz[1], p))
	}
	return env, nil
}

// runOne builds the package's test binary once (linking libtorch takes a
// while) and runs the selected benchmarks in the package directory, as
// `go test` does; output goes to the terminal and to raw.
func runOne(o options, tmp string, r goBench, bins map[string]string, raw io.Writer) error {
	bin, ok := bins[r.pkg]
	if !ok {
		bin = filepath.Join(tmp, strings.ReplaceAll(strings.Trim(r.pkg, "./"), "/", "_")+".test")
		build := exec.Command(o.goBin, "test", "-c", "-o", bin, r.pkg)
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build %s benchmarks: %w", r.pkg, err)
		}
		bins[r.pkg] = bin
	}
	log.Printf("bench: %s %s -benchtime %s", r.pkg, r.bench, r.benchtime)
	cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", r.bench, "-test.benchtime", r.benchtime, "-test.timeout", "20m")
	cmd.Dir = r.pkg
	cmd.Env = append(os.Environ(), r.env...)
	cmd.Stdout, cmd.Stderr = io.MultiWriter(raw, os.Stderr), os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("benchmarks %s %s: %w", r.pkg, r.bench, err)
	}
	return nil
}
