package export_test

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/internal/format/safetensors"
	"github.com/xdistill/edge-depth/internal/ort"
	"github.com/xdistill/edge-depth/training"
	"github.com/xdistill/edge-depth/training/data"
)

// Training size of the test runs: the default synthetic config's.
const trainW, trainH = 256, 96

// dataset is a tiny synthetic world (2 drives × 4 frames at the training
// size), generated once per test binary: the source of realistic frames,
// of the training intrinsics and of the test split for evaluation.
var dataset struct {
	once sync.Once
	dir  string
	err  error
}

func syntheticData(t testing.TB) string {
	t.Helper()
	dataset.once.Do(func() {
		dataset.dir, dataset.err = os.MkdirTemp("", "export-synth-")
		if dataset.err != nil {
			return
		}
		dataset.err = synth.Generate(context.Background(), synth.Options{Out: dataset.dir, Seed: 7, Sequences: 2, Frames: 4,
			Width: trainW, Height: trainH, Style: synth.StyleDefault, Workers: 2}, io.Discard)
	})
	if dataset.err != nil {
		t.Fatalf("synthetic data: %v", dataset.err)
	}
	return dataset.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dataset.dir != "" {
		os.RemoveAll(dataset.dir)
	}
	os.Exit(code)
}

// runSpec is a test run: a network with random weights saved the way the
// trainer saves it.
type runSpec struct {
	encoder string
	width   float64
	padding string
	seed    uint64
	lambda  float64
}

// saveRun builds the network with training.NewModel, gives every batch
// norm random statistics (so folding is really exercised: fresh ones are
// the identity), saves the run with the trainer's checkpoint code and
// loads it back with training.LoadModel — the gotch model the export is
// compared against reads the same file the exporter reads.
func saveRun(t testing.TB, dir string, rs runSpec) (*training.Model, *checkpoint.Loaded) {
	t.Helper()
	cfg := config.Default()
	cfg.Data.Root, cfg.Data.Splits = syntheticData(t), filepath.Join(syntheticData(t), "splits")
	cfg.Data.Width, cfg.Data.Height = trainW, trainH
	cfg.Model.Encoder, cfg.Model.Width, cfg.Model.Padding = rs.encoder, rs.width, rs.padding
	cfg.Distill.Lambda = rs.lambda
	training.ManualSeed(int64(rs.seed))
	m, err := training.NewModel(cfg.Model, gotch.CPU)
	if err != nil {
		t.Fatal(err)
	}
	tensors := spreadDisparity(randomBatchNorms(m.WeightTensors(), rs.seed))
	cfgJSON, _ := json.Marshal(cfg)
	mc := cfg.Model
	rec := checkpoint.Record{ProjectVersion: "test", Config: cfgJSON, Step: 1,
		Arch: checkpoint.Arch{Encoder: mc.Encoder, WidthMultiplier: mc.Width, InputWidth: trainW, InputHeight: trainH,
			Padding: mc.Padding, MinDepth: mc.MinDepth, MaxDepth: mc.MaxDepth, Scales: []int{0, 1, 2, 3}}}
	if err := checkpoint.SaveRun(dir, checkpoint.Checkpoint{Record: rec, Weights: tensors}); err != nil {
		t.Fatal(err)
	}
	loaded, ck, err := training.LoadModel(dir, gotch.CPU)
	if err != nil {
		t.Fatal(err)
	}
	return loaded, ck
}

// randomBatchNorms replaces every batch norm's γ, β, μ, σ² by random
// values in plausible ranges.
func randomBatchNorms(ts []safetensors.Tensor, seed uint64) []safetensors.Tensor {
	r := rand.New(rand.NewPCG(seed, 99))
	ranges := map[string][2]float32{"weight": {0.5, 1.5}, "bias": {-0.3, 0.3}, "running_mean": {-0.3, 0.3}, "running_var": {0.3, 2}}
	bn := map[string]bool{}
	for _, x := range ts {
		if p, ok := strings.CutSuffix(x.Name, ".running_mean"); ok {
			bn[p] = true
		}
	}
	for i, x := range ts {
		dot := strings.LastIndex(x.Name, ".")
		rg, ok := ranges[x.Name[dot+1:]]
		if !ok || !bn[x.Name[:dot]] {
			continue
		}
		v := make([]float32, x.Numel())
		for k := range v {
			v[k] = rg[0] + (rg[1]-rg[0])*r.Float32()
		}
		ts[i] = safetensors.F32(x.Name, x.Shape, v)
	}
	return ts
}

// spreadDisparity scales the disparity heads by 30: with fresh weights the
// sigmoid sits within ±0.05 of 0.5, which would make any comparison of
// outputs too easy to pass. Scaled, it spans most of (0, 1).
func spreadDisparity(ts []safetensors.Tensor) []safetensors.Tensor {
	for i, x := range ts {
		if !strings.HasPrefix(x.Name, "depth.decoder.dispconv_") {
			continue
		}
		v, _ := x.Float32s()
		for k := range v {
			v[k] *= 30
		}
		ts[i] = safetensors.F32(x.Name, x.Shape, v)
	}
	return ts
}

// frames returns n test inputs (CHW float in [0, 1] at w×h): synthetic
// frames of the test drive, then uniform noise.
func frames(t testing.TB, w, h, n int, seed uint64) [][]float32 {
	t.Helper()
	root := syntheticData(t)
	entries, err := kitti.ReadSplit(kitti.SplitPath(root, "test"))
	if err != nil {
		t.Fatal(err)
	}
	set, err := data.OpenKITTI(root, kitti.SplitPath(root, "test"), w, h)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]float32
	for i := 0; i < min(n/2, len(entries)); i++ {
		s, err := set.LoadEval(i)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s.Image)
	}
	r := rand.New(rand.NewPCG(seed, 5))
	for len(out) < n {
		v := make([]float32, 3*w*h)
		for k := range v {
			v[k] = r.Float32()
		}
		out = append(out, v)
	}
	return out
}

// quantise turns a CHW float image into uint8 HWC (what a camera gives)
// and the float CHW image gotch sees for it (uint8 / 255).
func quantise(chw []float32, w, h int) ([]uint8, []float32) {
	hwc, back := make([]uint8, 3*w*h), make([]float32, 3*w*h)
	for c := range 3 {
		for p := range w * h {
			q := uint8(math.Round(float64(min(max(chw[c*w*h+p], 0), 1)) * 255))
			hwc[p*3+c] = q
			back[c*w*h+p] = float32(q) / 255
		}
	}
	return hwc, back
}

func ensureORT(t testing.TB) {
	t.Helper()
	if _, err := ort.Ensure("", ""); err != nil {
		t.Fatalf("ONNX Runtime: %v (run `make deps`)", err)
	}
}

// maxAbsDiff is max |a − b| and the range of a.
func maxAbsDiff(t testing.TB, a, b []float32) (diff, lo, hi float64) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("lengths %d and %d differ", len(a), len(b))
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for i := range a {
		d := math.Abs(float64(a[i]) - float64(b[i]))
		if math.IsNaN(d) {
			d = math.Inf(1) // a NaN must fail the bound, not slip past it
		}
		diff = math.Max(diff, d)
		lo, hi = math.Min(lo, float64(a[i])), math.Max(hi, float64(a[i]))
	}
	return diff, lo, hi
}
