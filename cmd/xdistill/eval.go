package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/internal/colormap"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/fsutil"
	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/internal/plot"
	"github.com/xdistill/edge-depth/internal/progress"
	"github.com/xdistill/edge-depth/training"
	"github.com/xdistill/edge-depth/training/data"
)

func newEvalCmd() *cobra.Command {
	var run, root, split, protocol, evalSplit, device, gt string
	var stereoScale float64
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Evaluate a trained run on a split (metrics table + PNG grid in the run directory)",
		Long: `Protocols: synthetic (dense ground truth, caps 1e-3..80 m, per-image median
scaling), kitti and make3d (Test134 + Gridlaser, central 2:1 band, < 70 m).
--stereo-scale replaces per-image median scaling by a fixed factor (5.4 for
Monodepth2-style stereo models).

kitti follows Monodepth2's evaluate_depth.py for its two Eigen splits:
  --eval-split eigen (697 frames; the default): projected LiDAR ground truth
    (xdistill kitti export-gt: PNGs beside the frames, or --gt DIR, or
    Monodepth2's gt_depths.npz with --gt FILE), Garg crop, ground truth in
    (1e-3, 80) m, median scaling, predictions clamped to [1e-3, 80] m.
  --eval-split eigen_benchmark (652 frames, Monodepth2's
    splits/eigen_benchmark/test_files.txt): KITTI's annotated depth maps,
    --gt DIR (data_depth_annotated: <drive>/proj_depth/groundtruth/image_02,
    under train/ or val/, or under <date>/) or that split's gt_depths.npz;
    as Monodepth2 does for it, every pixel with ground truth counts (no
    crop, no cap on the ground truth); median scaling and clamping as above.`,
		Example: `  xdistill eval --checkpoint runs/latest
  xdistill eval --checkpoint runs/latest --data data/synthetic-shifted
  xdistill eval --checkpoint runs/kitti --data /data/kitti --split splits/eigen/test_files.txt --protocol kitti
  xdistill eval --checkpoint runs/kitti --data /data/kitti --split splits/eigen/test_files.txt --protocol kitti --gt splits/eigen/gt_depths.npz
  xdistill eval --checkpoint runs/kitti --data /data/kitti --split splits/eigen_benchmark/test_files.txt --protocol kitti --eval-split eigen_benchmark --gt /data/data_depth_annotated`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := protocolOptions(protocol, evalSplit, gt)
			if err != nil {
				return err
			}
			if stereoScale != 0 {
				if !(stereoScale > 0) {
					return fmt.Errorf("--stereo-scale %g: want > 0", stereoScale)
				}
				opts.Scale, opts.MedianScaling = stereoScale, false
			}
			dev, err := training.ParseDevice(device)
			if err != nil {
				return err
			}
			m, ck, err := training.LoadModel(run, dev)
			if err != nil {
				return err
			}
			if protocol == "make3d" {
				return evalMake3D(cmd, m, root, ck.Record.Arch.InputWidth, ck.Record.Arch.InputHeight, dev, run)
			}
			if split == "" {
				split = kitti.SplitPath(root, "test")
			}
			set, err := data.OpenKITTI(root, split, ck.Record.Arch.InputWidth, ck.Record.Arch.InputHeight)
			if err != nil {
				return err
			}
			if gt != "" {
				if err := set.UseGT(gt); err != nil {
					return err
				}
			}
			name := strings.TrimSuffix(filepath.Base(split), "_files.txt")
			if evalSplit != "" { // Monodepth2 names both splits' files test_files.txt
				name = evalSplit
			}
			prefix := filepath.Join(run, "eval-"+filepath.Base(root)+"-"+name)
			return evalReport(cmd.Context(), m, set, kitti.SplitPath(root, "train"), opts, dev, prefix, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&run, "checkpoint", "runs/latest", "run directory (or its checkpoint folder)")
	f.StringVar(&root, "data", "data/synthetic", "dataset root (KITTI raw layout)")
	f.StringVar(&split, "split", "", "split file (default DATA/splits/test_files.txt)")
	f.StringVar(&protocol, "protocol", "synthetic", "synthetic, kitti or make3d (DATA holds Test134/ and Gridlaser/)")
	f.StringVar(&evalSplit, "eval-split", "", "with --protocol kitti: eigen (default) or eigen_benchmark (needs --gt)")
	f.StringVar(&device, "device", "auto", "auto, cpu or cuda")
	f.StringVar(&gt, "gt", "", "ground truth: .npz/.npy (Monodepth2's gt_depths.npz, one map per split line) or a folder of depth PNGs")
	f.Float64Var(&stereoScale, "stereo-scale", 0, "fixed depth scale instead of median scaling (metric output, e.g. 5.4)")
	return cmd
}

func protocolOptions(name, evalSplit, gt string) (metrics.Options, error) {
	if name != "kitti" && evalSplit != "" {
		return metrics.Options{}, fmt.Errorf("--eval-split %s: only with --protocol kitti", evalSplit)
	}
	switch name {
	case "make3d":
		return metrics.Options{}, nil // its own protocol, see evalMake3D
	case "synthetic":
		return metrics.Synthetic(), nil
	case "kitti":
		return kittiSplitOptions(evalSplit, gt)
	}
	return metrics.Options{}, fmt.Errorf("protocol %q: want synthetic, kitti or make3d", name)
}

// kittiSplitOptions is Monodepth2's protocol for one of its Eigen splits.
func kittiSplitOptions(evalSplit, gt string) (metrics.Options, error) {
	switch evalSplit {
	case "", "eigen":
		return metrics.KITTIMono(), nil
	case "eigen_benchmark":
		if gt == "" {
			return metrics.Options{}, errors.New("--eval-split eigen_benchmark needs --gt: the folder of KITTI's annotated depth maps (data_depth_annotated) or that split's gt_depths.npz")
		}
		return metrics.KITTIBenchmark(), nil
	}
	return metrics.Options{}, fmt.Errorf("--eval-split %q: want eigen or eigen_benchmark", evalSplit)
}

// evalReport scores m on set, prints and writes PREFIX.md with the model
// next to two image-blind baselines (the best constant depth, and the mean
// depth map of the training split when it has dense ground truth), and
// PREFIX.png with examples.
func evalReport(ctx context.Context, m *training.Model, set *data.KITTISet, trainSplit string, o metrics.Options, dev gotch.Device, prefix string, out, log io.Writer) error {
	res, err := m.Evaluate(ctx, set, o, dev, progress.New(log, "eval", set.Len()))
	if err != nil {
		return err
	}
	constant, err := data.ConstantBaseline(set, o)
	if err != nil {
		return err
	}
	rows := []metrics.Row{{Name: "model", Depth: res.Mean}, {Name: "constant depth", Depth: constant}}
	if prior, ok := data.PriorBaseline(set, trainSplit, o); ok {
		rows = append(rows, metrics.Row{Name: "mean training depth map", Depth: prior})
	}
	table := metrics.Table(rows)
	report := fmt.Sprintf("%d images of %s (median-scaling ratio: median %.3f, std/med %.3f)\n\n%s\n%s![examples](%s)\n",
		res.Images, set.Root, res.RatioMedian, res.RatioStd, table, budgetSection(res.Budget), filepath.Base(prefix)+".png")
	fmt.Fprint(out, report)
	if err := fsutil.WriteFileAtomic(prefix+".md", []byte(report), 0o644); err != nil {
		return err
	}
	return examplesGrid(m, set, dev, prefix+".png")
}

// budgetSection is the report's "where the Abs Rel comes from" table, for
// test sets with ground-truth labels (the synthetic world's); else "".
func budgetSection(b *metrics.ErrorBudget) string {
	rows := b.Rows()
	if len(rows) == 0 {
		return ""
	}
	return "Where the model's Abs Rel comes from, by ground-truth class (each class's part of the Abs Rel, unlabelled pixels in a row of their own, sums to it; \"too far\" is the part where the depth is overestimated):\n\n" +
		metrics.BudgetTable(rows, kitti.ClassName) + "\n"
}

// examplesGrid draws up to 4 samples: input | predicted disparity |
// ground-truth inverse depth | relative error after median scaling.
func examplesGrid(m *training.Model, set *data.KITTISet, dev gotch.Device, path string) error {
	w, h := set.Size()
	var rows [][]image.Image
	for k := range min(4, set.Len()) {
		smp, err := set.LoadEval(k * max(1, set.Len()/4))
		if err != nil {
			return err
		}
		disp := m.Predict(smp.Image, w, h, dev)
		gt := metrics.ResizeNearest(smp.GT, smp.GTW, smp.GTH, w, h)
		pred := training.DispToDepthHost(disp, m.MinDepth, m.MaxDepth)
		rows = append(rows, []image.Image{rgbPanel(smp.Image, w, h), colormap.Heat(disp, w, h, 0, maxOf(disp), false),
			colormap.Heat(invert(gt), w, h, 0, maxOf(invert(gt)), true), colormap.Heat(relError(pred, gt), w, h, 0, 0.5, false)})
	}
	return plot.SavePNG(path, plot.Grid(rows))
}

func rgbPanel(chw []float32, w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for p := range w * h {
		c := func(k int) uint8 { return uint8(math.Round(255 * float64(chw[k*w*h+p]))) }
		img.SetRGBA(p%w, p/w, color.RGBA{c(0), c(1), c(2), 255})
	}
	return img
}

func invert(d []float32) []float32 {
	out := make([]float32, len(d))
	for i, v := range d {
		if v > 0 {
			out[i] = 1 / v
		}
	}
	return out
}

// relError is |s·pred − gt| / gt with the median scale s; NaN where no GT.
func relError(pred, gt []float32) []float32 {
	var p, g []float64
	for i := range gt {
		if gt[i] > 0 {
			p, g = append(p, float64(pred[i])), append(g, float64(gt[i]))
		}
	}
	out := make([]float32, len(gt))
	s := metrics.Median(g) / math.Max(metrics.Median(p), 1e-9)
	for i := range gt {
		out[i] = float32(math.NaN())
		if gt[i] > 0 {
			out[i] = float32(math.Abs(s*float64(pred[i])-float64(gt[i])) / float64(gt[i]))
		}
	}
	return out
}

func maxOf(v []float32) float64 {
	m := 1e-9
	for _, x := range v {
		if !math.IsNaN(float64(x)) {
			m = math.Max(m, float64(x))
		}
	}
	return m
}

// evalMake3D runs the Make3D protocol and writes RUN/eval-make3d.md.
func evalMake3D(cmd *cobra.Command, m *training.Model, root string, w, h int, dev gotch.Device, run string) error {
	set, err := training.OpenMake3D(root)
	if err != nil {
		return err
	}
	d, n, err := m.EvaluateMake3D(cmd.Context(), set, w, h, dev, progress.New(cmd.ErrOrStderr(), "make3d", len(set.Images)))
	if err != nil {
		return err
	}
	report := fmt.Sprintf("Make3D: %d images of %s (central 2:1 band, depth < 70 m, median scaling)\n\n%s\n", n, root,
		metrics.Make3DTable([]metrics.Row{{Name: "model", Depth: d}}))
	fmt.Fprint(cmd.OutOrStdout(), report)
	return fsutil.WriteFileAtomic(filepath.Join(run, "eval-make3d.md"), []byte(report), 0o644)
}
