package training

import (
	"fmt"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/config"
	"github.com/xdistill/edge-depth/distill"
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
	// Detach stops the distillation gradient at the disparity: the
	// translator learns, the depth net is not pushed (the warm-up before
	// distill.start_step).
	Detach bool
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
	t := &Translator{Groups: groups, Scales: dc.TranslatorScales, Lambda: dc.Lambda}
	in := int64(1)
	for i := range dc.TranslatorLayers {
		t.blocks = append(t.blocks, NewConvBlock(p.Sub(fmt.Sprintf("block_%d", i)), in, int64(dc.TranslatorWidth), m.Spec.Padding))
		in = int64(dc.TranslatorWidth)
	}
	t.out = conv(p.Sub("out"), in, int64(groups), 1, 1, 0, true)
	m.Translator = t
	return nil
}

// Forward returns group logits [B,G,H,W] for a disparity [B,1,H,W].
func (t *Translator) Forward(s *Scope, disp *ts.Tensor) *ts.Tensor {
	x := disp
	if t.Detach {
		x = s.T(disp.MustDetach(false))
	}
	for _, b := range t.blocks {
		x = b.Forward(s, x)
	}
	return s.T(t.out.Forward(x))
}

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
