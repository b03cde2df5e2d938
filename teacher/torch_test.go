package teacher

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/pyref"
)

// lrasppScript builds torchvision's LR-ASPP MobileNetV3-Large (19
// classes, seeded random weights), exports it to ONNX at opset 13 and
// saves its logits on exactly the tensors our preprocessing produced,
// plus torch's own resize of the raw frames to judge that preprocessing.
//
// With random weights and BatchNorm's initial statistics (mean 0, var 1)
// the net labels nearly every pixel with one class, a useless comparison;
// re-estimating the statistics on the frames (a train-mode pass with a
// cumulative average) gives a varied map with well-separated scores.
const lrasppScript = `
import torch, torch.nn.functional as F
from torchvision.models.segmentation import lraspp_mobilenet_v3_large
torch.manual_seed(0)
x = torch.from_numpy(load("x"))      # [N,3,h,w]: our preprocessed frames
raw = torch.from_numpy(load("raw"))  # [N,H,W,3]: the frames, 0..255
net = lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=19)
for m in net.modules():
    if isinstance(m, torch.nn.BatchNorm2d):
        m.reset_running_stats(); m.momentum = None
net.train()
with torch.no_grad():
    net(torch.cat([x, x.flip(3)]))
class Out(torch.nn.Module):
    def __init__(self, net):
        super().__init__(); self.net = net
    def forward(self, x):
        return self.net(x)["out"]
model = Out(net).eval()
torch.onnx.export(model, x[:1], D + "/lraspp.onnx", opset_version=13,
                  input_names=["image"], output_names=["out"])
with torch.no_grad():
    logits = torch.cat([model(x[i:i+1]) for i in range(len(x))])
save("logits", logits)
top = logits.topk(2, dim=1).values
H, W = raw.shape[1], raw.shape[2]
up = lambda a: F.interpolate(a[:, None], size=(H, W), mode="nearest-exact")[:, 0]
save("labels", up(logits.argmax(1).float()))
save("gap", up(top[:, 0] - top[:, 1]))
ref = F.interpolate(raw.permute(0, 3, 1, 2) / 255, size=x.shape[2:], mode="bilinear", align_corners=False)
mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
save("xref", (ref - mean) / std)
`

// tieGap: pixels whose two best PyTorch logits are closer than this may
// legitimately take either class (float summation order differs).
const tieGap = 1e-4

// TestLabelsMatchPyTorchOnTorchvisionLRASPP runs the ONNX teacher path on
// a model no one here wrote: torchvision's LR-ASPP, exported by
// torch.onnx. Our labels of synthetic frames (320×120, resized to the
// model's 256×96 and back) must equal PyTorch's argmax, resized with
// nearest-exact, except at ties.
func TestLabelsMatchPyTorchOnTorchvisionLRASPP(t *testing.T) {
	pyref.Require(t, "torch", "torchvision")
	const fw, fh, mw, mh = 320, 120, 256, 96
	root := world(t, fw, fh, 3)
	entries, err := kitti.ReadSplit(kitti.SplitPath(root, "test"))
	if err != nil {
		t.Fatal(err)
	}
	n := len(entries)
	frames := make([][]uint8, n)
	x := pyref.Array{Shape: []int{n, 3, mh, mw}, Data: make([]float32, n*3*mh*mw)}
	raw := pyref.Array{Shape: []int{n, fh, fw, 3}, Data: make([]float32, n*fh*fw*3)}
	nrm := newNorm(Settings{Mean: ImageNetMean, Std: ImageNetStd, InputScale: 1})
	for i, e := range entries {
		rgb, w, h, err := kitti.ReadRGB(e.Drive.ImagePath(root, e.Frame))
		if err != nil || w != fw || h != fh {
			t.Fatalf("frame %v: %dx%d, %v", e, w, h, err)
		}
		frames[i] = rgb
		preprocess(x.Data[i*3*mh*mw:], rgb, fw, newAxis(fw, mw), newAxis(fh, mh), nrm)
		for j, v := range rgb {
			raw.Data[i*len(rgb)+j] = float32(v)
		}
	}
	dir := t.TempDir()
	ref := pyref.RunIn(t, dir, lrasppScript, map[string]pyref.Array{"x": x, "raw": raw})
	if d := pyref.MaxAbsDiff(t, x.Data, ref["xref"].Data); d > 2e-6 {
		t.Errorf("our resize+normalise differs from torch's bilinear interpolate by %g", d)
	} else {
		t.Logf("preprocessing vs torch F.interpolate(bilinear) + normalise: max |diff| %.2g", d)
	}

	m := open(t, filepath.Join(dir, "lraspp.onnx"), Options{})
	s := m.Settings()
	if s.Width != mw || s.Height != mh || s.SizeFrom != "model shape" || s.NormFrom != "default" || s.ClassesFrom != "default" {
		t.Fatalf("settings %+v; want 256x96 from the model shape, ImageNet and Cityscapes defaults", s)
	}
	plane, px := 19*mh*mw, fw*fh
	for i := range n {
		labels, err := m.Label(frames[i], fw, fh)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.input, x.Data[i*3*mh*mw:(i+1)*3*mh*mw]) {
			t.Fatalf("frame %d: the tensor fed to ONNX Runtime is not the one PyTorch ran", i)
		}
		logitDiff := pyref.MaxAbsDiff(t, m.logits, ref["logits"].Data[i*plane:(i+1)*plane])
		want, gap := ref["labels"].Data[i*px:(i+1)*px], ref["gap"].Data[i*px:(i+1)*px]
		ties, differ, classes := 0, 0, map[uint8]bool{}
		for p, l := range labels {
			classes[l] = true
			tie := gap[p] < tieGap
			if tie {
				ties++
			}
			if float32(l) != want[p] {
				differ++
				if !tie {
					t.Errorf("frame %d pixel (%d,%d): %s, PyTorch %s (top-2 gap %g)", i, p%fw, p/fw,
						kitti.ClassName(l), kitti.ClassName(uint8(want[p])), gap[p])
				}
			}
		}
		t.Logf("frame %d: %d pixels, %d classes, %d ties (top-2 within %g), %d differ from PyTorch; max |logit diff| ORT vs PyTorch %.2g",
			i, px, len(classes), ties, tieGap, differ, logitDiff)
		if len(classes) < 5 {
			t.Errorf("frame %d uses only %d classes: too uniform to judge the argmax", i, len(classes))
		}
		if math.IsNaN(logitDiff) || logitDiff > 1e-3 {
			t.Errorf("frame %d: ORT logits differ from PyTorch's by %g", i, logitDiff)
		}
	}
}

// upsampleScript is the reference for a model whose logits are smaller
// than its input: PyTorch's conv on our input tensor, logits upsampled
// bilinearly (align_corners=False) to the input size, then argmax.
const upsampleScript = `
import torch, torch.nn.functional as F
x, w, b = (torch.from_numpy(load(n)) for n in ("x", "w", "b"))
logits = F.conv2d(x, w, b, stride=2, padding=1)
up = F.interpolate(logits, size=x.shape[2:], mode="bilinear", align_corners=False)
top = up.topk(2, dim=1).values
save("labels", up.argmax(1).float())
save("gap", top[:, 0] - top[:, 1])
`

func TestSmallerLogitsAreUpsampledBilinearlyLikePyTorch(t *testing.T) {
	pyref.Require(t, "torch")
	const w, h = 48, 32
	net := convNet{in: nchw(3, h, w), classes: 5, kernel: 3, stride: 2,
		meta: map[string]string{KeyClasses: "road,car,unicorn,sky,person"}}
	m := open(t, net.save(t, "stride2.onnx"), Options{})
	if lw, lh := m.LogitsSize(); lw != w/2 || lh != h/2 {
		t.Fatalf("logits %dx%d, want %dx%d", lw, lh, w/2, h/2)
	}
	frame := make([]uint8, 3*w*h)
	for i := range frame {
		p, c := i/3, i%3
		frame[i] = uint8(127 + 120*math.Sin(float64(p%w)*0.21*float64(c+1)+float64(p/w)*0.13))
	}
	labels, err := m.Label(frame, w, h)
	if err != nil {
		t.Fatal(err)
	}
	wt, bias := net.weights()
	ref := pyref.Run(t, upsampleScript, map[string]pyref.Array{
		"x": {Shape: []int{1, 3, h, w}, Data: m.input},
		"w": {Shape: []int{5, 3, 3, 3}, Data: wt},
		"b": {Shape: []int{5}, Data: bias},
	})
	ids := m.Settings().TrainIDs
	ties, differ, classes := 0, 0, map[uint8]bool{}
	for p, l := range labels {
		classes[l] = true
		want := ids[int(ref["labels"].Data[p])]
		tie := ref["gap"].Data[p] < tieGap
		if tie {
			ties++
		}
		if l != want {
			differ++
			if !tie {
				t.Errorf("pixel (%d,%d): %s, PyTorch %s", p%w, p/w, kitti.ClassName(l), kitti.ClassName(want))
			}
		}
	}
	t.Logf("%d pixels, %d classes, %d ties, %d differ from PyTorch", len(labels), len(classes), ties, differ)
	if len(classes) < 4 {
		t.Errorf("only %d classes: too uniform to judge", len(classes))
	}
}
