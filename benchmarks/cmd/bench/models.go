package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/calibration"
	"github.com/xdistill/edge-depth/export"
	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/internal/format/safetensors"
	"github.com/xdistill/edge-depth/training"
)

// freshRun saves a freshly initialised depth net with cfg's architecture
// the way the trainer saves a run, so export reads it like any other.
// Speed does not depend on the weights, but the max |Δ| column does: a
// fresh net's disparity is nearly flat, and scaling its head blindly
// saturates the sigmoid at 0/1, where every runtime (INT8 too) agrees to
// the last bit. So the finest disparity head is standardised instead
// (spreadDisparity): on a synthetic-world frame its logits get mean 0
// and std 2, and the harness checks the reference's spread
// (benchmarks.CheckSpread) before comparing.
func freshRun(dir string, cfg config.Config) error {
	training.ManualSeed(int64(cfg.Train.Seed))
	m, err := training.NewModel(cfg.Model, gotch.CPU)
	if err != nil {
		return fmt.Errorf("fresh run: %w", err)
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("fresh run: %w", err)
	}
	mc := cfg.Model
	scales := make([]int, mc.Scales)
	for i := range scales {
		scales[i] = i
	}
	w, h := cfg.Data.Width, cfg.Data.Height
	disp := m.Predict(worldFrames(1, w, h)[0], w, h, gotch.CPU)
	weights, err := spreadDisparity(m.WeightTensors(), disp, logitStd)
	if err != nil {
		return fmt.Errorf("fresh run: %w", err)
	}
	rec := checkpoint.Record{ProjectVersion: "bench", Config: cfgJSON, Step: 0,
		Arch: checkpoint.Arch{Encoder: mc.Encoder, WidthMultiplier: mc.Width, InputWidth: w,
			InputHeight: h, Padding: mc.Padding, MinDepth: mc.MinDepth, MaxDepth: mc.MaxDepth, Scales: scales}}
	if err := checkpoint.SaveRun(dir, checkpoint.Checkpoint{Record: rec, Weights: weights}); err != nil {
		return fmt.Errorf("fresh run %s: %w", dir, err)
	}
	return nil
}

// logitStd is the spread given to the finest head's logits: sigmoid of
// ±2 std spans 0.02..0.98, varied and off the flat ends.
const logitStd = 2

// finestHead is the prefix of the exported disparity head's tensors.
const finestHead = "depth.decoder.dispconv_0."

// spreadDisparity rescales the finest disparity head so that its logits,
// whose sigmoid was disp, get mean 0 and standard deviation std: z' =
// (z − μ)·k with k = std/σ, i.e. weight·k and (bias − μ)·k.
func spreadDisparity(ts []safetensors.Tensor, disp []float32, std float64) ([]safetensors.Tensor, error) {
	mu, sigma := logitStats(disp)
	if !(sigma > 0) {
		return nil, fmt.Errorf("the fresh net's disparity is constant (logit σ %g): cannot spread it", sigma)
	}
	k := std / sigma
	found := 0
	for i, x := range ts {
		if !strings.HasPrefix(x.Name, finestHead) {
			continue
		}
		v, err := x.Float32s()
		if err != nil {
			return nil, err
		}
		for j := range v {
			if strings.HasSuffix(x.Name, ".bias") {
				v[j] = float32((float64(v[j]) - mu) * k)
			} else {
				v[j] = float32(float64(v[j]) * k)
			}
		}
		ts[i] = safetensors.F32(x.Name, x.Shape, v)
		found++
	}
	if found != 2 {
		return nil, fmt.Errorf("want the weight and bias of %s*, found %d tensors", finestHead, found)
	}
	return ts, nil
}

// logitStats is the mean and standard deviation of the logits of
// sigmoid outputs d.
func logitStats(d []float32) (mu, sigma float64) {
	var s, ss float64
	for _, v := range d {
		x := math.Min(math.Max(float64(v), 1e-7), 1-1e-7)
		z := math.Log(x / (1 - x))
		s += z
		ss += z * z
	}
	n := float64(len(d))
	mu = s / n
	return mu, math.Sqrt(math.Max(ss/n-mu*mu, 0))
}

// variant is one way of exporting the same network.
type variant struct {
	Name  string // in the OpenCV table, e.g. "default export (reflect as Slice+Concat)"
	Short string // in the latency table, e.g. "default export"
	Run   string // run directory (zero padding needs its own checkpoint)
	Opts  export.Options
}

// exportAt writes v at w×h (batch 1, float input) into dir.
func exportAt(v variant, dir string, w, h int) (string, error) {
	o := v.Opts
	o.Checkpoint, o.Width, o.Height, o.Batch = v.Run, w, h, 1
	o.Out = filepath.Join(dir, fmt.Sprintf("%s-%dx%d.onnx", slug(v.Name), w, h))
	if _, err := export.Export(o); err != nil {
		return "", fmt.Errorf("export %s at %dx%d: %w", v.Name, w, h, err)
	}
	return o.Out, nil
}

// slug is s in lower case with every run of other characters as one "-".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// quantize writes the INT8 QDQ model of fp32 in ONNX Runtime's layout
// (uint8 activations, QLinearConv after fusion: the one that runs int8
// kernels on a CPU), calibrated with entropy on a few synthetic-world
// frames. Ranges barely matter for speed; they keep the output sane.
func quantize(fp32 string, w, h int, frames [][]float32) (string, error) {
	out := strings.TrimSuffix(fp32, ".onnx") + ".int8.onnx"
	names := make([]string, len(frames))
	for i := range names {
		names[i] = fmt.Sprintf("world-%d", i)
	}
	o := calibration.Int8Options{Model: fp32, Out: out, Method: calibration.Entropy, Percentile: calibration.DefaultPercentile,
		Target: calibration.ORT, Calib: &calibration.Images{W: w, H: h, Data: frames, Names: names}}
	if _, err := calibration.Int8(context.Background(), o); err != nil {
		return "", fmt.Errorf("INT8 calibration of %s: %w", fp32, err)
	}
	return out, nil
}

// worldFrames renders n frames of the synthetic world at w×h as CHW
// float in [0, 1], the network's input.
func worldFrames(n, w, h int) [][]float32 {
	world := synth.NewWorld(3, synth.StyleDefault, 40, w, h)
	fr := synth.NewFrame(w, h)
	out := make([][]float32, n)
	for i := range out {
		world.RenderInto(fr, i*40/n, 2)
		chw := make([]float32, 3*w*h)
		for p := range w * h {
			for c := range 3 {
				chw[c*w*h+p] = float32(fr.RGB[3*p+c]) / 255
			}
		}
		out[i] = chw
	}
	return out
}
