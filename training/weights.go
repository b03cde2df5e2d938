package training

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/pickle"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/checkpoint"
)

// noGrad runs fn with autograd off, then turns it back on.
//
// Two libtorch/gotch facts shape this. Grad mode is per OS thread, so the
// goroutine is pinned while the mode is changed (a restore on another
// thread would leave autograd off wherever the first call ran). And gotch
// v0.7.0's MustGradSetEnabled returns garbage for the previous mode (it
// reads a 4-byte C int through an 8-byte Go int), so the mode is restored
// to "on" rather than to what it reports; noGrad therefore must not nest.
func noGrad(fn func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ts.MustGradSetEnabled(false)
	defer ts.MustGradSetEnabled(true)
	fn()
}

// LoadTorchvisionResNet copies a torchvision ResNet state dict (.pth, e.g.
// ImageNet weights the user brings) into the encoder whose variables sit
// under prefix in vs (e.g. "depth.encoder"). The classifier (fc.*) is not
// used. For a pose encoder on frame pairs (6 input channels), conv1 is the
// RGB filter repeated for both frames and halved, as Monodepth2 does, so the
// response to two identical frames equals the pretrained response.
func LoadTorchvisionResNet(vs *nn.VarStore, prefix, path string) error {
	state, err := pickle.Decode(path)
	if err != nil {
		return fmt.Errorf("load encoder weights %s: %w", path, err)
	}
	defer func() {
		for _, t := range state {
			t.MustDrop()
		}
	}()
	vars := vs.Variables()
	var missing []string
	for name, dst := range vars {
		key, ok := strings.CutPrefix(name, prefix+".")
		if !ok {
			continue
		}
		src, found := state[key]
		if !found {
			missing = append(missing, key)
			continue
		}
		if err := copyWeight(&dst, src, key); err != nil {
			return fmt.Errorf("load encoder weights %s: %w", path, err)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("load encoder weights %s: not a matching torchvision ResNet state dict (missing %d tensors, e.g. %s); the encoder must be width 1 of the same depth", path, len(missing), missing[0])
	}
	return nil
}

func copyWeight(dst, src *ts.Tensor, key string) error {
	want, got := dst.MustSize(), src.MustSize()
	if key == "conv1.weight" && len(want) == 4 && len(got) == 4 && want[1] == 2*got[1] {
		doubled := ts.MustCat([]ts.Tensor{*src, *src}, 1)
		defer doubled.MustDrop()
		half := doubled.MustDivScalar(ts.FloatScalar(2), false)
		defer half.MustDrop()
		src, got = half, half.MustSize()
	}
	if !slices.Equal(want, got) {
		return fmt.Errorf("tensor %s: shape %v in the file, %v in the network", key, got, want)
	}
	noGrad(func() {
		conv := src.MustTotype(dst.DType(), false)
		dst.Copy_(conv)
		conv.MustDrop()
	})
	return nil
}

// LoadSegEncoder starts the encoder under prefix in vs (e.g.
// "depth.encoder") from the encoder of a built-in teacher's run (`xdistill
// teacher train --run DIR`): a stand-in for ImageNet pretraining when no
// .pth is at hand, since segmenting the same scenes teaches the features
// depth needs too (object edges, road versus the rest). The teacher must
// have the same encoder width; a depth run or a mismatched width is
// refused, naming the run and the first tensor that differs.
func LoadSegEncoder(vs *nn.VarStore, prefix, runDir string, width float64) error {
	ck, err := checkpoint.LoadRun(runDir)
	if err != nil {
		return fmt.Errorf("load encoder weights %s: %w", runDir, err)
	}
	if seg, _ := ck.Record.Arch.Segmentation(); !seg {
		return fmt.Errorf("load encoder weights %s: not a segmentation run (want the built-in teacher's run directory)", runDir)
	}
	if w := ck.Record.Arch.WidthMultiplier; w != width {
		return fmt.Errorf("load encoder weights %s: the teacher's encoder has width %g, model.width is %g (set it to match)", runDir, w, width)
	}
	dst := map[string]*ts.Tensor{}
	for name, x := range variables(vs) {
		if key, ok := strings.CutPrefix(name, prefix+"."); ok {
			dst[SegPrefix+".encoder."+key] = x
		}
	}
	if len(dst) == 0 {
		return fmt.Errorf("load encoder weights %s: the model has no encoder under %q", runDir, prefix)
	}
	return fromCheckpoint(dst, ck.Weights, "load encoder weights "+runDir)
}
