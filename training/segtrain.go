package training

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime"
	"time"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/training/data"
)

// SegTrainConfig is a built-in teacher's training run. It is saved in the
// run record, so a resumed run can be checked against it.
type SegTrainConfig struct {
	Out             string  `json:"out"`     // run directory
	Encoder         string  `json:"encoder"` // resnet18 | resnet50
	Width           float64 `json:"width"`   // encoder channel multiplier
	Padding         string  `json:"padding"` // reflect | zero
	InputWidth      int     `json:"input_width"`
	InputHeight     int     `json:"input_height"`
	Steps           int     `json:"steps"`
	BatchSize       int     `json:"batch_size"`
	LearningRate    float64 `json:"learning_rate"` // ×0.1 for the last quarter of the steps
	Seed            int64   `json:"seed"`
	Threads         int     `json:"threads,omitempty"` // libtorch threads; 0 = every core
	Workers         int     `json:"workers,omitempty"` // loader goroutines; 0 = one per core
	CheckpointEvery int     `json:"checkpoint_every"`
	ColorJitter     bool    `json:"color_jitter"`
	FlipProb        float64 `json:"flip_prob"`
}

// SegTrainer trains a SegModel with cross-entropy over the 19 classes
// (label 255 ignored) and Adam, checkpointing RUN/checkpoint like Trainer
// and resuming from it.
type SegTrainer struct {
	Cfg      SegTrainConfig
	Data     data.Dataset // frames with labels, e.g. a SegSet
	Device   gotch.Device
	Progress Progress
	Version  string
	// ClassWeights, when set, weight the cross-entropy per class
	// (BalancedWeights); nil = every class 1.
	ClassWeights []float32
	// CE is the (weighted) cross-entropy of every step this process ran,
	// in order.
	CE []float64

	model   *SegModel
	opt     *Adam
	started time.Time
}

// segLog is one line of RUN/metrics.jsonl.
type segLog struct {
	Step          int     `json:"step"`
	CE            float64 `json:"ce"`
	LR            float64 `json:"lr"`
	SamplesPerSec float64 `json:"samples_per_s"`
}

// segLogEvery is how many steps one metrics.jsonl line averages.
const segLogEvery = 10

// Model is the trained (or resumed) network.
func (t *SegTrainer) Model() *SegModel { return t.model }

// Run trains until Cfg.Steps, resuming from RUN/checkpoint when present.
// Cancelling ctx writes a checkpoint and returns ctx.Err().
func (t *SegTrainer) Run(ctx context.Context) error {
	runtime.LockOSThread() // libtorch's thread count is per OS thread (see Trainer.Run)
	defer runtime.UnlockOSThread()
	if err := t.setup(); err != nil {
		return err
	}
	start, err := t.resume()
	if err != nil {
		return err
	}
	if start >= t.Cfg.Steps {
		slog.Info("teacher run already complete", "run", t.Cfg.Out, "step", start)
		return nil
	}
	if t.Progress != nil {
		t.Progress.Skip(start)
	}
	return t.loop(ctx, start)
}

func (t *SegTrainer) setup() error {
	c := t.Cfg
	if w, h := t.Data.Size(); w != c.InputWidth || h != c.InputHeight {
		return fmt.Errorf("teacher training: frames are served at %dx%d, config wants %dx%d", w, h, c.InputWidth, c.InputHeight)
	}
	if c.Steps < 1 || c.BatchSize < 1 || !(c.LearningRate > 0) {
		return fmt.Errorf("teacher training: steps %d, batch size %d, learning rate %g: want all > 0", c.Steps, c.BatchSize, c.LearningRate)
	}
	depth, err := EncoderDepth(c.Encoder)
	if err != nil {
		return err
	}
	pad, err := ParsePadding(c.Padding)
	if err != nil {
		return err
	}
	if c.Threads > 0 {
		SetThreads(c.Threads)
	} else {
		UseAllCores()
	}
	ManualSeed(c.Seed)
	if t.model, err = NewSegModel(EncoderSpec{Depth: depth, Width: c.Width}, pad, t.Device); err != nil {
		return err
	}
	t.opt, t.started = NewAdam(t.model.VS, c.LearningRate), time.Now()
	return os.MkdirAll(c.Out, 0o755)
}

// resume loads RUN/checkpoint if present and returns the step to start at.
func (t *SegTrainer) resume() (int, error) {
	dir := t.Cfg.Out
	if !hasCheckpoint(dir) {
		return 0, nil
	}
	want := t.arch()
	check := func(a checkpoint.Arch) error {
		if !sameArch(a, want) || a.Extra[checkpoint.ExtraTask] != checkpoint.TaskSegmentation {
			return fmt.Errorf("checkpoint is %+v, this run asks for %+v (move the run directory away to start afresh)", a, want)
		}
		return nil
	}
	ck, err := resumeRun(dir, check, t.model.LoadWeights, t.opt)
	if err != nil {
		return 0, err
	}
	if !ck.Record.Started.IsZero() {
		t.started = ck.Record.Started
	}
	slog.Info("resumed teacher training", "run", dir, "step", ck.Record.Step)
	return int(ck.Record.Step), nil
}

func (t *SegTrainer) loop(ctx context.Context, start int) error {
	c := t.Cfg
	ws := NewScope() // the class weights: uploaded once, not per step
	defer ws.Drop()
	weight := ts.NewTensor() // undefined = every class 1
	if t.ClassWeights != nil {
		weight = ws.T(ts.MustOfSlice(t.ClassWeights).MustTo(t.Device, true))
	}
	window := 0.0 // the cross-entropy summed since the last log line
	r := &runLoop{
		dir: c.Out, what: "teacher ", start: start, steps: c.Steps, logEvery: segLogEvery, batchSize: c.BatchSize,
		progress: t.Progress,
		loader: &data.Loader{Data: t.Data, BatchSize: c.BatchSize, Seed: uint64(c.Seed), Workers: c.Workers,
			Aug: data.Augment{ColorJitter: c.ColorJitter, FlipProb: c.FlipProb}},
		step: func(hb *data.HostBatch) (string, bool, error) {
			t.opt.LR = t.lr(hb.Step)
			ManualSeed(c.Seed*1_000_003 + int64(hb.Step))
			ce, err := t.step(hb, weight)
			if err != nil {
				return "", false, err
			}
			t.CE, window = append(t.CE, ce), window+ce
			return fmt.Sprintf("ce %.3f", ce), true, nil
		},
		logLine: func(next int, rate float64) any {
			l := segLog{Step: next, CE: window / segLogEvery, LR: t.opt.LR, SamplesPerSec: rate}
			window = 0
			return l
		},
		keep: func(next int) error {
			if c.CheckpointEvery > 0 && next%c.CheckpointEvery == 0 && next < c.Steps {
				return t.Save(next)
			}
			return nil
		},
		dataErr: func(_ int, err error) error { return fmt.Errorf("teacher data: %w", err) },
		save:    t.Save,
	}
	return r.run(ctx)
}

// step runs one optimisation step and returns its cross-entropy. A
// non-finite loss is an error at once: with labels from the data and no
// photometric terms, it means a diverged run, not a bad batch.
func (t *SegTrainer) step(hb *data.HostBatch, weight *ts.Tensor) (float64, error) {
	s := NewScope()
	defer s.Drop()
	n := hb.H * hb.W
	img := s.T(ts.MustOfSlice(hb.Net[1]).MustView([]int64{int64(hb.B), 3, int64(hb.H), int64(hb.W)}, true).MustTo(t.Device, true))
	if len(hb.Labels) != hb.B*n {
		return 0, fmt.Errorf("teacher step %d: batch without labels", hb.Step)
	}
	labels := s.T(ts.MustOfSlice(hb.Labels).MustView([]int64{int64(hb.B), int64(hb.H), int64(hb.W)}, true).MustTo(t.Device, true))
	t.opt.ZeroGrad()
	loss := weightedCE(s, t.model.Logits(s, img, true), labels, weight, hb.Valid)
	ce := loss.Float64Values()[0]
	if math.IsNaN(ce) || math.IsInf(ce, 0) {
		return ce, fmt.Errorf("teacher step %d: cross-entropy %g (diverged; lower the learning rate)", hb.Step, ce)
	}
	loss.MustBackward()
	t.opt.Update()
	return ce, nil
}

// lr is the learning rate: constant, then ×0.1 for the last quarter, which
// settles the short CPU schedule.
func (t *SegTrainer) lr(step int) float64 {
	if step >= t.Cfg.Steps*3/4 {
		return t.Cfg.LearningRate * 0.1
	}
	return t.Cfg.LearningRate
}

// Save writes the run's checkpoint at step, atomically (checkpoint.SaveRun).
func (t *SegTrainer) Save(step int) error {
	rec := checkpoint.Record{ProjectVersion: t.Version, Arch: t.arch(), Step: int64(step),
		Epoch: step * t.Cfg.BatchSize / max(1, t.Data.Len()), Started: t.started}
	return saveRun(t.Cfg.Out, "teacher ", rec, t.Cfg, t.model.WeightTensors(), t.opt)
}

func (t *SegTrainer) arch() checkpoint.Arch {
	return t.model.Arch(t.Cfg.Encoder, t.Cfg.InputWidth, t.Cfg.InputHeight)
}

// LoadSegModel rebuilds the segmentation net a teacher run's checkpoint
// describes and loads its weights.
func LoadSegModel(runDir string, device gotch.Device) (*SegModel, *checkpoint.Loaded, error) {
	ck, err := checkpoint.LoadRun(runDir)
	if err != nil {
		return nil, nil, err
	}
	a := ck.Record.Arch
	if seg, n := a.Segmentation(); !seg || n != kitti.NumClasses {
		return nil, nil, errors.New("checkpoint " + ck.Dir + ": not a 19-class segmentation net (a depth run?)")
	}
	depth, err := EncoderDepth(a.Encoder)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: %w", ck.Dir, err)
	}
	pad, err := ParsePadding(a.Padding)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: %w", ck.Dir, err)
	}
	m, err := NewSegModel(EncoderSpec{Depth: depth, Width: a.WidthMultiplier}, pad, device)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: %w", ck.Dir, err)
	}
	if err := m.LoadWeights(ck.Weights); err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: %w", ck.Dir, err)
	}
	return m, ck, nil
}
