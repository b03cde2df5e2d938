package calibration

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/xdistill/edge-depth/internal/metrics"
)

// Report renders the markdown accuracy report.
func Report(o Int8Options, res *Int8Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# INT8 calibration of %s\n\n", filepath.Base(o.Model))
	method := string(o.Method)
	if o.Method == Percentile {
		method = fmt.Sprintf("percentile %g", o.Percentile)
	}
	fmt.Fprintf(&b, "- method: %s over %d frames (%s); QDQ layout for %s\n", method, o.Calib.Len(), o.CalibSource, o.Target)
	fmt.Fprintf(&b, "- quantized: %d of %d Conv layers (int8 weights per channel; %d activations quantized per tensor)\n",
		len(res.Quantized.Layers), len(res.Layers), len(res.Quantized.Activations))
	switch {
	case len(res.Kept) == 0:
		b.WriteString("- kept in FP32: none\n")
	default:
		fmt.Fprintf(&b, "- kept in FP32: %s\n", strings.Join(res.Kept, ", "))
	}
	fmt.Fprintf(&b, "- wrote %s", filepath.Base(o.Out))
	if o.Cache != "" {
		fmt.Fprintf(&b, " and %s (%s, %d tensors)", filepath.Base(o.Cache), res.CacheHeader, res.CacheScales)
	}
	b.WriteString("\n")
	if res.Eval != nil {
		b.WriteString("\n## Accuracy on held-out frames\n\n")
		writeScores(&b, *res.Eval, o.EvalSource, o.Budget)
	}
	if res.Tune != nil {
		writeSensitivity(&b, o, res)
	}
	if res.Latency != nil {
		l := res.Latency
		threads := "ONNX Runtime's default threads"
		if l.Threads > 0 {
			threads = fmt.Sprintf("%d threads", l.Threads)
		}
		fmt.Fprintf(&b, "\n## ONNX Runtime CPU latency\n\nBatch 1, %s, median of %d runs on this machine (a Jetson runs the QDQ model through TensorRT instead).\n\n", threads, l.Runs)
		b.WriteString("| model | ms/frame |\n|---|---:|\n")
		fmt.Fprintf(&b, "| FP32 | %.2f |\n| INT8 (%s layout) | %.2f |\n\nINT8 speed-up: %.2f×\n", ms(l.FP32.Seconds()), o.Target, ms(l.INT8.Seconds()), l.Speedup())
	}
	writeTRTHint(&b, o, res)
	writeRoutes(&b, o, res)
	return b.String()
}

func ms(s float64) float64 { return 1000 * s }

func writeScores(b *strings.Builder, s Scores, source string, budget float64) {
	fmt.Fprintf(b, "%d frames (%s).\n\n", s.Images, source)
	if s.GT {
		b.WriteString(metrics.Table([]metrics.Row{{Name: "FP32", Depth: s.FP32}, {Name: "INT8", Depth: s.INT8}}))
		verdict := "met"
		if math.Abs(s.AbsRelChange()) > budget {
			verdict = "NOT met"
		}
		fmt.Fprintf(b, "\nAbs Rel change INT8 vs FP32: %+.2f %% (goal: within %.0f %%, %s).\n", 100*s.AbsRelChange(), 100*budget, verdict)
	}
	fmt.Fprintf(b, "INT8 depth against FP32 depth: Abs Rel %.4f, δ<1.25 %.4f.\n", s.Agreement.AbsRel, s.Agreement.A1)
}

func writeSensitivity(b *strings.Builder, o Int8Options, res *Int8Result) {
	fmt.Fprintf(b, "\n## Per-layer sensitivity\n\nOne layer INT8 at a time, everything else FP32, on %d frames (%s); most sensitive first. "+
		"\"vs FP32\" scores the depth against the FP32 model's.\n\n", o.Tune.Len(), o.TuneSource)
	gt := res.Tune.GT
	if gt {
		b.WriteString("| layer | Abs Rel vs FP32 | δ<1.25 vs FP32 | Abs Rel (GT) | change |\n|---|---:|---:|---:|---:|\n")
	} else {
		b.WriteString("| layer | Abs Rel vs FP32 | δ<1.25 vs FP32 |\n|---|---:|---:|\n")
	}
	for _, s := range res.Sensitivity {
		a := s.Scores.Agreement
		if gt {
			fmt.Fprintf(b, "| %s | %.4f | %.4f | %.4f | %+.2f %% |\n", s.Layer, a.AbsRel, a.A1, s.Scores.INT8.AbsRel, 100*s.Scores.AbsRelChange())
		} else {
			fmt.Fprintf(b, "| %s | %.4f | %.4f |\n", s.Layer, a.AbsRel, a.A1)
		}
	}
	fmt.Fprintf(b, "\nAll layers INT8 on these frames: Abs Rel change %+.2f %%", 100*res.TuneAll.AbsRelChange())
	if !gt {
		b.WriteString(" (no ground truth: Abs Rel of INT8 against FP32)")
	}
	b.WriteString(".\n")
	for _, s := range res.AutoKept {
		fmt.Fprintf(b, "Kept %s in FP32: %+.2f %%.\n", s.Layer, 100*s.Scores.AbsRelChange())
	}
}

// writeTRTHint says how to build engines from the outputs.
func writeTRTHint(b *strings.Builder, o Int8Options, res *Int8Result) {
	b.WriteString("\n## TensorRT\n\n```\n")
	fmt.Fprintf(b, "trtexec --onnx=%s --int8 --fp16 --saveEngine=depth.int8.engine   # explicit (QDQ)\n", filepath.Base(o.Out))
	if o.Cache != "" {
		fmt.Fprintf(b, "trtexec --onnx=%s --int8 --fp16 --calib=%s", filepath.Base(o.Model), filepath.Base(o.Cache))
		if len(res.Kept) > 0 {
			var lp []string
			for _, k := range res.Kept {
				for _, l := range res.Layers {
					if l.Name() == k {
						lp = append(lp, l.Node+":fp16")
					}
				}
			}
			fmt.Fprintf(b, " --precisionConstraints=obey --layerPrecisions=%s", strings.Join(lp, ","))
		}
		b.WriteString(" --saveEngine=depth.int8.engine   # implicit (cache)\n")
	}
	b.WriteString("```\n")
}

// writeRoutes says, per INT8 route, whether the layers kept in FP32 stay
// out of INT8 there.
func writeRoutes(b *strings.Builder, o Int8Options, res *Int8Result) {
	b.WriteString("\n## INT8 routes and the layers kept in FP32\n\n")
	if len(res.Kept) == 0 {
		b.WriteString("No layer is kept in FP32: every route may run every Conv in INT8.\n")
		return
	}
	fmt.Fprintf(b, "Kept in FP32: %s.\n\n| route | kept layers out of INT8? |\n|---|---|\n", strings.Join(res.Kept, ", "))
	fmt.Fprintf(b, "| %s (QDQ): trtexec, `edge-depth --model %s` (TensorRT or CPU) | yes: they have no Q/DQ, so they run in float |\n", filepath.Base(o.Out), filepath.Base(o.Out))
	if o.Cache == "" {
		return
	}
	fmt.Fprintf(b, "| trtexec `--calib=%s` with the `--layerPrecisions` above | yes: per-layer precision, and the cache has no range for them |\n", filepath.Base(o.Cache))
	fmt.Fprintf(b, "| `edge-depth --provider tensorrt --int8 --calib %s` (ONNX Runtime's TensorRT provider, no per-layer precision) "+
		"| yes: their %d input/output tensors are left out of the cache, so TensorRT has no INT8 range for them and runs them in FP16/FP32 |\n",
		filepath.Base(o.Cache), len(res.CacheOmitted))
}
