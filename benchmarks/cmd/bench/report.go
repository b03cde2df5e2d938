package main

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/xdistill/edge-depth/benchmarks"
	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/fsutil"
	"github.com/xdistill/edge-depth/internal/plot"
)

const regenerate = "make bench"

// writeInference writes inference.md and inference-latency.png.
func writeInference(o options, m benchmarks.Machine, cfg config.Config, inf inference) error {
	var b bytes.Buffer
	m.Header(&b, "Inference: the exported depth net through four runtimes", regenerate)
	mc := cfg.Model
	fmt.Fprintf(&b, "Network: the %s encoder + Monodepth2 decoder of `%s` (%s padding) at encoder widths %s "+
		"(×%g is that config's CPU default, ×1 ResNet-18 as published), freshly initialised "+
		"(speed does not depend on the weights), exported batch 1 with float32 NCHW input. Input: one synthetic-world frame. "+
		"Every runtime uses all %d cores. Per network and size, each runtime ran %d timed frames in rotating blocks of %d, "+
		"each block after a 50 ms pause and one untimed frame, so load from other processes hits all of them alike; "+
		"p50/p95 are over those frames. The machine was shared (load in the header): compare ratios, not absolute times.\n\n",
		mc.Encoder, o.config, mc.Padding, joinWidths(o.widths), mc.Width, m.Cores, o.runs, block)
	writePeaks(&b, inf)
	writeLatency(&b, inf)
	for _, c := range latencyCharts(inf) {
		fmt.Fprintf(&b, "![%s](%s)\n\n", c.chart.Title, c.file)
		if err := c.chart.Save(filepath.Join(o.out, c.file)); err != nil {
			return err
		}
	}
	writeArithmetic(&b, inf)
	writeProbes(&b, inf)
	if err := fsutil.WriteFileAtomic(filepath.Join(o.out, "inference.md"), b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write inference.md: %w", err)
	}
	return nil
}

func joinWidths(ws []float64) string {
	var s []string
	for _, w := range ws {
		s = append(s, fmt.Sprintf("×%g", w))
	}
	return strings.Join(s, " and ")
}

// size is "192×64".
func (s sizeResult) size() string { return fmt.Sprintf("%d×%d", s.w, s.h) }

func writePeaks(b *bytes.Buffer, inf inference) {
	fmt.Fprintf(b, "## Matrix-multiply peak\n\nC = A·B with n×n float32 matrices, the fastest dense kernel each library has: "+
		"the practical ceiling for the networks below. Measured before and after the models.\n\n")
	t := benchmarks.Table{Header: []string{"library", "when", "n", "runs", "p50 ms", "p50 GFLOP/s", "best GFLOP/s"}, Align: "llrrrrr"}
	for _, p := range inf.peaks {
		t.Add(p.lib, p.when, fmt.Sprint(p.n), fmt.Sprint(p.lat.N), f2(p.lat.P50), f1(p.p50), f1(p.best))
	}
	t.Write(b)
	pk := inf.best()
	fmt.Fprintf(b, "Peak used below: **%.1f GFLOP/s** (%s, best run, %s).\n\n", pk.best, pk.lib, pk.when)
}

func writeLatency(b *bytes.Buffer, inf inference) {
	fmt.Fprintf(b, "## Latency\n\n`× fastest` is p50 over the fastest runtime's p50 at the same size. GFLOP/s is the "+
		"model's FLOPs (below) over p50 — for INT8 the same count, so it is an FP32-equivalent rate. "+
		"max |Δ| is the largest difference of the disparity (sigmoid, in (0, 1)) from ONNX Runtime FP32 on the same frame; "+
		"the reference must vary for that to mean anything, so the harness refuses one whose p5–p95 spans less than %g or "+
		"that is saturated (under %.0f %% of pixels inside (0.01, 0.99)). Reference spread per size: %s.\n\n",
		benchmarks.MinSpread, 100*benchmarks.MinInside, spreads(inf))
	pk := inf.best().best
	t := benchmarks.Table{Header: []string{"network", "size", "runtime", "model", "p50 ms", "p95 ms", "× fastest", "GFLOP/s", "% of peak", "max |Δ|"},
		Align: "llllrrrrrr"}
	for _, s := range inf.sizes {
		fastest := math.Inf(1)
		for _, r := range s.rows {
			fastest = min(fastest, r.lat.P50)
		}
		for _, r := range s.rows {
			rate := s.flops.GFLOPs() / (r.lat.P50 / 1e3)
			share := fmt.Sprintf("%.1f %%", 100*rate/pk)
			if r.int8 {
				share += " †"
			}
			t.Add(s.net, s.size(), r.runtime, r.variant, f2(r.lat.P50), f2(r.lat.P95),
				fmt.Sprintf("%.2f", r.lat.P50/fastest), f1(rate), share, fmt.Sprintf("%.1e", r.diff))
		}
		if !loadedOpenCV(s) {
			t.Add(s.net, s.size(), "OpenCV DNN FP32", "no variant loads (see below)", "—", "—", "—", "—", "—", "—")
		}
	}
	t.Write(b)
	fmt.Fprintf(b, "† INT8 against the float32 peak: integer SIMD (VNNI where the header lists it) does several int8 "+
		"multiply-adds per float32 FMA, so INT8 may pass 100 %%; the column shows how far it gets beyond what float32 could.\n\n")
}

// spreads lists each size's reference disparity p5..p95.
func spreads(inf inference) string {
	var parts []string
	for _, s := range inf.sizes {
		parts = append(parts, fmt.Sprintf("%s %s p5 %.2f, p95 %.2f", s.net, s.size(), s.spread.P5, s.spread.P95))
	}
	return strings.Join(parts, "; ")
}

func loadedOpenCV(s sizeResult) bool {
	for _, p := range s.probes {
		if p.refusal == "" {
			return true
		}
	}
	return false
}

func writeArithmetic(b *bytes.Buffer, inf inference) {
	fmt.Fprintf(b, "## Model arithmetic\n\nCounted from the exported ONNX graph (`benchmarks.CountFLOPs`): 2 FLOPs per "+
		"multiply-accumulate of Conv (+1 per output for the bias), 1 per output of element-wise ops and activations, "+
		"k²−1 per output of MaxPool, 0 for data movement (Slice, Concat, Pad, Resize).\n\n")
	t := benchmarks.Table{Header: []string{"network", "size", "GFLOPs", "Conv GMACs", "Conv share", "other ops GFLOPs"}, Align: "llrrrr"}
	for _, s := range inf.sizes {
		conv := float64(s.flops.ByOp["Conv"])
		t.Add(s.net, s.size(), fmt.Sprintf("%.3f", s.flops.GFLOPs()), fmt.Sprintf("%.3f", float64(s.flops.MACs)/1e9),
			fmt.Sprintf("%.1f %%", 100*conv/float64(s.flops.Total)), fmt.Sprintf("%.4f", (float64(s.flops.Total)-conv)/1e9))
	}
	t.Write(b)
}

func writeProbes(b *bytes.Buffer, inf inference) {
	fmt.Fprintf(b, "## OpenCV DNN and the export variants\n\nEach variant is loaded with `gocv.ReadNetFromONNX` and run once "+
		"in a child process (OpenCV's importer throws a C++ exception on an operator it refuses, which would abort the harness); "+
		"the first variant that works is the one timed above. "+
		"Zero padding is a different network (trained with `model.padding: zero`) of the same cost.\n\n")
	t := benchmarks.Table{Header: []string{"variant"}}
	var cells [][]string // per variant
	for _, s := range inf.sizes {
		t.Header = append(t.Header, s.net+" "+s.size())
		for i, p := range s.probes {
			if i == len(cells) {
				cells = append(cells, []string{p.variant})
			}
			verdict := "loads, runs"
			if p.refusal != "" {
				verdict = "refused: `" + p.refusal + "`"
			}
			cells[i] = append(cells[i], verdict)
		}
	}
	for _, c := range cells {
		t.Add(c...)
	}
	t.Write(b)
}

// namedChart is a chart and its file name in the results directory.
type namedChart struct {
	chart plot.Chart
	file  string
}

// latencyCharts are one chart per network: p50 by input size
// (kilopixels), one line per runtime.
func latencyCharts(inf inference) []namedChart {
	var out []namedChart
	byNet := map[string]int{}
	for _, s := range inf.sizes {
		i, ok := byNet[s.net]
		if !ok {
			i, byNet[s.net] = len(out), len(out)
			out = append(out, namedChart{file: "inference-latency-" + slug(s.net) + ".png", chart: plot.Chart{
				// basicfont has no "×".
				Title:  "p50 latency by input size, " + strings.ReplaceAll(s.net, "×", "width ") + " (batch 1, CPU)",
				XLabel: "input kilopixels",
				YLabel: "ms (log)", LogY: true, Markers: true, LegendLeft: true}})
		}
		c := &out[i].chart
		c.XLabel += fmt.Sprintf(", %dx%d = %.1f", s.w, s.h, float64(s.w*s.h)/1e3)
		for _, r := range s.rows {
			k := slices.IndexFunc(c.Series, func(x plot.Series) bool { return x.Name == r.runtime })
			if k < 0 {
				k = len(c.Series)
				c.Series = append(c.Series, plot.Series{Name: r.runtime})
			}
			c.Series[k].X = append(c.Series[k].X, float64(s.w*s.h)/1e3)
			c.Series[k].Y = append(c.Series[k].Y, r.lat.P50)
		}
	}
	return out
}

func f1(v float64) string { return fmt.Sprintf("%.1f", v) }
func f2(v float64) string { return fmt.Sprintf("%.2f", v) }
