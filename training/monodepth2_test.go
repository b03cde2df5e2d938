package training

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/internal/pyref"
	"github.com/xdistill/edge-depth/training/data"
)

// evaluateDepthJudge is Monodepth2's evaluate_depth.py loop written out
// (PyTorch's bilinear resize, half-pixel centres as cv2.resize, stands in
// for OpenCV's): ground truth from gt_depths.npz, disparity scaled as
// disp_to_depth does, resized to each map, inverted, masked per split,
// median-scaled, clamped, compute_errors, mean over images.
const evaluateDepthJudge = `
import torch, torch.nn.functional as F
raw = load("raw")
lo, hi = 1 / 100, 1 / 0.1
scaled = (lo + (hi - lo) * raw).astype(np.float32)
gts = np.load(D + "/gt_depths.npz", allow_pickle=True, encoding="latin1")["data"]
for split in ("eigen", "eigen_benchmark"):
    errors, ratios = [], []
    for i in range(len(raw)):
        gt = gts[i]
        gh, gw = gt.shape
        disp = F.interpolate(torch.from_numpy(scaled[i][None, None]), size=(gh, gw), mode="bilinear", align_corners=False)[0, 0].numpy()
        depth = 1 / disp
        if split == "eigen":
            mask = np.logical_and(gt > 1e-3, gt < 80)
            c = np.array([0.40810811 * gh, 0.99189189 * gh, 0.03594771 * gw, 0.96405229 * gw]).astype(np.int32)
            crop = np.zeros(mask.shape)
            crop[c[0]:c[1], c[2]:c[3]] = 1
            mask = np.logical_and(mask, crop)
        else:
            mask = gt > 0
        p, g = depth[mask], gt[mask]
        ratio = np.median(g) / np.median(p)
        ratios.append(ratio)
        p = np.clip(p * ratio, 1e-3, 80)
        t = np.maximum(g / p, p / g)
        errors.append([np.mean(np.abs(g - p) / g), np.mean((g - p) ** 2 / g), np.sqrt(np.mean((g - p) ** 2)),
                       np.sqrt(np.mean((np.log(g) - np.log(p)) ** 2)), (t < 1.25).mean(), (t < 1.25 ** 2).mean(), (t < 1.25 ** 3).mean()])
    save(split, np.array(errors).mean(0))
    save(split + "_ratio", [np.median(ratios)])
`

// The kitti protocol's numbers equal Monodepth2's evaluation of the same
// predictions against the same gt_depths.npz (maps of different sizes,
// LiDAR-like gaps, depths past 80 m), for both Eigen splits.
func TestEvaluationMatchesMonodepth2(t *testing.T) {
	pyref.Require(t, "torch")
	root := filepath.Join(t.TempDir(), "ds")
	o := synth.Options{Out: root, Seed: 5, Sequences: 3, Frames: 5, Width: 128, Height: 64, Style: synth.StyleDefault}
	if err := synth.Generate(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
	set, err := data.OpenKITTI(root, kitti.SplitPath(root, "test"), 64, 32)
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string]pyref.Array{}
	var raws []float32
	for i := range set.Len() {
		s, err := set.LoadEval(i)
		if err != nil {
			t.Fatal(err)
		}
		gt, w, h := cropMap(s.GT, s.GTW, s.GTW-5*i, s.GTH-2*i)
		for p := range gt {
			if (p*7919+i)%10 < 6 {
				gt[p] = 0 // LiDAR-like gaps
			}
		}
		inputs[fmt.Sprint(i)] = pyref.Array{Shape: []int{h, w}, Data: gt}
		raws = append(raws, testDisparity(s.Image, 64, 32)...)
	}
	inputs["raw"] = pyref.Array{Shape: []int{set.Len(), 32, 64}, Data: raws}
	dir := t.TempDir()
	ref := pyref.RunIn(t, dir, fmt.Sprintf(`
maps = [load(str(i)) for i in range(%d)]
np.savez_compressed(D + "/gt_depths.npz", data=np.array(maps, dtype=object))
`, set.Len())+evaluateDepthJudge, inputs)
	if err := set.UseGT(filepath.Join(dir, "gt_depths.npz")); err != nil {
		t.Fatal(err)
	}
	predict := func(image []float32, w, h int) ([]float32, error) { return testDisparity(image, w, h), nil }
	for split, o := range map[string]metrics.Options{"eigen": metrics.KITTIMono(), "eigen_benchmark": metrics.KITTIBenchmark()} {
		res, err := EvaluateWith(context.Background(), set, o, predict, 0.1, 100, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, want := res.Mean, ref[split].Data
		got := []float64{m.AbsRel, m.SqRel, m.RMSE, m.RMSELog, m.A1, m.A2, m.A3}
		t.Logf("%s: ours %.6f, Monodepth2's %.6f", split, got, want)
		for k, g := range got {
			if math.Abs(g-float64(want[k])) > 1e-4*math.Max(1, math.Abs(float64(want[k]))) {
				t.Errorf("%s metric %d: %.7f, Monodepth2's evaluation %.7f", split, k, g, want[k])
			}
		}
		if r := float64(ref[split+"_ratio"].Data[0]); math.Abs(res.RatioMedian-r) > 1e-4*r {
			t.Errorf("%s: median ratio %g, Monodepth2's %g", split, res.RatioMedian, r)
		}
	}
}

// testDisparity is a stand-in network: a sigmoid disparity in (0, 1) that
// follows the image (red channel) and its columns.
func testDisparity(image []float32, w, h int) []float32 {
	out := make([]float32, w*h)
	for i := range out {
		out[i] = 0.02 + 0.3*image[i] + 0.2*float32(i%w)/float32(w)
	}
	return out
}

// cropMap keeps the top-left w×h of a sw-wide map.
func cropMap(m []float32, sw, w, h int) ([]float32, int, int) {
	out := make([]float32, 0, w*h)
	for y := range h {
		out = append(out, m[y*sw:y*sw+w]...)
	}
	return out, w, h
}
