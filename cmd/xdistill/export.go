package main

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/xdistill/edge-depth/export"
	"github.com/xdistill/edge-depth/internal/modelmeta"
)

type exportFlags struct {
	size, batch, output string
	engine, fp16, int8  bool
	calib, engineOut    string
	maxBatch            int
}

func newExportCmd() *cobra.Command {
	var o export.Options
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export a run's depth network to ONNX (and a TensorRT engine where trtexec exists)",
		Long: `Writes the depth network of a run (encoder + decoder at the finest scale; no
pose net, translator or teacher) as an ONNX model, batch norm folded, with
metadata_props that edge-depth configures itself from. The graph is written
from the checkpoint's weights by our own builder (no libtorch involved).

--engine builds a TensorRT engine with trtexec (PATH or JetPack's
/usr/src/tensorrt/bin); without trtexec it prints the command to run on
the Jetson. See docs/EXPORT.md.`,
		Example: `  xdistill export                                   # runs/latest → models/depth.onnx
  xdistill export --checkpoint runs/kitti --size 640x192 --preprocess --output both
  xdistill export --opset 17 --batch dynamic --engine --fp16
  xdistill export --engine --int8 --calib models/depth.calib`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.apply(&o); err != nil {
				return err
			}
			res, err := export.Export(o)
			if err != nil {
				return err
			}
			printExport(cmd.OutOrStdout(), res)
			if f.engine || f.fp16 || f.int8 || f.calib != "" {
				return buildEngine(cmd, res, f)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Checkpoint, "checkpoint", "runs/latest", "run directory (or its checkpoint folder)")
	fl.StringVar(&o.Out, "out", "models/depth.onnx", "ONNX file to write")
	fl.IntVar(&o.Opset, "opset", export.DefaultOpset, "ONNX opset, 13..17")
	fl.StringVar(&f.size, "size", "", "input size WxH, multiples of 32 (default: the training size)")
	fl.StringVar(&o.Padding, "pad", "", "reflect or zero; must be the checkpoint's (default: the checkpoint's)")
	fl.StringVar(&o.ReflectOp, "reflect-op", export.ReflectSlice, "how reflect padding is written: slice (Slice+Concat, every TensorRT 8 parses it) or pad (one ONNX Pad node, for targets that take it)")
	fl.StringVar(&f.batch, "batch", "1", "batch size N, or dynamic")
	fl.BoolVar(&o.Preprocess, "preprocess", false, "take uint8 NHWC RGB frames and normalise inside the graph")
	fl.StringVar(&f.output, "output", "disparity", "disparity, depth or both")
	fl.Float64Var(&o.Scale, "scale", 0, "metres per training unit, if known (e.g. the median ratio xdistill eval prints); 0 = unknown")
	fl.StringVar(&o.Camera, "camera", "", "camera.yaml with the training camera (default: the training data's calibration)")
	fl.BoolVar(&f.engine, "engine", false, "also build a TensorRT engine with trtexec")
	fl.StringVar(&f.engineOut, "engine-out", "", "engine file (default: --out with .engine)")
	fl.BoolVar(&f.fp16, "fp16", false, "engine: allow FP16 kernels")
	fl.BoolVar(&f.int8, "int8", false, "engine: INT8, with --calib")
	fl.StringVar(&f.calib, "calib", "", "engine: TensorRT INT8 calibration cache (xdistill calibrate)")
	fl.IntVar(&f.maxBatch, "max-batch", 8, "engine: largest batch of a --batch dynamic model's profile")
	return cmd
}

// apply turns the string flags into export options.
func (f exportFlags) apply(o *export.Options) error {
	if f.size != "" {
		w, h, err := parseSize(f.size)
		if err != nil {
			return err
		}
		o.Width, o.Height = w, h
	}
	if f.batch == "dynamic" {
		o.Batch = 0
	} else if n, err := strconv.Atoi(f.batch); err == nil && n >= 1 {
		o.Batch = n
	} else {
		return fmt.Errorf("--batch %q: want a size ≥ 1 or dynamic", f.batch)
	}
	switch f.output {
	case "disparity", "depth":
		o.Outputs = []string{f.output}
	case "both":
		o.Outputs = []string{modelmeta.OutputDisparity, modelmeta.OutputDepth}
	default:
		return fmt.Errorf("--output %q: want disparity, depth or both", f.output)
	}
	o.Version = modelmeta.ProjectVersion
	if version != "dev" {
		o.Version += "+" + version
	}
	return nil
}

func printExport(w io.Writer, r *export.Result) {
	if len(r.Outputs) == 1 && r.Outputs[0] == export.SegOutput { // a built-in teacher run
		fmt.Fprintf(w, "wrote %s: %.1f MB, %d nodes, %.2fM parameters (batch norm folded): segmentation teacher, output logits\n",
			r.Path, float64(r.Bytes)/1e6, r.Nodes, float64(r.Params)/1e6)
		return
	}
	m := r.Meta
	in := fmt.Sprintf("float32 [%s,3,%d,%d] RGB in [0,1]", batchText(m.Batch), m.Height, m.Width)
	if m.Layout == modelmeta.LayoutNHWCUint8 {
		in = fmt.Sprintf("uint8 [%s,%d,%d,3] RGB", batchText(m.Batch), m.Height, m.Width)
	}
	fmt.Fprintf(w, "wrote %s: %.1f MB, %d nodes, %.2fM parameters (batch norm folded)\n", r.Path, float64(r.Bytes)/1e6, r.Nodes, float64(r.Params)/1e6)
	fmt.Fprintf(w, "  network  %s ×%g, %s padding, depth %g..%g\n", m.Encoder, m.EncoderWidth, m.Padding, m.MinDepth, m.MaxDepth)
	fmt.Fprintf(w, "  input    %s %s; outputs %s\n", modelmeta.InputImage, in, strings.Join(m.Outputs, ", "))
	if m.HasIntrinsics() {
		fmt.Fprintf(w, "  camera   fx %.3f fy %.3f cx %.3f cy %.3f at %dx%d (from %s)\n", m.Fx, m.Fy, m.Cx, m.Cy, m.Width, m.Height, r.IntrinsicsSource)
	}
	if m.Lambda > 0 {
		fmt.Fprintf(w, "  X-Distill λ %g, grouping %s\n", m.Lambda, m.Grouping)
	}
	fmt.Fprintf(w, "  weights  sha256 %s\n", m.Checkpoint)
	for _, warn := range r.Warnings {
		slog.Warn(warn)
	}
}

func batchText(b int) string {
	if b == 0 {
		return "N"
	}
	return strconv.Itoa(b)
}

// buildEngine runs trtexec where it exists; elsewhere it prints the exact
// command for the Jetson and the alternative.
func buildEngine(cmd *cobra.Command, res *export.Result, f exportFlags) error {
	eo := export.EngineOptions{ONNX: res.Path, Engine: f.engineOut, Meta: res.Meta, FP16: f.fp16, INT8: f.int8, Calib: f.calib, MaxBatch: f.maxBatch}
	out := cmd.OutOrStdout()
	trtexec := export.FindTrtexec()
	if trtexec == "" {
		args, err := export.TrtexecArgs(eo)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "trtexec not found (PATH, %s): no TensorRT here. On the Jetson, run:\n  %s\n", export.JetPackTrtexec, export.Command("trtexec", args))
		fmt.Fprintf(out, "or skip this step: edge-depth builds the engine itself on first run through ONNX Runtime's TensorRT provider and caches it (docs/EXPORT.md).\n")
		return nil
	}
	slog.Info("building TensorRT engine (minutes on a Jetson)", "trtexec", trtexec)
	r, err := export.BuildEngine(cmd.Context(), trtexec, eo)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, r)
	return nil
}
