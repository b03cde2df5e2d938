package calibration

import (
	"context"
	"fmt"
	"math"

	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/progress"
)

// Scores compares an INT8 model with its FP32 original on held-out frames.
type Scores struct {
	Images int
	GT     bool          // ground truth was available
	FP32   metrics.Depth // against ground truth (GT only)
	INT8   metrics.Depth // against ground truth (GT only)
	// Agreement is the INT8 depth scored against the FP32 depth as if it
	// were ground truth (no scaling): how far quantization moves the
	// output, with or without ground truth.
	Agreement metrics.Depth
}

// AbsRelChange is INT8's Abs Rel relative to FP32's, e.g. 0.013 = 1.3 %
// worse; without ground truth it is the agreement Abs Rel (INT8 against
// FP32), the change ground truth would see at most to first order.
func (s Scores) AbsRelChange() float64 {
	if s.GT && s.FP32.AbsRel > 0 {
		return (s.INT8.AbsRel - s.FP32.AbsRel) / s.FP32.AbsRel
	}
	return s.Agreement.AbsRel
}

// depthMap turns a model's output into depth in training units.
type depthMap struct {
	isDepth            bool
	minDepth, maxDepth float64
}

func depthMapOf(m *onnxgraph.Model, in Input) depthMap {
	d := depthMap{isDepth: in.Output == modelmeta.OutputDepth, minDepth: 0.1, maxDepth: 100}
	if meta, err := modelmeta.Parse(m.Metadata()); err == nil {
		d.minDepth, d.maxDepth = meta.MinDepth, meta.MaxDepth
	}
	return d
}

// depth converts an output map (disparity or depth) at w×h to depth at
// gw×gh, resizing first (Monodepth2 resizes the disparity, then inverts).
func (d depthMap) depth(out []float32, w, h, gw, gh int) []float32 {
	if w != gw || h != gh {
		out = metrics.Resize(out, w, h, gw, gh)
	}
	if d.isDepth {
		return out
	}
	lo, hi := 1/d.maxDepth, 1/d.minDepth
	dep := make([]float32, len(out))
	for i, v := range out {
		dep[i] = float32(1 / (lo + (hi-lo)*float64(v)))
	}
	return dep
}

// tally compares INT8 outputs with FP32 outputs and ground truth, frame
// by frame.
type tally struct {
	in             Input
	dm             depthMap
	protocol       metrics.Options
	fp, q, agree   metrics.Accumulator
	frames, withGT int
}

type groundTruth struct {
	depth []float32
	w, h  int
}

// add scores one frame; gt is nil without ground truth. An output of
// another size than the input is an error: the model is not a depth map
// at its input size, whatever its metadata said.
func (t *tally) add(fpOut, qOut []float32, gt *groundTruth) error {
	w, h := t.in.W, t.in.H
	if len(fpOut) != w*h || len(qOut) != w*h {
		return fmt.Errorf("output %s has %d values (INT8: %d), want one depth map of %dx%d", t.in.Output, len(fpOut), len(qOut), w, h)
	}
	t.frames++
	t.agree.Add(metrics.Compute(widen(t.dm.depth(qOut, w, h, w, h)), widen(t.dm.depth(fpOut, w, h, w, h))))
	if gt == nil {
		return nil
	}
	fs, err1 := metrics.Prepare(t.dm.depth(fpOut, w, h, gt.w, gt.h), gt.depth, gt.w, gt.h, t.protocol)
	qs, err2 := metrics.Prepare(t.dm.depth(qOut, w, h, gt.w, gt.h), gt.depth, gt.w, gt.h, t.protocol)
	if err1 != nil || err2 != nil {
		return nil // no valid ground truth in this frame
	}
	t.fp.Add(fs.Metrics())
	t.q.Add(qs.Metrics())
	return nil
}

func (t *tally) scores() Scores {
	s := Scores{Images: t.frames, Agreement: t.agree.Mean()}
	if t.fp.Len() > 0 {
		s.GT, s.FP32, s.INT8, s.Images = true, t.fp.Mean(), t.q.Mean(), t.fp.Len()
	}
	return s
}

func loadGT(frames Frames, i int) (*groundTruth, error) {
	g, ok := frames.(GroundTruth)
	if !ok {
		return nil, nil
	}
	d, w, h, err := g.Depth(i)
	if err != nil {
		return nil, err
	}
	return &groundTruth{d, w, h}, nil
}

// Evaluate scores an INT8 model against its FP32 original on frames,
// running both side by side so nothing is held in memory.
func Evaluate(ctx context.Context, fp32, int8 *onnxgraph.Model, frames Frames, protocol metrics.Options, ro RuntimeOptions) (Scores, error) {
	in, err := inputOf(fp32)
	if err != nil {
		return Scores{}, err
	}
	var runners [2]*runner
	for k, m := range []*onnxgraph.Model{fp32, int8} {
		data, err := m.Marshal()
		if err != nil {
			return Scores{}, err
		}
		if runners[k], err = newRunner(data, in, []string{in.Output}, ro); err != nil {
			return Scores{}, err
		}
		defer runners[k].close()
	}
	t := &tally{in: in, dm: depthMapOf(fp32, in), protocol: protocol}
	for i := range frames.Len() {
		if err := ctx.Err(); err != nil {
			return Scores{}, err
		}
		img, err := frames.Image(i, in.W, in.H)
		if err != nil {
			return Scores{}, err
		}
		gt, err := loadGT(frames, i)
		if err != nil {
			return Scores{}, err
		}
		fo, err := runners[0].run(img)
		if err != nil {
			return Scores{}, fmt.Errorf("frame %s: %w", frames.Name(i), err)
		}
		fpOut := append([]float32(nil), fo[0]...)
		qo, err := runners[1].run(img)
		if err != nil {
			return Scores{}, fmt.Errorf("frame %s: %w", frames.Name(i), err)
		}
		if err := t.add(fpOut, qo[0], gt); err != nil {
			return Scores{}, fmt.Errorf("frame %s: %w", frames.Name(i), err)
		}
	}
	return t.scores(), nil
}

// evaluator scores many model variants on the same (few) frames: inputs,
// ground truth and FP32 outputs are computed once and kept.
type evaluator struct {
	frames   Frames
	in       Input
	dm       depthMap
	protocol metrics.Options
	ro       RuntimeOptions
	images   [][]float32
	fp32     [][]float32 // FP32 outputs at model size
	gt       []*groundTruth
}

func newEvaluator(ctx context.Context, fp32 *onnxgraph.Model, frames Frames, protocol metrics.Options, ro RuntimeOptions) (*evaluator, error) {
	in, err := inputOf(fp32)
	if err != nil {
		return nil, err
	}
	e := &evaluator{frames: frames, in: in, dm: depthMapOf(fp32, in), protocol: protocol, ro: ro}
	for i := range frames.Len() {
		img, err := frames.Image(i, in.W, in.H)
		if err != nil {
			return nil, err
		}
		gt, err := loadGT(frames, i)
		if err != nil {
			return nil, err
		}
		e.images, e.gt = append(e.images, img), append(e.gt, gt)
	}
	data, err := fp32.Marshal()
	if err != nil {
		return nil, err
	}
	e.fp32, err = e.predict(ctx, data, nil)
	return e, err
}

// predict runs a model over the cached frames.
func (e *evaluator) predict(ctx context.Context, model []byte, bar *progress.Bar) ([][]float32, error) {
	r, err := newRunner(model, e.in, []string{e.in.Output}, e.ro)
	if err != nil {
		return nil, err
	}
	defer r.close()
	out := make([][]float32, len(e.images))
	for i, img := range e.images {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		o, err := r.run(img)
		if err != nil {
			return nil, fmt.Errorf("frame %s: %w", e.frames.Name(i), err)
		}
		out[i] = append([]float32(nil), o[0]...)
		if bar != nil {
			bar.Add(1)
		}
	}
	return out, nil
}

// score runs an INT8 variant and compares it with FP32 and ground truth.
func (e *evaluator) score(ctx context.Context, int8 *onnxgraph.Model, bar *progress.Bar) (Scores, error) {
	data, err := int8.Marshal()
	if err != nil {
		return Scores{}, err
	}
	q, err := e.predict(ctx, data, bar)
	if err != nil {
		return Scores{}, err
	}
	t := &tally{in: e.in, dm: e.dm, protocol: e.protocol}
	for i := range q {
		if err := t.add(e.fp32[i], q[i], e.gt[i]); err != nil {
			return Scores{}, fmt.Errorf("frame %s: %w", e.frames.Name(i), err)
		}
	}
	return t.scores(), nil
}

func widen(xs []float32) []float64 {
	out := make([]float64, len(xs))
	for i, v := range xs {
		out[i] = math.Max(float64(v), 1e-9)
	}
	return out
}

// Sensitivity is one row of the per-layer table: the model with only
// this layer quantized.
type Sensitivity struct {
	Layer  string
	Scores Scores
}
