package training

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/format/safetensors"
	"github.com/xdistill/edge-depth/training/data"
	"github.com/xdistill/edge-depth/training/distill"
)

// Progress receives the trainer's progress (a terminal bar in the CLI).
type Progress interface {
	Add(n int)
	Skip(n int) // steps done before a resume

	SetStatus(s string)
	Finish()
}

// maxBadSteps is how many non-finite losses in a row abort a run.
const maxBadSteps = 5

// Trainer runs the self-supervised training of one run directory.
type Trainer struct {
	Cfg      config.Config
	Data     data.Dataset
	Device   gotch.Device
	Progress Progress
	Version  string // project version for the run record

	model    *Model
	opt      *Adam
	warper   *Warper
	replicas []*replica // train.replicas − 1 copies sharing each batch
	started  time.Time
}

// Run trains until cfg.Train.Steps, resuming from RUN/checkpoint when one
// exists. Cancelling ctx (SIGINT/SIGTERM) writes a checkpoint and returns
// ctx.Err(). The trained model stays available through Model.
func (t *Trainer) Run(ctx context.Context) error {
	// libtorch's OpenMP thread count is per OS thread, and Go moves
	// goroutines between threads: pinned, every op runs with the count
	// setup chose (and a run is reproducible).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	err := t.setup()
	defer t.release()
	if err != nil {
		return err
	}
	start, err := t.resume()
	if err != nil {
		return err
	}
	if start >= t.Cfg.Train.Steps {
		slog.Info("run already complete", "run", t.Cfg.Train.Out, "step", start)
		return nil
	}
	if t.Progress != nil {
		t.Progress.Skip(start)
	}
	return t.loop(ctx, start)
}

// Model is the trained (or resumed) model.
func (t *Trainer) Model() *Model { return t.model }

func (t *Trainer) setup() error {
	w, h := t.Data.Size()
	if w != t.Cfg.Data.Width || h != t.Cfg.Data.Height {
		return fmt.Errorf("dataset frames are %dx%d, config wants %dx%d", w, h, t.Cfg.Data.Width, t.Cfg.Data.Height)
	}
	threads := t.threads()
	SetThreads(threads)
	ManualSeed(t.Cfg.Train.Seed) // the initial weights are a function of the seed
	m, err := NewModel(t.Cfg.Model, t.Device)
	if err != nil {
		return err
	}
	groups := 0
	if d := t.Cfg.Distill; d.Lambda > 0 {
		g, err := distill.Load(d.Grouping)
		if err != nil {
			return err
		}
		groups = len(g.Groups)
		if err := m.AddTranslator(d, groups); err != nil {
			return err
		}
	}
	t.model, t.opt = m, NewAdam(m.VS, t.Cfg.Train.LearningRate)
	if k := t.Cfg.Train.PoseLRScale; k > 0 && k != 1 {
		t.opt.Scale = map[string]float64{"pose": k}
	}
	t.warper = NewWarper(int64(h), int64(w), t.Device)
	for range t.replicaCount() - 1 {
		r, err := newReplica(t.Cfg, groups, int64(h), int64(w), t.Device, threads)
		if err != nil {
			return err
		}
		t.replicas = append(t.replicas, r)
	}
	t.started = time.Now()
	return os.MkdirAll(t.Cfg.Train.Out, 0o755)
}

// replicaCount is train.replicas on a CPU; a GPU keeps one copy.
func (t *Trainer) replicaCount() int {
	if t.Device != gotch.CPU {
		return 1
	}
	return max(1, t.Cfg.Train.Replicas)
}

// threads is the libtorch thread count of each replica: train.threads, or
// the cores shared out among the replicas.
func (t *Trainer) threads() int {
	if n := t.Cfg.Train.Threads; n > 0 {
		return n
	}
	return max(1, runtime.NumCPU()/t.replicaCount())
}

// release ends the replicas' threads and frees the trainer's warper.
func (t *Trainer) release() {
	for _, r := range t.replicas {
		r.stop()
	}
	t.replicas = nil
	if t.warper != nil {
		t.warper.Drop()
		t.warper = nil
	}
}

// resume loads RUN/checkpoint if present (else starts the encoders from
// model.weights) and returns the step to start at.
func (t *Trainer) resume() (int, error) {
	dir := t.Cfg.Train.Out
	if !hasCheckpoint(dir) {
		// A fresh run: only now do pretrained weights matter (a resumed
		// run must not need them, nor read them only to overwrite them).
		return 0, loadEncoderWeights(t.model, t.Cfg.Model)
	}
	want := t.arch()
	check := func(a checkpoint.Arch) error {
		if !sameArch(a, want) {
			return fmt.Errorf("the checkpoint is another architecture than the config's (%s); use another run directory", a.DiffText(want))
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
	slog.Info("resumed", "run", dir, "step", ck.Record.Step, "from_prev", ck.FromPrev)
	return int(ck.Record.Step), nil
}

func (t *Trainer) loop(ctx context.Context, start int) error {
	c := t.Cfg
	lw := LossWeights{SSIM: c.Train.SSIMWeight, Smoothness: c.Train.Smoothness, AutoMask: c.Train.AutoMask,
		Pyramid: c.Train.Multiscale == "pyramid"}
	bad := 0
	var rate float64 // samples/s over the last log window
	var terms Losses
	perEpoch := max(1, t.Data.Len()/c.Train.BatchSize)
	r := &runLoop{
		dir: c.Train.Out, start: start, steps: c.Train.Steps, logEvery: c.Train.LogEvery, batchSize: c.Train.BatchSize,
		progress: t.Progress,
		loader: &data.Loader{Data: t.Data, BatchSize: c.Train.BatchSize, Seed: uint64(c.Train.Seed), Workers: c.Data.Workers,
			Aug: data.Augment{ColorJitter: c.Train.ColorJitter, FlipProb: c.Train.FlipProb}, GTPose: c.Train.GTPose},
		step: func(hb *data.HostBatch) (string, bool, error) {
			step := hb.Step
			t.opt.LR = t.lr(step)
			if tr := t.model.Translator; tr != nil {
				tr.Schedule(step, c.Distill)
			}
			ManualSeed(c.Train.Seed*1_000_003 + int64(step))
			var finite bool
			if terms, finite = t.trainStep(hb, lw); !finite {
				if bad++; bad >= maxBadSteps {
					return "", false, fmt.Errorf("step %d: loss not finite %d steps in a row (diverged; lower train.learning_rate or check the data)", step, bad)
				}
				slog.Warn("non-finite loss, step skipped", "step", step)
				return "", false, nil
			}
			bad = 0
			return status(step/perEpoch+1, terms, rate), true, nil
		},
		logLine: func(next int, r float64) any {
			rate = r
			return data.StepLog{Step: next, Loss: terms.Total, Photometric: terms.Photometric,
				Smoothness: terms.Smoothness, Masked: terms.MaskedFraction, Distill: terms.Distill, LR: t.opt.LR, SamplesPerSec: rate}
		},
		keep:    t.keep,
		dataErr: t.dataError,
		finish: func() {
			if err := data.WriteLossCurve(c.Train.Out); err != nil {
				slog.Warn("loss curve not drawn", "err", err)
			}
		},
		save: t.Save,
	}
	return r.run(ctx)
}

// keep writes what is due after step steps: the weight snapshot first,
// then the checkpoint, so no resume can start past a missing snapshot.
func (t *Trainer) keep(steps int) error {
	c := t.Cfg.Train
	if n := c.SnapshotEvery; n > 0 && steps%n == 0 {
		if err := t.snapshot(steps); err != nil {
			return err
		}
	}
	if steps%c.CheckpointEvery == 0 {
		return t.Save(steps)
	}
	return nil
}

// status is the progress bar's text after a step.
func status(epoch int, l Losses, rate float64) string {
	ce := ""
	if l.Distill != 0 {
		ce = fmt.Sprintf(" ce %.3f", l.Distill)
	}
	speed := "" // none until the first log window has been timed
	if rate > 0 {
		speed = fmt.Sprintf("  %.1f samples/s", rate)
	}
	return fmt.Sprintf("epoch %d  loss %.4f photo %.4f%s%s", epoch, l.Total, l.Photometric, ce, speed)
}

// trainStep runs one optimisation step; false when the loss is not finite
// (the update is then skipped).
func (t *Trainer) trainStep(hb *data.HostBatch, lw LossWeights) (Losses, bool) {
	t.opt.ZeroGrad()
	var terms Losses
	var ok bool
	if len(t.replicas) == 0 {
		terms, ok = shareStep(t.model, t.warper, hb, nil, lw)
	} else {
		terms, ok = parallelStep(t.model, t.warper, t.replicas, hb, lw)
	}
	if ok {
		t.opt.Update()
	}
	return terms, ok
}

// lr is the step-decayed learning rate.
func (t *Trainer) lr(step int) float64 {
	c := t.Cfg.Train
	if c.LRDecayEvery <= 0 {
		return c.LearningRate
	}
	return c.LearningRate * math.Pow(c.LRDecay, float64(step/c.LRDecayEvery))
}

// Save writes the run's checkpoint at step (atomically, see checkpoint.SaveRun).
func (t *Trainer) Save(step int) error {
	rec := checkpoint.Record{
		FormatVersion: checkpoint.RecordFormat, ProjectVersion: t.Version, Arch: t.arch(),
		Step: int64(step), Epoch: step * t.Cfg.Train.BatchSize / max(1, t.Data.Len()), Started: t.started,
	}
	return saveRun(t.Cfg.Train.Out, "", rec, t.Cfg, t.model.WeightTensors(), t.opt)
}

// SnapshotDir holds a run's weight snapshots (train.snapshot_every).
const SnapshotDir = "snapshots"

// SnapshotPath is the weights of run at step.
func SnapshotPath(run string, step int) string {
	return filepath.Join(run, SnapshotDir, fmt.Sprintf("step-%07d.safetensors", step))
}

// snapshot keeps the weights at step for the learning curves (atomically:
// an interrupted write leaves no snapshot, and as it is written before
// the step's checkpoint, the resumed run passes the step again).
func (t *Trainer) snapshot(step int) error {
	path := SnapshotPath(t.Cfg.Train.Out, step)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	meta := map[string]string{"format": "pt", "step": fmt.Sprint(step)}
	if err := safetensors.Write(path, t.model.WeightTensors(), meta); err != nil {
		return fmt.Errorf("snapshot %s: %w", path, err)
	}
	return nil
}

// arch describes the depth network for the record (and the exporter).
func (t *Trainer) arch() checkpoint.Arch {
	m := t.Cfg.Model
	scales := make([]int, m.Scales)
	for i := range scales {
		scales[i] = i
	}
	return checkpoint.Arch{Encoder: m.Encoder, WidthMultiplier: m.Width, InputWidth: t.Cfg.Data.Width,
		InputHeight: t.Cfg.Data.Height, Padding: m.Padding, MinDepth: m.MinDepth, MaxDepth: m.MaxDepth, Scales: scales}
}

func sameArch(a, b checkpoint.Arch) bool {
	return a.Encoder == b.Encoder && a.WidthMultiplier == b.WidthMultiplier && a.InputWidth == b.InputWidth &&
		a.InputHeight == b.InputHeight && a.Padding == b.Padding && len(a.Scales) == len(b.Scales)
}

// loadEncoderWeights starts the encoders from model.weights: a torchvision
// .pth starts both; a built-in teacher's run directory starts the depth
// encoder (the pose encoder sees frame pairs, not scenes to segment).
func loadEncoderWeights(m *Model, mc config.Model) error {
	switch {
	case mc.Weights == "":
		return nil
	case isDir(mc.Weights):
		return LoadSegEncoder(m.VS, "depth.encoder", mc.Weights, mc.Width)
	}
	for _, prefix := range []string{"depth.encoder", "pose.encoder"} {
		if err := LoadTorchvisionResNet(m.VS, prefix, mc.Weights); err != nil {
			return err
		}
	}
	return nil
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
