package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xdistill/edge-depth/benchmarks"
	"github.com/xdistill/edge-depth/internal/fsutil"
)

// writeTraining writes training.md: training steps, the loader and the
// synthetic world, each benchmark with every metric it reports.
func writeTraining(o options, m benchmarks.Machine, rs []benchmarks.GoBench) error {
	var b bytes.Buffer
	m.Header(&b, "Training, data loading and the synthetic world", regenerate)
	fmt.Fprintf(&b, "The project's Go benchmarks (`training/bench_test.go`, `internal/data/synth/`), run by the harness; raw output in "+
		"[gobench.txt](gobench.txt) (benchstat reads it). A train step is the default CPU config (256×96, batch 8, "+
		"ResNet-18 ×0.25, forward + backward + Adam, data already on the host); X-Distill adds the translator and "+
		"its cross-entropy (λ = 0.1).\n\n")
	metricsTable(&b, rs, append(slices.Clone(trainSteps), "BenchmarkLoader", "BenchmarkGenerate416x128", "BenchmarkRender416x128"))
	writeOverhead(&b, rs)
	if err := fsutil.WriteFileAtomic(filepath.Join(o.out, "training.md"), b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write training.md: %w", err)
	}
	return nil
}

// writeOverhead compares the alternating training steps: each ratio with
// every round's value, and no figure where the rounds disagree.
func writeOverhead(b *bytes.Buffer, rs []benchmarks.GoBench) {
	step := func(name string) []benchmarks.GoBench { return benchmarks.Find(rs, name) }
	base := step("BenchmarkTrainStepPyramidBaseline")
	// Each ratio is how many times faster a is than b (speedRatios): for
	// an overhead, the baseline over X-Distill, the cost of the step
	// (≥ 1 by construction: floor 1).
	for _, c := range []struct {
		a, b  []benchmarks.GoBench
		floor float64
		what  string
	}{
		{base, step("BenchmarkTrainStepPyramid"), 1, "**Distillation overhead** (make train's step: pyramid loss, 2 replicas): an X-Distill step takes %s the baseline's (goal ≤ 1.10; inference is unchanged, the translator is not exported)"},
		{base, step("BenchmarkTrainStepPyramidHalf"), 1, "**Translator at half size** (`distill.translator_downsample: 2`): an X-Distill step takes %s the baseline's"},
		{base, step("BenchmarkTrainStepPyramidSmall"), 1, "**Translator at half size and width 8** (`translator_downsample: 2`, `translator_width: 8`): %s the baseline's step"},
		{step("BenchmarkTrainStep"), step("BenchmarkTrainStepDistill"), 1, "**Distillation overhead, full-size loss, one copy**: %s the baseline's step"},
		{step("BenchmarkTrainStepReplicas"), step("BenchmarkTrainStepDistill"), 0, "**Data parallelism** (`train.replicas`): one 1-thread replica per core trains %s the samples/s of one copy on all cores"},
		{step("BenchmarkTrainStepPyramid"), step("BenchmarkTrainStepReplicas"), 0, "**Pyramid loss** (`train.multiscale: pyramid`): %s the samples/s of Monodepth2's full-size loss"},
	} {
		r := speedRatios(c.a, c.b)
		if c.floor == 0 { // throughput: replicas exist to use idle cores, which CPU time does not see
			r = wallRatios(c.a, c.b)
		}
		if len(r) > 0 {
			fmt.Fprintf(b, c.what+".\n\n", ratioText(benchmarks.SummarizeRatio(r, c.floor)))
		}
	}
}

// ratioText is a ratio with its rounds, or why it is not a result.
func ratioText(r benchmarks.Ratio) string {
	list := make([]string, len(r.Pairs))
	for i, p := range r.Pairs {
		list[i] = fmt.Sprintf("%.2f", p)
	}
	rounds := fmt.Sprintf("rounds %s", strings.Join(list, ", "))
	switch {
	case r.BelowFloor:
		return fmt.Sprintf("no result: %s, and a round below 1.00 is impossible for a step that contains the other, so the machine's noise dominates; rerun with a larger -train-benchtime", rounds)
	case !r.Conclusive:
		return fmt.Sprintf("no result: %s spread %.0f %% of their median (more than %.0f %%); rerun with a larger -train-benchtime or -train-pairs", rounds, 100*r.Spread, 100*benchmarks.MaxRatioSpread)
	}
	return fmt.Sprintf("**%.2f×** (median of %s; spread %.0f %%)", r.Median, rounds, 100*r.Spread)
}

// wallRatios pairs the i-th runs of two benchmarks and returns a's
// samples/s over b's.
func wallRatios(a, b []benchmarks.GoBench) []float64 {
	var r []float64
	for i := range min(len(a), len(b)) {
		if d := b[i].Metrics["samples/s"]; d > 0 {
			r = append(r, a[i].Metrics["samples/s"]/d)
		}
	}
	return r
}

// speedRatios pairs the i-th runs of two benchmarks and returns how many
// times faster a is than b: from CPU time per sample where both report it
// (robust to other jobs on the machine), else from samples/s.
func speedRatios(a, b []benchmarks.GoBench) []float64 {
	var r []float64
	for i := range min(len(a), len(b)) {
		if ca, cb := a[i].Metrics["cpu-ms/sample"], b[i].Metrics["cpu-ms/sample"]; ca > 0 && cb > 0 {
			r = append(r, cb/ca)
		} else if d := b[i].Metrics["samples/s"]; d > 0 {
			r = append(r, a[i].Metrics["samples/s"]/d)
		}
	}
	return r
}

// writeEdge writes edge.md: end to end vs model only, and the per-stage
// latency the benchmark logs.
func writeEdge(o options, m benchmarks.Machine, rs []benchmarks.GoBench) error {
	var b bytes.Buffer
	m.Header(&b, "Edge runtime: end to end vs model only", regenerate)
	fmt.Fprintf(&b, "`edge/pipeline`'s `BenchmarkEndToEndVsModel` (docs/EDGE.md explains it) with the harness's default export "+
		"of the same network as inference.md at each size. model only: ONNX Runtime on pre-decoded frames; end to end: "+
		"decode → preprocess → infer → depth (→ view, .mp4 recording, JSON lines). Medians over the iterations; ratio = "+
		"end-to-end / model-only frames/s (goal ≥ 0.9).\n\n")
	var names []string
	for _, r := range rs {
		if strings.HasPrefix(r.Name, "BenchmarkEndToEndVsModel/") && !slices.Contains(names, r.Name) {
			names = append(names, r.Name)
		}
	}
	metricsTable(&b, rs, names)
	stageTable(&b, rs, names)
	if err := fsutil.WriteFileAtomic(filepath.Join(o.out, "edge.md"), b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write edge.md: %w", err)
	}
	return nil
}

// stageTable has per-stage p50 / p95 latency (ms) of every end-to-end
// frame, one row per benchmark, and the benchmark's own summary line; a
// log whose table cannot be read is quoted as it is.
func stageTable(b *bytes.Buffer, rs []benchmarks.GoBench, names []string) {
	fmt.Fprintf(b, "## Per-stage latency\n\np50 / p95 in ms over all end-to-end frames (edge/stats). end_to_end is a frame's "+
		"time from leaving the source to its last sink, including waiting for a free slot, so it exceeds the sum of the stages.\n\n")
	var t *benchmarks.Table
	var notes []string
	for _, n := range names {
		found := benchmarks.Find(rs, n)
		log := found[len(found)-1].Log
		short := strings.TrimPrefix(n, "BenchmarkEndToEndVsModel/")
		st := benchmarks.ParseStages(log)
		if len(st) == 0 {
			notes = append(notes, fmt.Sprintf("%s (no stage table read):\n\n```\n%s\n```\n", short, strings.Join(log, "\n")))
			continue
		}
		if t == nil {
			t = &benchmarks.Table{Header: []string{"benchmark"}, Align: "l" + strings.Repeat("r", len(st))}
			for _, s := range st {
				t.Header = append(t.Header, s.Name)
			}
		}
		cells := []string{short}
		for _, s := range st {
			cells = append(cells, fmt.Sprintf("%.2f / %.2f", s.P50, s.P95))
		}
		t.Add(cells...)
		if line := lastLogLine(log); line != "" {
			notes = append(notes, fmt.Sprintf("- %s: %s", short, line))
		}
	}
	if t != nil {
		t.Write(b)
	}
	fmt.Fprintf(b, "The benchmark's own summaries:\n\n%s\n\n", strings.Join(notes, "\n"))
}

var logLine = regexp.MustCompile(`^\S+\.go:\d+: (.*)`)

// lastLogLine is the text of the last b.Log call: Go prints the logs of
// the N=1 probe run and of the measured run; the last is the measured one.
func lastLogLine(log []string) string {
	for i := len(log) - 1; i >= 0; i-- {
		if m := logLine.FindStringSubmatch(log[i]); m != nil {
			return m[1]
		}
	}
	return ""
}

// metricsTable has one row per benchmark: iterations, time per iteration
// and every other metric it reported — medians when it ran several times.
func metricsTable(b *bytes.Buffer, rs []benchmarks.GoBench, names []string) {
	t := benchmarks.Table{Header: []string{"benchmark", "iterations", "time / iteration", "metrics"}, Align: "lrrl"}
	for _, n := range names {
		found := benchmarks.Find(rs, n)
		if len(found) == 0 {
			t.Add(n, "—", "—", "not run")
			continue
		}
		med := medians(found)
		var units []string
		for u := range med {
			if u != "ns/op" {
				units = append(units, u)
			}
		}
		sort.Strings(units)
		var ms []string
		for _, u := range units {
			ms = append(ms, fmt.Sprintf("%.4g %s", med[u], u))
		}
		iters := fmt.Sprint(found[0].N)
		if len(found) > 1 {
			iters = fmt.Sprintf("%d runs × %d (medians)", len(found), found[0].N)
		}
		t.Add(strings.TrimPrefix(n, "Benchmark"), iters, perIteration(med["ns/op"]), strings.Join(ms, ", "))
	}
	t.Write(b)
}

// medians is each metric's median over runs of one benchmark.
func medians(runs []benchmarks.GoBench) map[string]float64 {
	all := map[string][]float64{}
	for _, r := range runs {
		for u, v := range r.Metrics {
			all[u] = append(all[u], v)
		}
	}
	out := map[string]float64{}
	for u, v := range all {
		out[u] = benchmarks.Percentile(v, 50)
	}
	return out
}

// perIteration shows ns/op with about three significant digits.
func perIteration(ns float64) string {
	d := time.Duration(ns)
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	default:
		return d.Round(time.Microsecond).String()
	}
}
