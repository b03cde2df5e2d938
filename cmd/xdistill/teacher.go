package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/teacher"
)

// teacherSubcommands are the commands under `xdistill teacher`.
var teacherSubcommands = []func() *cobra.Command{newTeacherLabelCmd, newTeacherTrainCmd, newTeacherEvalCmd}

func newTeacherCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "teacher",
		Short: "The frozen segmentation teacher of X-Distill (label a dataset once, cached for training)",
		Args:  cobra.NoArgs,
	}
	for _, add := range teacherSubcommands {
		cmd.AddCommand(add())
	}
	return cmd
}

type labelFlags struct {
	model, data, split, out         string
	size, mean, std, classes, scale string
	ortLib, provider                string
	threads                         int
}

func newTeacherLabelCmd() *cobra.Command {
	var f labelFlags
	cmd := &cobra.Command{
		Use:   "label",
		Short: "Label every frame of a split with an ONNX segmentation model (Cityscapes trainIds, cached)",
		Long: `Runs a semantic-segmentation model (ONNX, float32 NCHW RGB in, logits
[1,C,H,W] out) through ONNX Runtime on every target frame of a split and
writes Cityscapes trainId label PNGs (255 = ignore) in the dataset layout
under --out, where training reads them (distill.teacher: path/to/model.onnx).

Input size, normalisation and class names come from the flags, else the
model's metadata_props (input_width, input_height, mean, std, input_scale,
classes), else defaults: the model's static input size, ImageNet mean/std
on [0,1] pixels, the 19 Cityscapes classes in trainId order. Class names
that are not Cityscapes classes are labelled ignore.

Re-running skips frames already labelled (a damaged label file is redone);
a cache written by another model or with other settings is refused.
See docs/TEACHER.md.`,
		Example: `  xdistill teacher label --model models/seg.onnx --data data/synthetic
  xdistill teacher label --model seg.onnx --data /data/kitti --split splits/eigen_zhou/train_files.txt --size 1024x320
  xdistill teacher label --model ade.onnx --data /data/kitti --classes ade20k.txt --mean 123.675,116.28,103.53 --std 58.395,57.12,57.375 --input-scale 255`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runTeacherLabel(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "segmentation model (.onnx)")
	fl.StringVar(&f.data, "data", "data/synthetic", "dataset root (KITTI raw layout)")
	fl.StringVar(&f.split, "split", "train", "split file, or train/val/test for DATA/splits/<name>_files.txt")
	fl.StringVar(&f.out, "out", "", "label cache (default DATA/teacher/<model name>)")
	fl.StringVar(&f.size, "size", "", "model input size WxH (default: metadata, then the model's static shape)")
	fl.StringVar(&f.mean, "mean", "", "per-channel mean R,G,B in the input scale (default: metadata, then ImageNet)")
	fl.StringVar(&f.std, "std", "", "per-channel std R,G,B in the input scale (default: metadata, then ImageNet)")
	fl.StringVar(&f.scale, "input-scale", "", "pixel range the model takes: 1 for [0,1], 255 for [0,255] (default: metadata, then 1)")
	fl.StringVar(&f.classes, "classes", "", "file of the model's class names, one per line in output order (default: metadata, then Cityscapes)")
	fl.StringVar(&f.ortLib, "ort-lib", "", "ONNX Runtime library (default: $ONNXRUNTIME_LIB, then third_party/onnxruntime)")
	fl.StringVar(&f.provider, "provider", "auto", "auto, tensorrt, cuda or cpu (falls back to the next that works)")
	fl.IntVar(&f.threads, "threads", 0, "ONNX Runtime threads per operator (0 = one per core)")
	cmd.MarkFlagRequired("model")
	return cmd
}

// options turns the flags into teacher options.
func (f labelFlags) options() (teacher.Options, error) {
	o := teacher.Options{Provider: f.provider, ORTLib: f.ortLib, Threads: f.threads}
	var err error
	if f.size != "" {
		if o.Width, o.Height, err = parseSize(f.size); err != nil {
			return o, err
		}
	}
	for _, x := range []struct {
		flag, val string
		dst       *[]float32
	}{{"--mean", f.mean, &o.Mean}, {"--std", f.std, &o.Std}} {
		if x.val == "" {
			continue
		}
		v, err := teacher.ParseTriple(x.val)
		if err != nil {
			return o, fmt.Errorf("%s: %w", x.flag, err)
		}
		*x.dst = v[:]
	}
	switch f.scale {
	case "":
	case "1":
		o.InputScale = 1
	case "255":
		o.InputScale = 255
	default:
		return o, fmt.Errorf("--input-scale %q: want 1 or 255", f.scale)
	}
	if f.classes != "" {
		if o.Classes, err = teacher.ReadClassFile(f.classes); err != nil {
			return o, err
		}
	}
	return o, nil
}

func runTeacherLabel(cmd *cobra.Command, f labelFlags) error {
	opts, err := f.options()
	if err != nil {
		return err
	}
	split := f.split
	if !strings.ContainsAny(split, "/.") {
		split = kitti.SplitPath(f.data, split)
	}
	out := f.out
	if out == "" {
		out = teacher.CacheDir(f.data, f.model)
	}
	t, err := teacher.OpenONNX(f.model, opts)
	if err != nil {
		return err
	}
	defer t.Close()
	w := cmd.OutOrStdout()
	printTeacher(w, f.model, t)
	st, err := teacher.LabelDataset(cmd.Context(), t, f.data, split, out, cmd.ErrOrStderr())
	if err != nil && st.Labelled+st.Skipped == 0 {
		return err
	}
	fmt.Fprintf(w, "labelled %d frames, skipped %d already cached, of %d in %s (%s) in %s",
		st.Labelled, st.Skipped, st.Frames, f.data, split, st.Duration.Round(1e7))
	if st.Labelled > 0 {
		fmt.Fprintf(w, ": %.2f frames/s", st.FramesPerSecond())
	}
	fmt.Fprintf(w, "\nlabels in %s\n", out)
	return err
}

func printTeacher(w io.Writer, model string, t *teacher.ONNX) {
	s := t.Settings()
	lw, lh := t.LogitsSize()
	known := 0
	for _, id := range s.TrainIDs {
		if id != kitti.Ignore {
			known++
		}
	}
	fmt.Fprintf(w, "teacher %s\n", model)
	fmt.Fprintf(w, "  input    %dx%d (%s), pixels in [0,%g], mean %g,%g,%g std %g,%g,%g (%s)\n",
		s.Width, s.Height, s.SizeFrom, s.InputScale, s.Mean[0], s.Mean[1], s.Mean[2], s.Std[0], s.Std[1], s.Std[2], s.NormFrom)
	fmt.Fprintf(w, "  output   %d classes at %dx%d (%s), %d of them Cityscapes classes", len(s.Classes), lw, lh, s.ClassesFrom, known)
	if known < len(s.Classes) {
		fmt.Fprint(w, " (the rest are labelled ignore)")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  runtime  %s\n", t.Report())
}
