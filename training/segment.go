package training

import (
	"math"
	"slices"
	"strconv"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/format/safetensors"
)

// SegPrefix is where a SegModel's tensors live in its VarStore and
// checkpoint ("seg.encoder.*", "seg.decoder.*"); export reads them there.
const SegPrefix = "seg"

// SegModel is X-Distill's built-in teacher: the depth net's ResNet encoder
// and Monodepth2 decoder with a logits head of kitti.NumClasses channels
// (DepthNetSpec.Classes) instead of the sigmoid disparities. Reusing the
// depth net keeps one network definition, and one ONNX writer, for both.
type SegModel struct {
	VS   *nn.VarStore
	Net  *DepthNet
	Spec DepthNetSpec
}

// NewSegModel builds a segmentation net over the 19 Cityscapes classes.
func NewSegModel(enc EncoderSpec, pad Padding, device gotch.Device) (*SegModel, error) {
	spec := DepthNetSpec{Encoder: enc, Padding: pad, Scales: 1, Classes: kitti.NumClasses}
	vs := nn.NewVarStore(device)
	net, err := NewDepthNet(vs.Root().Sub(SegPrefix), spec)
	if err != nil {
		return nil, err
	}
	return &SegModel{VS: vs, Net: net, Spec: spec}, nil
}

// Logits are the class scores [B,19,H,W] of images [B,3,H,W] in [0,1].
func (m *SegModel) Logits(s *Scope, img *ts.Tensor, train bool) *ts.Tensor {
	return m.Net.Forward(s, img, train)[0]
}

// PredictLogits runs the net in inference mode on one CHW image and
// returns its logits (19×h×w) on the host.
func (m *SegModel) PredictLogits(image []float32, w, h int, device gotch.Device) []float32 {
	return hostForward(image, w, h, device, func(s *Scope, x *ts.Tensor) *ts.Tensor { return m.Logits(s, x, false) })
}

// WeightTensors is the model's state for a checkpoint.
func (m *SegModel) WeightTensors() []safetensors.Tensor { return toCheckpoint(variables(m.VS)) }

// LoadWeights restores the model from checkpoint weights.
func (m *SegModel) LoadWeights(f *safetensors.File) error {
	return fromCheckpoint(variables(m.VS), f, "weights "+f.Path)
}

// Arch describes the net for a run record: the depth net's fields plus
// the task and class count (checkpoint.Arch.Segmentation), at w×h.
func (m *SegModel) Arch(encoder string, w, h int) checkpoint.Arch {
	return checkpoint.Arch{Encoder: encoder, WidthMultiplier: m.Spec.Encoder.Width, InputWidth: w, InputHeight: h,
		Padding: m.Spec.Padding.String(), Scales: []int{0},
		Extra: map[string]string{checkpoint.ExtraTask: checkpoint.TaskSegmentation, checkpoint.ExtraClasses: strconv.Itoa(m.Spec.Classes)}}
}

// BalancedWeights are cross-entropy class weights from pixel counts:
// √(median / frequency) over the classes present, at most maxClassWeight
// (absent classes 1). Without them a short schedule learns road, building
// and sky and never the thin or small classes (poles, signs, people),
// which is where X-Distill's grouping needs the teacher most.
func BalancedWeights(counts []int64) []float32 {
	var present []float64
	for _, n := range counts {
		if n > 0 {
			present = append(present, float64(n))
		}
	}
	w := make([]float32, len(counts))
	med := medianOf(present)
	for c, n := range counts {
		w[c] = 1
		if n > 0 {
			w[c] = float32(min(maxClassWeight, math.Sqrt(med/float64(n))))
		}
	}
	return w
}

// maxClassWeight caps a rare class's weight, so that a class with a few
// hundred pixels does not dominate the loss.
const maxClassWeight = 10

func medianOf(xs []float64) float64 {
	if len(xs) == 0 {
		return 1
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}
