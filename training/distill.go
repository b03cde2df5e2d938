package training

import (
	"context"
	"fmt"
	"math/bits"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/training/data"
	"github.com/xdistill/edge-depth/training/distill"
)

// Translator is X-Distill's depth-to-segmentation head: a few 3×3 conv
// blocks on the predicted disparity, then a 1×1 conv to one logit per
// class group. It only sees the disparity, so the segmentation loss can
// only be lowered by a disparity whose layout reveals the scene's classes.
// It is trained with the depth net and never exported.
type Translator struct {
	blocks []*ConvBlock
	out    *nn.Conv2D
	Groups int
	Scales int // disparity scales it is applied to (0..Scales-1)
	Lambda float64
	// Weight is the λ of the current step: Lambda, ramped in after
	// distill.start_step (see Schedule).
	Weight float64
	// Detach stops the distillation gradient at the disparity: the
	// translator learns, the depth net is not pushed (the warm-up before
	// distill.start_step).
	Detach bool
	// Input and Coords are distill.input and distill.coords; the depth
	// range turns disparity into depth for "log_depth".
	Input              string
	Coords             bool
	MinDepth, MaxDepth float64
	// Stride is distill.translator_downsample: the translator reads the
	// disparity averaged down by it (1 = full size).
	Stride int
}

// AddTranslator builds the translator under "translator.*" in the model's
// VarStore (after the depth and pose nets, so their initial weights do not
// depend on it).
func (m *Model) AddTranslator(dc config.Distill, groups int) error {
	if dc.TranslatorLayers < 1 || dc.TranslatorWidth < 1 {
		return fmt.Errorf("distill: translator_layers %d and translator_width %d must be ≥ 1", dc.TranslatorLayers, dc.TranslatorWidth)
	}
	if dc.TranslatorScales < 1 || dc.TranslatorScales > m.Depth.Scales {
		return fmt.Errorf("distill: translator_scales %d: want 1..%d (model.scales)", dc.TranslatorScales, m.Depth.Scales)
	}
	p := m.VS.Root().Sub("translator")
	t := &Translator{Groups: groups, Scales: dc.TranslatorScales, Lambda: dc.Lambda, Weight: dc.Lambda,
		Input: dc.Input, Coords: dc.Coords, MinDepth: m.MinDepth, MaxDepth: m.MaxDepth, Stride: max(1, dc.TranslatorDownsample)}
	in := int64(1)
	if t.Coords {
		in = 3
	}
	for i := range dc.TranslatorLayers {
		t.blocks = append(t.blocks, NewConvBlock(p.Sub(fmt.Sprintf("block_%d", i)), in, int64(dc.TranslatorWidth), m.Spec.Padding))
		in = int64(dc.TranslatorWidth)
	}
	t.out = conv(p.Sub("out"), in, int64(groups), 1, 1, 0, true)
	m.Translator = t
	return nil
}

// Schedule sets the translator's state for a step: detached before
// start_step (the translator learns, the depth net is not pushed), then
// λ rising linearly over ramp_steps.
func (t *Translator) Schedule(step int, dc config.Distill) {
	t.Detach = step < dc.StartStep
	t.Weight = t.Lambda
	if !t.Detach && dc.RampSteps > 0 {
		t.Weight *= min(1, float64(step-dc.StartStep+1)/float64(dc.RampSteps))
	}
}

// Forward returns group logits [B,G,H,W] for a disparity [B,1,H,W].
func (t *Translator) Forward(s *Scope, disp *ts.Tensor) *ts.Tensor {
	if t.Detach {
		disp = s.T(disp.MustDetach(false))
	}
	x := t.input(s, disp)
	for _, b := range t.blocks {
		x = b.Forward(s, x)
	}
	return s.T(t.out.Forward(x))
}

// Loss is the translator's cross-entropy for a full-size disparity
// [B,1,H,W] and its labels [B,H,W] (valid labelled pixels): at stride k
// the disparity is averaged down k times and each k×k block is scored
// against its label nearest the block's centre.
func (t *Translator) Loss(s *Scope, disp, labels *ts.Tensor, valid int) *ts.Tensor {
	k := int64(max(1, t.Stride))
	if k == 1 {
		return DistillLoss(s, t.Forward(s, disp), labels, valid)
	}
	small := Downsample(s, disp, t.level())
	start := []int64{(k - 1) / 2}
	sub := s.T(labels.MustSlice(1, start, nil, k, false))
	sub = s.T(sub.MustSlice(2, start, nil, k, false))
	n := s.T(s.T(sub.MustNe(s.F(float64(distill.Ignore)), false)).MustSum(gotch.Int64, false)).Int64Values()[0]
	return DistillLoss(s, t.Forward(s, small), sub, int(n))
}

// level is the pyramid level the translator reads: Stride = 2^level.
func (t *Translator) level() int { return bits.TrailingZeros(uint(max(1, t.Stride))) }

// DistillLoss is the cross-entropy of logits [B,G,H,W] against group
// labels [B,H,W] (int64, distill.Ignore = skip), averaged over the valid
// pixels. Summing and dividing by the host-side count keeps a batch with
// no valid pixel at zero instead of libtorch's 0/0.
func DistillLoss(s *Scope, logits, labels *ts.Tensor, valid int) *ts.Tensor {
	return weightedCE(s, logits, labels, ts.NewTensor(), valid)
}

// weightedCE is DistillLoss with a per-class weight [C] (undefined = 1):
// the sum of w[label]·CE over valid pixels, over their count.
func weightedCE(s *Scope, logits, labels, weight *ts.Tensor, valid int) *ts.Tensor {
	const sum = 2
	ce := s.T(logits.MustCrossEntropyLoss(labels, weight, sum, distill.Ignore, 0, false))
	return s.T(ce.MustDivScalar(s.F(float64(max(valid, 1))), false))
}

// input is what the translator reads of a disparity [B,1,H,W]
// (distill.input), with the coordinate channels when asked for.
func (t *Translator) input(s *Scope, disp *ts.Tensor) *ts.Tensor {
	x := disp
	switch t.Input {
	case "scale_free": // the true disparity 1/depth, not the sigmoid, so a scene twice as far reads the same
		scaled, _ := DispToDepth(s, disp, t.MinDepth, t.MaxDepth)
		x = s.T(scaled.MustDiv(perImageMean(s, scaled), false))
	case "log_depth":
		_, depth := DispToDepth(s, disp, t.MinDepth, t.MaxDepth)
		logd := s.T(depth.MustLog(false))
		x = s.T(logd.MustSub(perImageMean(s, logd), false))
	}
	if t.Coords {
		x = s.T(ts.MustCat([]ts.Tensor{*x, *coordGrid(s, disp)}, 1))
	}
	return x
}

// perImageMean is the mean of x [B,1,H,W] over each image, [B,1,1,1].
func perImageMean(s *Scope, x *ts.Tensor) *ts.Tensor {
	return s.T(x.MustMeanDim([]int64{1, 2, 3}, true, Float, false))
}

// coordGrid is [B,2,H,W]: each pixel's row, then column, scaled to −1..1,
// for a batch shaped like x.
func coordGrid(s *Scope, x *ts.Tensor) *ts.Tensor {
	size := x.MustSize()
	b, h, w := size[0], size[2], size[3]
	grid := make([]float32, 2*h*w)
	for y := range h {
		for xx := range w {
			grid[y*w+xx] = float32(2*float64(y)/float64(max(h-1, 1)) - 1)
			grid[h*w+y*w+xx] = float32(2*float64(xx)/float64(max(w-1, 1)) - 1)
		}
	}
	host := s.T(ts.MustOfSlice(grid).MustView([]int64{1, 2, h, w}, true))
	dev := s.T(host.MustTo(x.MustDevice(), false))
	return s.T(dev.MustExpand([]int64{b, 2, h, w}, false, false))
}

// Classify returns the translator's group (argmax of its logits) for each
// pixel of one CHW image, read from the depth net's own disparity: how
// much of the scene's layout the disparity carries. Nil without a
// translator.
func (m *Model) Classify(image []float32, w, h int, device gotch.Device) []uint8 {
	t := m.Translator
	if t == nil {
		return nil
	}
	k := int64(max(1, t.Stride))
	out := hostForward(image, w, h, device, func(s *Scope, x *ts.Tensor) *ts.Tensor {
		disp := m.Depth.Forward(s, x, false)[0]
		if k > 1 { // as in training; each block's class then fills the block
			disp = Downsample(s, disp, t.level())
		}
		logits := t.Forward(s, disp)
		classes := s.T(s.T(logits.MustArgmax([]int64{1}, true, false)).MustTotype(Float, false))
		return s.T(classes.MustUpsampleNearest2d([]int64{int64(h), int64(w)}, nil, nil, false))
	})
	labels := make([]uint8, len(out))
	for i, v := range out {
		labels[i] = uint8(v)
	}
	return labels
}

// TranslatorAccuracy is the share of labelled pixels (labels of the
// set, e.g. ground-truth groups) that Classify gets right; the labels are
// resized to the network size by nearest neighbour when they differ.
func (m *Model) TranslatorAccuracy(ctx context.Context, set data.EvalSet, device gotch.Device) (correct, total int, err error) {
	w, h := set.Size()
	for i := range set.Len() {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		smp, err := set.LoadEval(i)
		if err != nil {
			return 0, 0, fmt.Errorf("translator accuracy, sample %d: %w", i, err)
		}
		if smp.Labels == nil {
			continue
		}
		got := m.Classify(smp.Image, w, h, device)
		want := smp.Labels
		if smp.GTW != w || smp.GTH != h {
			want = data.ResizeLabels(smp.Labels, smp.GTW, smp.GTH, w, h)
		}
		for k, l := range want {
			if l != distill.Ignore {
				total++
				if got[k] == l {
					correct++
				}
			}
		}
	}
	return correct, total, nil
}
