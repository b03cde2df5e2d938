package export

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/format/safetensors"
)

// bnEps is the batch-norm epsilon of training's layers (gotch's default,
// as torchvision's).
const bnEps = 1e-5

// netSpec is the depth network a checkpoint holds, as training builds it
// (training/resnet.go, training/depthnet.go); the exporter re-derives every
// shape from it and checks each tensor against it.
type netSpec struct {
	depth      int     // ResNet depth: 18 or 50
	width      float64 // channel multiplier
	padding    string  // reflect | zero
	bottleneck bool
	blocks     [4]int
	// prefix is where the net's tensors are: "depth." for a depth run,
	// "seg." for the built-in teacher (checkpoint.TaskSegmentation),
	// whose decoder ends in a logits head of classes channels.
	prefix  string
	classes int64
}

// decoderChannels are Monodepth2's decoder widths, finest first (as in
// training).
var decoderChannels = [5]int64{16, 32, 64, 128, 256}

// specOf reads the architecture from a run record and refuses anything the
// exporter does not know how to write.
func specOf(a checkpoint.Arch) (netSpec, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(a.Encoder, "resnet"))
	if !strings.HasPrefix(a.Encoder, "resnet") || err != nil || (n != 18 && n != 50) {
		return netSpec{}, fmt.Errorf("architecture: encoder %q is not one this exporter writes (resnet18 or resnet50)", a.Encoder)
	}
	s := netSpec{depth: n, width: a.WidthMultiplier, padding: a.Padding, prefix: depthPrefix}
	if seg, classes := a.Segmentation(); seg {
		if classes < 1 || classes > 256 {
			return netSpec{}, fmt.Errorf("architecture: segmentation net with %d classes, want 1..256", classes)
		}
		s.prefix, s.classes = segPrefix, int64(classes)
	}
	if s.width == 0 {
		s.width = 1 // records before width multipliers
	}
	if !(s.width > 0 && s.width <= 1) || math.IsNaN(s.width) {
		return netSpec{}, fmt.Errorf("architecture: width multiplier %g, want (0, 1]", a.WidthMultiplier)
	}
	if s.padding == "" {
		s.padding = "reflect"
	}
	if s.padding != "reflect" && s.padding != "zero" {
		return netSpec{}, fmt.Errorf("architecture: padding %q, want reflect or zero", a.Padding)
	}
	if n == 18 {
		s.blocks = [4]int{2, 2, 2, 2}
	} else {
		s.blocks, s.bottleneck = [4]int{3, 4, 6, 3}, true
	}
	return s, nil
}

// scaled applies the width multiplier like training's EncoderSpec.scaled.
func (s netSpec) scaled(c int64) int64 {
	v := int64(float64(c)*s.width + 0.5)
	return max(v, 4)
}

func (s netSpec) String() string {
	if s.classes > 0 {
		return fmt.Sprintf("resnet%d at width %g with a %d-class segmentation head", s.depth, s.width, s.classes)
	}
	return fmt.Sprintf("resnet%d at width %g", s.depth, s.width)
}

// weights reads the network's tensors from a checkpoint, checking each
// shape against the spec. The first problem is kept (like onnxgraph's
// builder) so graph code reads like the network.
type weights struct {
	f    *safetensors.File
	spec netSpec
	err  error
	used map[string]bool
}

// Tensor prefixes of the two networks a checkpoint may hold (training's
// Model "depth", SegModel "seg").
const (
	depthPrefix = "depth."
	segPrefix   = "seg."
)

func (w *weights) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// get returns tensor spec.prefix+name, which must have shape want.
func (w *weights) get(name string, want ...int64) []float32 {
	if w.err != nil {
		return make([]float32, count(want))
	}
	if w.used == nil {
		w.used = map[string]bool{}
	}
	w.used[w.spec.prefix+name] = true
	t, err := w.f.Tensor(w.spec.prefix + name)
	if err != nil {
		w.fail(fmt.Errorf("%w: the record describes a %s depth network (another architecture?)", err, w.spec))
		return make([]float32, count(want))
	}
	if !slices.Equal(t.Shape, want) {
		w.fail(fmt.Errorf("checkpoint %s: tensor %s has shape %v, a %s has %v (another architecture?)", w.f.Path, t.Name, t.Shape, w.spec, want))
		return make([]float32, count(want))
	}
	v, err := t.Float32s()
	if err != nil {
		w.fail(fmt.Errorf("checkpoint %s: tensor %s: %w", w.f.Path, t.Name, err))
		return make([]float32, count(want))
	}
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			w.fail(fmt.Errorf("checkpoint %s: tensor %s holds %g at index %d (diverged training?)", w.f.Path, t.Name, x, i))
			break
		}
	}
	return v
}

// convBN returns the weight and bias of convolution conv (out×in×k×k, no
// bias) with the inference-mode batch norm bn folded in:
// w' = w·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε), computed in float64.
func (w *weights) convBN(conv, bn string, out, in, k int64) ([]float32, []float32) {
	wt := w.get(conv+".weight", out, in, k, k)
	gamma, beta := w.get(bn+".weight", out), w.get(bn+".bias", out)
	mean, variance := w.get(bn+".running_mean", out), w.get(bn+".running_var", out)
	if w.err != nil {
		return wt, make([]float32, out)
	}
	folded, bias := make([]float32, len(wt)), make([]float32, out)
	per := int(in * k * k)
	for o := range int(out) {
		if variance[o] < 0 {
			w.fail(fmt.Errorf("checkpoint %s: %s.running_var[%d] = %g is negative", w.f.Path, w.spec.prefix+bn, o, variance[o]))
		}
		s := float64(gamma[o]) / math.Sqrt(float64(variance[o])+bnEps)
		for i := o * per; i < (o+1)*per; i++ {
			folded[i] = float32(float64(wt[i]) * s)
		}
		bias[o] = float32(float64(beta[o]) - float64(mean[o])*s)
	}
	return folded, bias
}

// coarseHeads are the depth net's tensors the export leaves out on
// purpose: the disparity heads of scales 1..3, used only by the loss.
var coarseHeads = regexp.MustCompile(`^depth\.decoder\.dispconv_[123]\.`)

// checkAllUsed refuses a checkpoint whose depth net has tensors the graph
// did not read: a layer training gained and this exporter does not write
// would otherwise be dropped silently.
func (w *weights) checkAllUsed() error {
	if w.err != nil {
		return w.err
	}
	var extra []string
	for _, name := range w.f.Names() {
		if strings.HasPrefix(name, w.spec.prefix) && !w.used[name] && !coarseHeads.MatchString(name) {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		return fmt.Errorf("checkpoint %s: %d network tensors this exporter does not write (%s): the network differs from a %s as export/graph.go builds it",
			w.f.Path, len(extra), strings.Join(extra[:min(len(extra), 3)], ", "), w.spec)
	}
	return nil
}

func count(shape []int64) int64 {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	return n
}
