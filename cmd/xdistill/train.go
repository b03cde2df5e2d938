package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/internal/progress"
	"github.com/xdistill/edge-depth/teacher"
	"github.com/xdistill/edge-depth/training"
	"github.com/xdistill/edge-depth/training/data"
	"github.com/xdistill/edge-depth/training/distill"
)

// trainFlags map flag names to config keys; flags beat the file and env.
var trainFlags = map[string]string{
	"steps": "train.steps", "device": "train.device", "out": "train.out",
	"batch-size": "train.batch_size", "lr": "train.learning_rate",
	"encoder-weights": "model.weights", "data": "data.root",
}

func newTrainCmd() *cobra.Command {
	var file string
	var sets []string
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train the depth network (self-supervised, Monodepth2 method); resumes an interrupted run",
		Example: `  xdistill train --config configs/synthetic.yaml
  xdistill train --config configs/synthetic.yaml --steps 100 --out runs/quick
  xdistill train --config my.yaml --set distill.lambda=0.1`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(config.Options{File: file, Flags: cmd.Flags(), Bind: trainFlags, Sets: sets})
			if err != nil {
				return err
			}
			if run, _ := cmd.Flags().GetString("resume"); run != "" {
				if err := resumeRun(&cfg, run); err != nil {
					return err
				}
			}
			return runTrain(cmd.Context(), cfg, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&file, "config", "configs/synthetic.yaml", "YAML config")
	f.StringArrayVar(&sets, "set", nil, "override any config key: --set section.key=value (repeatable)")
	f.Int("steps", 0, "training steps")
	f.String("device", "auto", "auto, cpu or cuda")
	f.String("out", "", "run directory")
	f.Int("batch-size", 0, "batch size")
	f.Float64("lr", 0, "learning rate")
	f.String("encoder-weights", "", "torchvision ResNet state dict (.pth) for both encoders, or a built-in teacher run directory (runs/teacher) for the depth encoder")
	f.String("data", "", "dataset root (KITTI raw layout)")
	f.String("resume", "", "continue the run in this directory (its checkpoint, optimizer state and step); the config must be the one it was started with, except train.steps")
	return cmd
}

// resumeRun points cfg at an existing run and refuses a config that is not
// the one the run was trained with: resuming under other settings would
// silently mix two experiments in one run. (Without --resume, a run
// directory with a checkpoint is resumed too; --resume makes it explicit
// and checked.)
func resumeRun(cfg *config.Config, run string) error {
	rec, err := runRecord(run)
	if err != nil {
		return fmt.Errorf("--resume %s: %w", run, err)
	}
	cfg.Train.Out = run
	if err := sameConfig(run, rec, *cfg); err != nil {
		return fmt.Errorf("--resume %s: %w", run, err)
	}
	return nil
}

// runRecord reads a run's newest record (the checkpoint, else the previous one).
func runRecord(run string) (*checkpoint.Record, error) {
	var first error
	for _, dir := range []string{checkpoint.CheckpointDir, checkpoint.PrevDir} {
		rec, err := checkpoint.ReadRecord(filepath.Join(run, dir, checkpoint.RecordFile))
		if err == nil {
			return rec, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, fmt.Errorf("no checkpoint to resume: %w", first)
}

func runTrain(ctx context.Context, cfg config.Config, out, log io.Writer) error {
	lock, err := lockRun(cfg.Train.Out)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	if err := checkExistingRun(cfg, out); err != nil {
		return err
	}
	if err := ensureData(ctx, cfg, log); err != nil {
		return err
	}
	device, err := training.ParseDevice(cfg.Train.Device)
	if err != nil {
		return err
	}
	train, err := data.OpenKITTI(cfg.Data.Root, splitPath(cfg, "train"), cfg.Data.Width, cfg.Data.Height)
	if err != nil {
		return err
	}
	if err := attachTeacher(ctx, cfg, train, out, log); err != nil {
		return err
	}
	if err := checkData(ctx, train, log); err != nil {
		return err
	}
	fmt.Fprintf(out, "training on %d samples from %s (%dx%d), %d steps, run %s\n", train.Len(), cfg.Data.Root, cfg.Data.Width, cfg.Data.Height, cfg.Train.Steps, cfg.Train.Out)
	tr := &training.Trainer{Cfg: cfg, Data: train, Device: device, Version: version,
		Progress: progress.New(log, "train", cfg.Train.Steps)}
	if err := tr.Run(ctx); err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(out, "interrupted: checkpoint saved in %s; run the same command to resume\n", cfg.Train.Out)
			return nil
		}
		return err
	}
	return evaluate(ctx, cfg, tr.Model(), device, out, log)
}

// checkData reads the header of every file the training split needs
// (a progress bar on log), so a missing or broken frame stops the run
// now, named by its split line, rather than when it is first sampled.
func checkData(ctx context.Context, set *data.KITTISet, log io.Writer) error {
	bar := progress.New(log, "check data", set.Len())
	defer bar.Finish()
	return set.Check(ctx, bar)
}

// attachTeacher points the training set at the teacher's labels when
// distilling (λ > 0): the dataset's own label PNGs (the synthetic world's
// ground truth, or any tool's, in the dataset layout), a teacher's cache
// written by `xdistill teacher label`, or the built-in teacher's cache,
// which it fills first (ensureBuiltinTeacher).
func attachTeacher(ctx context.Context, cfg config.Config, set *data.KITTISet, out, log io.Writer) error {
	d := cfg.Distill
	if d.Lambda <= 0 {
		return nil
	}
	g, err := distill.Load(d.Grouping)
	if err != nil {
		return err
	}
	root := d.TeacherLabelCache
	switch {
	case d.Teacher == "labels":
		if root == "" {
			root = cfg.Data.Root
		}
	case d.Teacher == "builtin":
		if root, err = ensureBuiltinTeacher(ctx, cfg, out, log); err != nil {
			return err
		}
	case strings.HasSuffix(d.Teacher, ".onnx"):
		if root == "" {
			root = teacher.CacheDir(cfg.Data.Root, d.Teacher)
		}
	default:
		return fmt.Errorf("distill.teacher %q: want labels, builtin or a path to a segmentation .onnx (label the data first with `xdistill teacher label`)", d.Teacher)
	}
	set.LabelRoot, set.Grouping = root, g
	return nil
}

// ensureData generates the synthetic world when it is the configured data
// and not there yet.
func ensureData(ctx context.Context, cfg config.Config, log io.Writer) error {
	if cfg.Data.Format != "synthetic" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(cfg.Data.Root, synth.ManifestFile)); err == nil {
		if _, err := os.Stat(splitPath(cfg, "test")); err == nil {
			return nil
		}
	}
	style, err := synth.ParseStyle(cfg.Data.SynthStyle)
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "generating the synthetic world in %s\n", cfg.Data.Root)
	return synth.Generate(ctx, synth.Options{Out: cfg.Data.Root, Seed: uint64(cfg.Data.SynthSeed), Sequences: cfg.Data.SynthSequences,
		Frames: cfg.Data.SynthFrames, Width: cfg.Data.Width, Height: cfg.Data.Height, Style: style}, log)
}

func splitPath(cfg config.Config, name string) string {
	if cfg.Data.Splits != "" {
		return filepath.Join(cfg.Data.Splits, name+"_files.txt")
	}
	return kitti.SplitPath(cfg.Data.Root, name)
}

// evaluate scores the trained model on the test split into RUN/eval.*.
func evaluate(ctx context.Context, cfg config.Config, m *training.Model, dev gotch.Device, out, log io.Writer) error {
	if _, err := os.Stat(splitPath(cfg, "test")); os.IsNotExist(err) {
		fmt.Fprintf(out, "no test split (%s): skipping evaluation\n", splitPath(cfg, "test"))
		return nil
	}
	test, err := data.OpenKITTI(cfg.Data.Root, splitPath(cfg, "test"), cfg.Data.Width, cfg.Data.Height)
	if err != nil {
		return err
	}
	return evalReport(ctx, m, test, splitPath(cfg, "train"), metrics.Synthetic(), dev, filepath.Join(cfg.Train.Out, "eval"), out, log)
}
