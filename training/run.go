package training

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/format/safetensors"
	"github.com/xdistill/edge-depth/training/data"
)

// runLoop is the run loop the depth trainer (Trainer) and the built-in
// teacher's trainer (SegTrainer) share: batches from the loader through
// the trainer's step, the progress bar, RUN/metrics.jsonl, what is due
// after each step (checkpoints, snapshots), and at the end, or when ctx is
// cancelled, a final checkpoint.
type runLoop struct {
	dir          string // run directory
	what         string // "" or "teacher ", for messages
	loader       *data.Loader
	start, steps int
	logEvery     int // steps between metrics.jsonl lines
	batchSize    int
	progress     Progress
	// step trains on one batch and returns the progress bar's text;
	// trained is false when the update was skipped (a non-finite loss):
	// the step is then neither counted nor logged.
	step func(hb *data.HostBatch) (status string, trained bool, err error)
	// logLine is the metrics.jsonl record after step next; rate is the
	// samples/s since the previous line.
	logLine func(next int, rate float64) any
	// keep writes what is due after step next (nil: nothing).
	keep func(next int) error
	// dataErr turns the loader's error at step next into the run's error.
	dataErr func(next int, err error) error
	// finish runs after the last step, before the final checkpoint.
	finish func()
	save   func(step int) error
}

func (r *runLoop) run(ctx context.Context) error {
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches, loadErr := r.loader.Run(lctx, r.start, r.steps)
	log, err := openMetricsLog(r.dir)
	if err != nil {
		return fmt.Errorf("%smetrics log: %w", r.what, err)
	}
	defer log.Close()
	next, tick := r.start, time.Now()
	for hb := range batches {
		next = hb.Step + 1
		status, trained, err := r.step(hb)
		if err != nil {
			return err
		}
		if !trained {
			if err := r.keepAfter(next); err != nil { // a skipped step still ends on a snapshot or checkpoint step
				return err
			}
			continue
		}
		if r.progress != nil {
			r.progress.Add(1)
			r.progress.SetStatus(status)
		}
		if next%r.logEvery == 0 {
			rate := float64(r.logEvery*r.batchSize) / time.Since(tick).Seconds()
			tick = time.Now()
			if err := log.write(r.logLine(next, rate)); err != nil {
				return fmt.Errorf("%smetrics log: %w", r.what, err)
			}
		}
		if err := r.keepAfter(next); err != nil {
			return err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if err := firstErr(loadErr); err != nil {
		return r.dataErr(next, err)
	}
	if r.finish != nil {
		r.finish()
	}
	if err := r.save(next); err != nil {
		return err
	}
	if ctx.Err() != nil {
		slog.Info("interrupted; "+r.what+"checkpoint written", "run", r.dir, "step", next)
		return ctx.Err()
	}
	if r.progress != nil {
		r.progress.Finish()
	}
	return nil
}

func (r *runLoop) keepAfter(next int) error {
	if r.keep == nil {
		return nil
	}
	return r.keep(next)
}

// metricsLog is RUN/metrics.jsonl, appended to across resumes.
type metricsLog struct{ f *os.File }

func openMetricsLog(dir string) (*metricsLog, error) {
	f, err := os.OpenFile(filepath.Join(dir, "metrics.jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &metricsLog{f}, nil
}

// write appends one JSON line (a StepLog, or a SegTrainer's segLog).
func (l *metricsLog) write(v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = l.f.Write(append(line, '\n'))
	return err
}

func (l *metricsLog) Close() error { return l.f.Close() }

func firstErr(c <-chan error) error {
	select {
	case err := <-c:
		return err
	default:
		return nil
	}
}

// hasCheckpoint reports whether dir holds a checkpoint to resume (or its
// previous copy, which checkpoint.LoadRun falls back to).
func hasCheckpoint(dir string) bool {
	for _, sub := range []string{checkpoint.CheckpointDir, checkpoint.PrevDir} {
		if _, err := os.Stat(filepath.Join(dir, sub)); !errors.Is(err, os.ErrNotExist) {
			return true
		}
	}
	return false
}

// resumeRun restores a run's weights and optimizer state from dir's
// checkpoint. check refuses a checkpoint of another architecture (its
// error follows "resume DIR: ").
func resumeRun(dir string, check func(checkpoint.Arch) error, load func(*safetensors.File) error, opt *Adam) (*checkpoint.Loaded, error) {
	ck, err := checkpoint.LoadRun(dir)
	if err != nil {
		return nil, fmt.Errorf("resume %s: %w (move the run directory away to start afresh)", dir, err)
	}
	if err := check(ck.Record.Arch); err != nil {
		return nil, fmt.Errorf("resume %s: %w", dir, err)
	}
	if ck.Optimizer == nil {
		return nil, fmt.Errorf("resume %s: checkpoint has no optimizer state", dir)
	}
	if err := load(ck.Weights); err != nil {
		return nil, fmt.Errorf("resume %s: %w", dir, err)
	}
	if err := opt.LoadOptimizer(ck.Optimizer, ck.Record.Step); err != nil {
		return nil, fmt.Errorf("resume %s: %w", dir, err)
	}
	return ck, nil
}

// saveRun writes rec (with cfg as its config), the weights and the
// optimizer state as dir's checkpoint, atomically (checkpoint.SaveRun).
func saveRun(dir, what string, rec checkpoint.Record, cfg any, weights []safetensors.Tensor, opt *Adam) error {
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("%scheckpoint %s: config: %w", what, dir, err)
	}
	rec.Config = cfgJSON
	err = checkpoint.SaveRun(dir, checkpoint.Checkpoint{Record: rec, Weights: weights, Optimizer: opt.OptimizerTensors()})
	if err != nil {
		return fmt.Errorf("%scheckpoint %s at step %d: %w", what, dir, rec.Step, err)
	}
	return nil
}
