package metrics

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/xdistill/edge-depth/internal/pyref"
)

// kittiJudge is Monodepth2's evaluation written out in numpy (float64): the
// outside judge for Prepare, Compute and the per-image averaging. With
// BENCH = 1 it is its evaluation of eigen_benchmark (any split but eigen):
// every pixel with gt > 0, no crop, no cap on the ground truth.
const kittiJudge = `
import sys, json, numpy as np
D = sys.argv[1]
def load(n): return np.fromfile(D + "/" + n + ".f32", dtype="<f4").astype(np.float64)
W, H, N, BENCH = (int(v) for v in load("dims"))
preds, gts = load("pred").reshape(N, H, W), load("gt").reshape(N, H, W)
r = np.array([0.40810811 * H, 0.99189189 * H, 0.03594771 * W, 0.96405229 * W]).astype(np.int32)
crop = np.zeros((H, W), bool); crop[r[0]:r[1], r[2]:r[3]] = True
rows, ratios = [], []
for pred, gt in zip(preds, gts):
    mask = gt > 0 if BENCH else np.logical_and(np.logical_and(gt > 1e-3, gt < 80), crop)
    p, g = pred[mask], gt[mask]
    ratio = np.median(g) / np.median(p); ratios.append(ratio)
    p = np.clip(p * ratio, 1e-3, 80)
    t = np.maximum(g / p, p / g)
    rows.append([np.mean(np.abs(g - p) / g), np.mean((g - p) ** 2 / g),
                 np.sqrt(np.mean((g - p) ** 2)), np.sqrt(np.mean((np.log(g) - np.log(p)) ** 2)),
                 np.mean(t < 1.25), np.mean(t < 1.25 ** 2), np.mean(t < 1.25 ** 3),
                 np.mean(np.abs(np.log10(g) - np.log10(p))), int(mask.sum())])
rows = np.array(rows)
print(json.dumps({"per": rows.tolist(), "mean": rows.mean(0).tolist(), "std": rows.std(0).tolist(),
                  "ratios": ratios, "crop": r.tolist()}))
`

func TestKITTIAgainstNumpy(t *testing.T) {
	t.Run("eigen", func(t *testing.T) { kittiAgainstNumpy(t, KITTIMono(), 0) })
	t.Run("eigen_benchmark", func(t *testing.T) { kittiAgainstNumpy(t, KITTIBenchmark(), 1) })
}

func kittiAgainstNumpy(t *testing.T, o Options, bench float32) {
	pyref.Require(t, "numpy")
	// An odd size so that the crop fractions land off integer boundaries.
	const w, h, n = 97, 61, 3
	rng := rand.New(rand.NewPCG(7, 11))
	pred, gt := make([]float32, n*w*h), make([]float32, n*w*h)
	for i := range gt {
		if rng.Float32() < 0.7 { // LiDAR-like gaps and out-of-range values
			gt[i] = 0.5 + 95*rng.Float32() // past the 80 m cap too
			if i%97 == 0 {
				gt[i] = 1e-4 // under the 1e-3 floor: valid in eigen_benchmark only
			}
		}
		pred[i] = 0.05 + 3*rng.Float32()
	}
	var ref struct {
		Per       [][]float64
		Mean, Std []float64
		Crop      []int
		Ratios    []float64
	}
	runJudge(t, kittiJudge, map[string][]float32{"dims": {w, h, n, bench}, "pred": pred, "gt": gt}, &ref)

	r0, r1, c0, c1 := GargCrop(w, h)
	if got := []int{r0, r1, c0, c1}; !slices.Equal(got, ref.Crop) {
		t.Errorf("GargCrop(%d, %d) = %v, numpy %v", w, h, got, ref.Crop)
	}
	var acc Accumulator
	for k := 0; k < n; k++ {
		d, ratio, err := EvalKITTI(pred[k*w*h:(k+1)*w*h], gt[k*w*h:(k+1)*w*h], w, h, o)
		if err != nil {
			t.Fatal(err)
		}
		acc.Add(d)
		if !closeRel(ratio, ref.Ratios[k], 1e-6) {
			t.Errorf("image %d: ratio %.9g, numpy %.9g", k, ratio, ref.Ratios[k])
		}
		assertDepth(t, d, fromRow(ref.Per[k]), 1e-6)
	}
	// Our Count is the total pixel count, numpy's column mean is per image.
	wantMean, wantStd := fromRow(ref.Mean), fromRow(ref.Std)
	wantMean.Count = int(ref.Mean[8]*n + 0.5)
	wantStd.Count = wantMean.Count
	assertDepth(t, acc.Mean(), wantMean, 1e-6)
	assertDepth(t, acc.Std(), wantStd, 1e-6)
}

func fromRow(r []float64) Depth {
	return Depth{AbsRel: r[0], SqRel: r[1], RMSE: r[2], RMSELog: r[3], A1: r[4], A2: r[5], A3: r[6], Log10: r[7], Count: int(r[8])}
}
