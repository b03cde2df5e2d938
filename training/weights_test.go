package training

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"

	"github.com/xdistill/edge-depth/internal/pyref"
)

// torchvision's own resnet18 (random weights, randomised batch-norm
// statistics so eval mode matters) saved as a .pth, and its features for
// the same input, normalised as our encoder normalises internally.
const torchvisionReference = `
import torch, torchvision
torch.manual_seed(0)
m = torchvision.models.resnet18()
for mod in m.modules():
    if isinstance(mod, torch.nn.BatchNorm2d):
        mod.running_mean.uniform_(-0.2, 0.2); mod.running_var.uniform_(0.5, 1.5)
        mod.weight.data.uniform_(0.5, 1.5); mod.bias.data.uniform_(-0.2, 0.2)
m.eval()
torch.save(m.state_dict(), D + "/resnet18.pth")
x = (torch.from_numpy(load("img")) - 0.45) / 0.225
with torch.no_grad():
    f0 = m.relu(m.bn1(m.conv1(x))); f1 = m.layer1(m.maxpool(f0))
    f2 = m.layer2(f1); f3 = m.layer3(f2); f4 = m.layer4(f3)
for i, f in enumerate((f0, f1, f2, f3, f4)): save("f%d" % i, f)
`

func TestTorchvisionResNet18WeightsGiveTorchvisionFeatures(t *testing.T) {
	pyref.Require(t, "torch", "torchvision")
	dir := t.TempDir()
	img := randArray(11, 0, 1, 1, 3, 64, 96)
	ref := pyref.RunIn(t, dir, torchvisionReference, map[string]pyref.Array{"img": img})

	vs := nn.NewVarStore(gotch.CPU)
	enc, err := NewEncoder(vs.Root().Sub("enc"), EncoderSpec{Depth: 18, Width: 1, Inputs: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := LoadTorchvisionResNet(vs, "enc", filepath.Join(dir, "resnet18.pth")); err != nil {
		t.Fatal(err)
	}
	s := NewScope()
	defer s.Drop()
	feats := enc.Forward(s, toTensor(s, img), false)
	for i, f := range feats {
		d := pyref.MaxAbsDiff(t, values(t, f), ref["f"+string(rune('0'+i))].Data)
		t.Logf("feature %d: max |ours − torchvision| = %.2g", i, d)
		if d > 1e-4 {
			t.Errorf("feature %d: max |ours − torchvision| = %.3g > 1e-4", i, d)
		}
	}

	// The same file into a pose encoder (6 channels): identical frames give
	// the pretrained stem response.
	pose, err := NewEncoder(vs.Root().Sub("pose"), EncoderSpec{Depth: 18, Width: 1, Inputs: 6})
	if err != nil {
		t.Fatal(err)
	}
	if err := LoadTorchvisionResNet(vs, "pose", filepath.Join(dir, "resnet18.pth")); err != nil {
		t.Fatal(err)
	}
	x := toTensor(s, img)
	pair := s.T(x.MustRepeat([]int64{1, 2, 1, 1}, false))
	if d := pyref.MaxAbsDiff(t, values(t, pose.Forward(s, pair, false)[0]), ref["f0"].Data); d > 1e-4 {
		t.Errorf("pose stem on a doubled frame: max diff %.3g", d)
	}

	// A narrower encoder cannot take the file: a clear error, not a crash.
	narrow, _ := NewEncoder(vs.Root().Sub("narrow"), EncoderSpec{Depth: 18, Width: 0.5, Inputs: 3})
	_ = narrow
	err = LoadTorchvisionResNet(vs, "narrow", filepath.Join(dir, "resnet18.pth"))
	if err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("width-0.5 encoder: got %v, want a shape error", err)
	}
}
