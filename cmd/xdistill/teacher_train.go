package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xdistill/edge-depth/export"
	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/internal/progress"
	"github.com/xdistill/edge-depth/teacher"
	"github.com/xdistill/edge-depth/training"
	"github.com/xdistill/edge-depth/training/data"
	"github.com/xdistill/edge-depth/training/distill"
)

// builtinTeacher is one built-in teacher: how to train it and where it goes.
type builtinTeacher struct {
	data, split, model, run string
	device                  string // auto, cpu or cuda
	width, height           int
	encWidth, lr            float64
	steps, batch            int
	seed                    int64
	threads                 int
}

// Defaults of `xdistill teacher train` (and of distill.teacher_*), sized
// for 2 CPU cores: about 2 minutes of training (docs/TEACHER.md).
const (
	teacherSteps    = 300
	teacherSize     = "192x64"
	teacherEncWidth = 0.5
	teacherBatch    = 8
	teacherLR       = 2e-3
)

func newTeacherTrainCmd() *cobra.Command {
	var bt builtinTeacher
	var size string
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train the built-in segmentation teacher on labelled frames and export it to ONNX",
		Long: `Trains a compact semantic-segmentation network (the depth net's ResNet
encoder and Monodepth2 decoder with a 19-class logits head) with gotch on
the label PNGs beside the frames (Cityscapes trainIds, 255 = ignore; the
synthetic world writes them): cross-entropy, Adam, checkpoints in --run
(an interrupted run resumes). Then exports it to ONNX through the project's
exporter, with the metadata "xdistill teacher label" reads, and scores it
on the test split when that has labels. See docs/TEACHER.md.`,
		Example: `  xdistill teacher train --data data/synthetic
  xdistill teacher train --data data/synthetic --steps 100 --size 192x64 --out /tmp/teacher.onnx`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if bt.width, bt.height, err = parseSize(size); err != nil {
				return err
			}
			if _, err := trainTeacher(cmd.Context(), bt, cmd.OutOrStdout(), cmd.ErrOrStderr()); err != nil {
				return err
			}
			return scoreTeacher(cmd.Context(), bt.model, bt.data, kitti.SplitPath(bt.data, "test"), "", cmd.OutOrStdout(), cmd.ErrOrStderr(), false)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&bt.data, "data", "data/synthetic", "labelled dataset root (KITTI raw layout with semantic/ label PNGs)")
	fl.StringVar(&bt.split, "split", "train", "split file, or train/val/test for DATA/splits/<name>_files.txt")
	fl.StringVar(&bt.model, "out", "models/teacher.onnx", "ONNX model to write")
	fl.StringVar(&bt.run, "run", "runs/teacher", "run directory (checkpoints; resumed when present)")
	fl.IntVar(&bt.steps, "steps", teacherSteps, "training steps")
	fl.StringVar(&size, "size", teacherSize, "network input WxH (multiples of 32)")
	fl.Float64Var(&bt.encWidth, "width", teacherEncWidth, "encoder channel multiplier in (0, 1]")
	fl.Int64Var(&bt.seed, "seed", 1, "seed of the initial weights and the data order")
	fl.IntVar(&bt.batch, "batch-size", teacherBatch, "batch size")
	fl.Float64Var(&bt.lr, "lr", teacherLR, "Adam learning rate (×0.1 for the last quarter)")
	fl.IntVar(&bt.threads, "threads", 0, "libtorch threads (0 = every core)")
	fl.StringVar(&bt.device, "device", "auto", "auto, cpu or cuda")
	return cmd
}

// teacherRun is what a teacher training did.
type teacherRun struct {
	ceStart, ceEnd float64 // mean cross-entropy of the first and last steps run
	steps          int
	took           time.Duration
}

// trainTeacher trains (or resumes) the built-in teacher and exports it.
func trainTeacher(ctx context.Context, bt builtinTeacher, out, log io.Writer) (teacherRun, error) {
	split := bt.split
	if !strings.ContainsAny(split, "/.") {
		split = kitti.SplitPath(bt.data, split)
	}
	if err := export.CheckSize(bt.width, bt.height); err != nil {
		return teacherRun{}, fmt.Errorf("teacher: %w", err)
	}
	if bt.width < 64 || bt.height < 64 {
		// reflect padding needs the 1/32 feature map ≥ 2 px (config.Validate's rule)
		return teacherRun{}, fmt.Errorf("teacher: size %dx%d: want at least 64x64", bt.width, bt.height)
	}
	device, err := training.ParseDevice(bt.device)
	if err != nil {
		return teacherRun{}, err
	}
	lock, err := lockRun(bt.run)
	if err != nil {
		return teacherRun{}, fmt.Errorf("teacher: %w", err)
	}
	defer lock.Unlock()
	set, err := data.OpenSegSet(bt.data, split, bt.width, bt.height)
	if err != nil {
		return teacherRun{}, err
	}
	counts, err := set.ClassPixels()
	if err != nil {
		return teacherRun{}, err
	}
	fmt.Fprintf(out, "training the teacher on %d labelled frames from %s (%dx%d), resnet18 ×%g, %d steps, run %s\n",
		set.Len(), bt.data, bt.width, bt.height, bt.encWidth, bt.steps, bt.run)
	tr := &training.SegTrainer{Data: set, Device: device, Version: version, Progress: progress.New(log, "teacher", bt.steps),
		Cfg: training.SegTrainConfig{Out: bt.run, Encoder: "resnet18", Width: bt.encWidth, Padding: "reflect",
			InputWidth: bt.width, InputHeight: bt.height, Steps: bt.steps, BatchSize: bt.batch, LearningRate: bt.lr,
			Seed: bt.seed, Threads: bt.threads, CheckpointEvery: 50, ColorJitter: true, FlipProb: 0.5},
		ClassWeights: training.BalancedWeights(counts)}
	start := time.Now()
	if err := tr.Run(ctx); err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(out, "interrupted: checkpoint saved in %s; run the same command to resume\n", bt.run)
		}
		return teacherRun{}, err
	}
	r := teacherRun{steps: len(tr.CE), took: time.Since(start)}
	if n := len(tr.CE); n > 0 {
		k := max(1, min(10, n/4))
		r.ceStart, r.ceEnd = mean(tr.CE[:k]), mean(tr.CE[n-k:])
		fmt.Fprintf(out, "trained %d steps in %s: cross-entropy %.3f → %.3f (mean of the first and last %d steps)\n",
			n, r.took.Round(time.Second), r.ceStart, r.ceEnd, k)
	}
	res, err := export.Export(export.Options{Checkpoint: bt.run, Out: bt.model, Batch: 1})
	if err != nil {
		return r, err
	}
	fmt.Fprintf(out, "wrote %s (%d KB, %d nodes, %d parameters): logits [1,19,%d,%d]\n",
		res.Path, res.Bytes/1024, res.Nodes, res.Params, bt.height, bt.width)
	return r, nil
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func newTeacherEvalCmd() *cobra.Command {
	var model, data, split, ortLib string
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Score a segmentation teacher (mIoU) against the dataset's ground-truth labels",
		Long: `Labels every frame of a split with an ONNX segmentation teacher, exactly as
"xdistill teacher label" caches labels for training (input size,
normalisation and classes from the model's metadata), and compares them
with the label PNGs beside the frames: IoU per Cityscapes class, per
X-Distill group (the default grouping), and their means.`,
		Example: `  xdistill teacher eval --model models/teacher.onnx --data data/synthetic`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !strings.ContainsAny(split, "/.") {
				split = kitti.SplitPath(data, split)
			}
			return scoreTeacher(cmd.Context(), model, data, split, ortLib, cmd.OutOrStdout(), cmd.ErrOrStderr(), true)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&model, "model", "models/teacher.onnx", "segmentation model (.onnx)")
	fl.StringVar(&data, "data", "data/synthetic", "dataset root with label PNGs")
	fl.StringVar(&split, "split", "test", "split file, or train/val/test for DATA/splits/<name>_files.txt")
	fl.StringVar(&ortLib, "ort-lib", "", "ONNX Runtime library (default: $ONNXRUNTIME_LIB, then third_party/onnxruntime)")
	return cmd
}

// scoreTeacher evaluates model on a split and prints the IoU tables.
// With required unset, a split that is absent or has no labels only
// skips the score (teacher train's closing report).
func scoreTeacher(ctx context.Context, model, data, split, ortLib string, out, log io.Writer, required bool) error {
	if !required {
		if _, err := os.Stat(split); err != nil {
			fmt.Fprintf(out, "no split %s: not scored (run `xdistill teacher eval`)\n", split)
			return nil
		}
	}
	start := time.Now()
	c, err := evalTeacher(ctx, model, data, split, ortLib, log)
	if err != nil {
		if !required && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(out, "teacher not scored: %v\n", err)
			return nil
		}
		return err
	}
	slog.Debug("teacher scored", "model", model, "split", split, "took", time.Since(start))
	return printIoU(out, model, split, c)
}

// evalTeacher scores an ONNX teacher on a labelled split through the path
// that labels training frames.
func evalTeacher(ctx context.Context, model, data, split, ortLib string, log io.Writer) (*metrics.Confusion, error) {
	t, err := teacher.OpenONNX(model, teacher.Options{ORTLib: ortLib, Provider: "cpu"})
	if err != nil {
		return nil, err
	}
	defer t.Close()
	return teacher.Evaluate(ctx, t, data, split, log)
}

// printIoU writes per-class and per-group IoU and the means.
func printIoU(w io.Writer, model, split string, c *metrics.Confusion) error {
	g := distill.Default()
	gc, err := c.Grouped(g.ToGrp[:], len(g.Groups))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "teacher %s on %s: %d labelled pixels\n", model, split, c.Pixels())
	fmt.Fprintf(w, "  %-14s %8s %10s\n", "class", "IoU", "GT pixels")
	iou, present := c.IoU(), c.Present()
	for k, name := range kitti.ClassNames {
		fmt.Fprintf(w, "  %-14s %8s %10d\n", name, pct(iou[k]), present[k])
	}
	fmt.Fprintf(w, "  %-14s %8s %10s\n", "group", "IoU", "GT pixels")
	giou, gpresent := gc.IoU(), gc.Present()
	for k, name := range g.Groups {
		fmt.Fprintf(w, "  %-14s %8s %10d\n", name, pct(giou[k]), gpresent[k])
	}
	fmt.Fprintf(w, "mIoU %.3f (19 classes, over the %d that occur)  group mIoU %.3f (default grouping)  pixel accuracy %.3f\n",
		c.MeanIoU(), occurring(iou), gc.MeanIoU(), c.Accuracy())
	return nil
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.3f", v)
}

func occurring(iou []float64) int {
	n := 0
	for _, v := range iou {
		if !math.IsNaN(v) {
			n++
		}
	}
	return n
}

// ensureBuiltinTeacher gets distill.teacher: builtin ready and returns
// its label cache: it trains and exports distill.teacher_model when the
// file is absent (at data.width×height, on the train split's label PNGs,
// run in RUNS/teacher beside train.out, resumable), then labels the train
// split with it through the teacher label cache, which skips frames
// already cached and refuses a cache written by another model.
func ensureBuiltinTeacher(ctx context.Context, cfg config.Config, out, log io.Writer) (string, error) {
	d := cfg.Distill
	if _, err := os.Stat(d.TeacherModel); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(out, "distill.teacher builtin: no %s yet, training it (distill.teacher_steps %d)\n", d.TeacherModel, d.TeacherSteps)
		w, h, err := d.TeacherInput(cfg.Data)
		if err != nil {
			return "", err
		}
		bt := builtinTeacher{data: cfg.Data.Root, split: splitPath(cfg, "train"), model: d.TeacherModel,
			run: filepath.Join(filepath.Dir(cfg.Train.Out), "teacher"), device: cfg.Train.Device,
			width: w, height: h, encWidth: d.TeacherWidth, steps: d.TeacherSteps,
			batch: teacherBatch, lr: teacherLR, seed: 1, threads: cfg.Train.Threads}
		if _, err := trainTeacher(ctx, bt, out, log); err != nil {
			return "", fmt.Errorf("built-in teacher: %w", err)
		}
		if err := scoreTeacher(ctx, d.TeacherModel, cfg.Data.Root, splitPath(cfg, "test"), cfg.Runtime.ONNXRuntimeLib, out, log, false); err != nil {
			return "", fmt.Errorf("built-in teacher: %w", err)
		}
	} else if err != nil {
		return "", fmt.Errorf("built-in teacher: %w", err)
	}
	cache := d.TeacherLabelCache
	if cache == "" {
		cache = teacher.CacheDir(cfg.Data.Root, d.TeacherModel)
	}
	t, err := teacher.OpenONNX(d.TeacherModel, teacher.Options{ORTLib: cfg.Runtime.ONNXRuntimeLib, Provider: "cpu"})
	if err != nil {
		return "", fmt.Errorf("built-in teacher: %w", err)
	}
	defer t.Close()
	st, err := teacher.LabelDataset(ctx, t, cfg.Data.Root, splitPath(cfg, "train"), cache, log)
	if err != nil {
		return "", fmt.Errorf("built-in teacher: %w", err)
	}
	fmt.Fprintf(out, "teacher %s: labelled %d frames, %d already cached, in %s\n", d.TeacherModel, st.Labelled, st.Skipped, cache)
	return cache, nil
}
