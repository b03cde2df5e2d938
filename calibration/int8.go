package calibration

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/xdistill/edge-depth/internal/fsutil"
	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/progress"
)

// DefaultBudget is the accuracy goal: INT8 Abs Rel within 2 % (relative)
// of FP32's.
const DefaultBudget = 0.02

// Int8Options configure an INT8 calibration.
type Int8Options struct {
	Model      string // FP32 ONNX model
	Out        string // QDQ model to write
	Cache      string // TensorRT calibration cache to write ("" = none)
	Report     string // markdown report to write ("" = none)
	Method     Method
	Percentile float64 // for Percentile
	Target     Target
	// Keep names layers to leave in FP32. With AutoKeep, more are added,
	// most sensitive first, while INT8 misses Budget on the Tune frames.
	Keep     []string
	AutoKeep bool
	Budget   float64
	Calib    Frames // calibration frames
	Tune     Frames // sensitivity table and AutoKeep (nil: skip both)
	Eval     Frames // accuracy report (nil: skip)
	// Sources say where the frame sets came from, for the report.
	CalibSource, TuneSource, EvalSource string
	Protocol                            metrics.Options
	TRTVersion                          string
	Runtime                             RuntimeOptions
	LatencyRuns                         int       // ORT CPU timing runs per model (0 = skip)
	Log                                 io.Writer // progress bars (nil = none)
}

// Int8Result is what a calibration did and measured.
type Int8Result struct {
	Layers      []Layer  // every quantizable layer
	Kept        []string // layers left in FP32
	AutoKept    []AutoStep
	Quantized   Quantized
	Ranges      map[string]Range   // every activation's calibrated range
	Scales      map[string]float32 // its symmetric int8 scale (the cache)
	CacheHeader string
	// CacheScales counts the cache's tensors; CacheOmitted are the kept
	// layers' tensors left out of it, so TensorRT cannot run them in INT8.
	CacheScales  int
	CacheOmitted []string
	TuneAll      Scores        // every selected layer INT8, on the Tune frames
	Tune, Eval   *Scores       // the written model on the Tune and Eval frames
	Sensitivity  []Sensitivity // most sensitive first
	Latency      *Latency
}

// AutoStep records one layer AutoKeep moved back to FP32.
type AutoStep struct {
	Layer  string
	Scores Scores // on the Tune frames, after keeping it
}

// Int8 calibrates, writes the QDQ model, the cache and the report. The
// model is checked against the export contract before any work, and the
// outputs appear together at the end or not at all.
func Int8(ctx context.Context, o Int8Options) (*Int8Result, error) {
	if o.Budget == 0 {
		o.Budget = DefaultBudget
	}
	m, in, err := CheckModel(o.Model)
	if err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	res := &Int8Result{Layers: layers(m.Graph())}
	if len(res.Layers) == 0 {
		return nil, fmt.Errorf("calibrate %s: no Conv with constant float weights to quantize", o.Model)
	}
	if err := res.calibrate(ctx, m, o); err != nil {
		return nil, err
	}
	q, err := res.quantize(ctx, m, o)
	if err != nil {
		return nil, err
	}
	var out fsutil.Batch
	defer out.Abort()
	if err := res.write(ctx, &out, m, q, in, o); err != nil {
		return nil, err
	}
	return res, out.Commit()
}

// quantize chooses the layers (Keep, sensitivity, AutoKeep) and builds
// the QDQ model.
func (res *Int8Result) quantize(ctx context.Context, m *onnxgraph.Model, o Int8Options) (*onnxgraph.Model, error) {
	quant, err := SelectLayers(res.Layers, o.Keep)
	if err != nil {
		return nil, err
	}
	if o.Tune != nil && o.Tune.Len() > 0 {
		if quant, err = res.tune(ctx, m, quant, o); err != nil {
			return nil, err
		}
	}
	res.Kept = keptNames(res.Layers, quant)
	q, info, err := QDQ(m, Plan{Target: o.Target, Layers: quant, Ranges: res.Ranges})
	if err != nil {
		return nil, fmt.Errorf("calibrate %s: %w", o.Model, err)
	}
	res.Quantized = info
	markQuantized(q, o, res.Kept)
	return q, nil
}

// write stages the QDQ model, the cache and the report in out, measuring
// accuracy and latency on the staged model.
func (res *Int8Result) write(ctx context.Context, out *fsutil.Batch, m, q *onnxgraph.Model, in Input, o Int8Options) error {
	data, err := q.Marshal()
	if err != nil {
		return fmt.Errorf("save onnx %s: %w", o.Out, err)
	}
	qPath, err := out.WriteFile(o.Out, data, 0o644)
	if err != nil {
		return err
	}
	if err := res.writeCache(out, o); err != nil {
		return err
	}
	if o.Eval != nil && o.Eval.Len() > 0 {
		s, err := Evaluate(ctx, m, q, o.Eval, o.Protocol, o.Runtime)
		if err != nil {
			return fmt.Errorf("evaluate: %w", err)
		}
		res.Eval = &s
	}
	if o.LatencyRuns > 0 {
		lat, err := MeasureLatency(o.Model, qPath, in, o.LatencyRuns, o.Runtime)
		if err != nil {
			return err
		}
		res.Latency = &lat
	}
	if o.Report != "" {
		if _, err := out.WriteFile(o.Report, []byte(Report(o, res)), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func newBar(w io.Writer, label string, total int) *progress.Bar {
	if w == nil {
		return nil
	}
	return progress.New(w, label, total)
}

func finish(b *progress.Bar) {
	if b != nil {
		b.Finish()
	}
}

// calibrate collects statistics and chooses every tensor's range.
func (res *Int8Result) calibrate(ctx context.Context, m *onnxgraph.Model, o Int8Options) error {
	bar := newBar(o.Log, "calibrate", 2*o.Calib.Len())
	stats, err := Collect(ctx, m, o.Calib, o.Runtime, bar)
	finish(bar)
	if err != nil {
		return fmt.Errorf("calibrate %s: %w", o.Model, err)
	}
	if res.Ranges, err = Ranges(stats, o.Method, o.Percentile); err != nil {
		return err
	}
	res.Scales = ScalesOf(res.Ranges)
	return nil
}

// tune scores the full INT8 model and one layer at a time on the Tune
// frames, then (AutoKeep) returns the most sensitive layers to FP32 until
// the budget is met.
func (res *Int8Result) tune(ctx context.Context, m *onnxgraph.Model, quant []Layer, o Int8Options) ([]Layer, error) {
	ev, err := newEvaluator(ctx, m, o.Tune, o.Protocol, o.Runtime)
	if err != nil {
		return nil, fmt.Errorf("tune: %w", err)
	}
	score := func(ls []Layer, bar *progress.Bar) (Scores, error) {
		q, _, err := QDQ(m, Plan{Target: o.Target, Layers: ls, Ranges: res.Ranges})
		if err != nil {
			return Scores{}, err
		}
		return ev.score(ctx, q, bar)
	}
	bar := newBar(o.Log, "sensitivity", (len(quant)+1)*o.Tune.Len())
	full, err := score(quant, bar)
	if err != nil {
		finish(bar)
		return nil, err
	}
	for _, l := range quant {
		s, err := score([]Layer{l}, bar)
		if err != nil {
			finish(bar)
			return nil, fmt.Errorf("sensitivity of %s: %w", l.Name(), err)
		}
		res.Sensitivity = append(res.Sensitivity, Sensitivity{Layer: l.Name(), Scores: s})
	}
	finish(bar)
	sort.SliceStable(res.Sensitivity, func(i, j int) bool {
		return res.Sensitivity[i].Scores.Agreement.AbsRel > res.Sensitivity[j].Scores.Agreement.AbsRel
	})
	res.TuneAll, res.Tune = full, &full
	if !o.AutoKeep {
		return quant, nil
	}
	// Keep at most a quarter of the layers in FP32: past that INT8 buys
	// little, and the report says the budget was not met.
	limit := max(1, len(res.Layers)/4)
	for _, s := range res.Sensitivity {
		if math.Abs(res.Tune.AbsRelChange()) <= o.Budget || len(res.AutoKept) >= limit {
			break
		}
		quant = without(quant, s.Layer)
		sc, err := score(quant, nil)
		if err != nil {
			return nil, err
		}
		slog.Info("keeping a layer in FP32", "layer", s.Layer, "abs_rel_change", fmt.Sprintf("%+.2f%%", 100*sc.AbsRelChange()))
		res.AutoKept = append(res.AutoKept, AutoStep{Layer: s.Layer, Scores: sc})
		res.Tune = &sc
	}
	return quant, nil
}

func without(ls []Layer, name string) []Layer {
	var out []Layer
	for _, l := range ls {
		if l.Name() != name {
			out = append(out, l)
		}
	}
	return out
}

func keptNames(all, quant []Layer) []string {
	in := map[string]bool{}
	for _, l := range quant {
		in[l.Node] = true
	}
	var out []string
	for _, l := range all {
		if !in[l.Node] {
			out = append(out, l.Name())
		}
	}
	return out
}

// Metadata keys the QDQ model adds to the FP32 model's (all kept).
const (
	MetaQuantization = "quantization"        // "int8-qdq"
	MetaTarget       = "quantization_target" // tensorrt | ort
	MetaMethod       = "quantization_method" // entropy | percentile | minmax
	MetaFrames       = "calibration_frames"
	MetaKept         = "int8_fp32_layers" // comma-separated layer names
)

func markQuantized(q *onnxgraph.Model, o Int8Options, kept []string) {
	q.SetMeta(MetaQuantization, "int8-qdq")
	q.SetMeta(MetaTarget, string(o.Target))
	method := string(o.Method)
	if o.Method == Percentile {
		method += " " + strconv.FormatFloat(o.Percentile, 'g', -1, 64)
	}
	q.SetMeta(MetaMethod, method)
	q.SetMeta(MetaFrames, strconv.Itoa(o.Calib.Len()))
	q.SetMeta(MetaKept, strings.Join(kept, ","))
}

// writeCache stages the TensorRT cache for every activation.
func (res *Int8Result) writeCache(out *fsutil.Batch, o Int8Options) error {
	if o.Cache == "" {
		return nil
	}
	scales, omitted := implicitScales(res.Scales, res.Layers, res.Kept)
	c, err := NewCache(o.TRTVersion, scales)
	if err != nil {
		return err
	}
	res.CacheScales, res.CacheOmitted = len(scales), omitted
	res.CacheHeader = c.Header
	for name := range scales {
		if strings.Contains(name, ":") {
			// TensorRT writes such lines itself (PyTorch names tensors
			// onnx::Conv_12); ONNX Runtime's TensorRT provider splits a
			// line at its first colon and misreads them.
			slog.Warn("a tensor name contains ':'; ONNX Runtime's TensorRT provider will misread its cache line (trtexec will not)", "tensor", name)
			break
		}
	}
	var sb strings.Builder
	if err := c.Encode(&sb); err != nil {
		return fmt.Errorf("calibration cache %s: %w", o.Cache, err)
	}
	_, err = out.WriteFile(o.Cache, []byte(sb.String()), 0o644)
	return err
}
