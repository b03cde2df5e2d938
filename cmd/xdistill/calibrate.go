package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/xdistill/edge-depth/calibration"
	"github.com/xdistill/edge-depth/calibration/chessboard"
	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/internal/data/camera"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/progress"
)

func newCalibrateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "calibrate",
		Short: "INT8 calibration for TensorRT, and camera intrinsics from a chessboard",
	}
	cmd.AddCommand(newCalibrateInt8Cmd(), newCalibrateCameraCmd())
	return cmd
}

type int8Flags struct {
	model, data, split, frames, video    string
	evalSplit, tuneSplit                 string
	count, evalCount, tuneCount, latency int
	method, target, out, cache, report   string
	percentile                           float64
	keep                                 []string
	protocol, trtVersion, ortLib         string
	threads                              int
}

func newCalibrateInt8Cmd() *cobra.Command {
	var f int8Flags
	cmd := &cobra.Command{
		Use:   "int8",
		Short: "INT8 post-training quantization: QDQ ONNX model, TensorRT calibration cache, accuracy report",
		Long: `Runs the FP32 model through ONNX Runtime with every activation exposed, over
--count calibration frames, and chooses each tensor's int8 range (--method
entropy as TensorRT's entropy calibrator, percentile, or minmax). Writes:

  --out     a QDQ ONNX model (explicit quantization): int8 weights per
            channel, 8-bit activations per tensor. --target tensorrt lays it
            out for TensorRT (the Jetson); --target ort for ONNX Runtime's
            CPU int8 kernels.
  --cache   a TensorRT calibration cache (implicit quantization):
            trtexec --onnx=depth.onnx --int8 --calib=depth.calib
  --report  markdown: FP32 vs INT8 accuracy on held-out frames, a per-layer
            sensitivity table, ONNX Runtime CPU latency.

Frames: --data with --split (default DATA/splits/train_files.txt); held-out
frames from --tune-split (sensitivity; default val) and --eval-split
(report; default test). With --frames or --video, frames not used for
calibration are split between the two.

--keep-fp32 auto (default) leaves the most sensitive layers in FP32 until
INT8's Abs Rel is within 2 % of FP32's on the tune frames; give layer names
(from the sensitivity table) to choose yourself, or none.`,
		Example: `  xdistill calibrate int8 --model models/depth.onnx --data data/synthetic
  xdistill calibrate int8 --model depth.onnx --video drive.mp4 --count 300 --method percentile
  xdistill calibrate int8 --model depth.onnx --frames shots/ --keep-fp32 decoder.dispconv_0 --target ort`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := f.options(cmd)
			if err != nil {
				return err
			}
			res, err := calibration.Int8(cmd.Context(), o)
			if err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), calibration.Report(o, res))
			if o.Report != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "\nreport written to %s\n", o.Report)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "models/depth.onnx", "FP32 ONNX model (xdistill export)")
	fl.StringVar(&f.data, "data", "data/synthetic", "dataset root (KITTI raw layout)")
	fl.StringVar(&f.split, "split", "", "calibration split file (default DATA/splits/train_files.txt)")
	fl.StringVar(&f.frames, "frames", "", "folder of calibration images instead of --data")
	fl.StringVar(&f.video, "video", "", "video to sample calibration frames from instead of --data")
	fl.IntVar(&f.count, "count", 500, "calibration frames (spread evenly over the source)")
	fl.StringVar(&f.method, "method", string(calibration.Entropy), "range choice: entropy, percentile or minmax")
	fl.Float64Var(&f.percentile, "percentile", calibration.DefaultPercentile, "percentile of |x| for --method percentile")
	fl.StringSliceVar(&f.keep, "keep-fp32", []string{"auto"}, "layers to leave in FP32: names, auto, or none")
	fl.StringVar(&f.target, "target", string(calibration.TensorRT), "QDQ layout: tensorrt or ort")
	fl.StringVar(&f.out, "out", "", "QDQ model (default: MODEL with .int8.onnx)")
	fl.StringVar(&f.cache, "cache", "", "TensorRT calibration cache (default: MODEL with .calib; \"none\" to skip)")
	fl.StringVar(&f.report, "report", "", "markdown report (default: OUT with .md; \"none\" to skip)")
	fl.StringVar(&f.evalSplit, "eval-split", "", "held-out split for the report (default DATA/splits/test_files.txt)")
	fl.StringVar(&f.tuneSplit, "tune-split", "", "held-out split for sensitivity and auto keep (default DATA/splits/val_files.txt)")
	fl.IntVar(&f.evalCount, "eval-count", 200, "at most this many report frames")
	fl.IntVar(&f.tuneCount, "tune-count", 50, "at most this many sensitivity frames (0 = no sensitivity table)")
	fl.StringVar(&f.protocol, "protocol", "synthetic", "ground-truth protocol of the held-out frames: synthetic or kitti")
	fl.StringVar(&f.trtVersion, "trt-version", calibration.DefaultTRTVersion, "TensorRT version the cache is for (its header)")
	fl.IntVar(&f.latency, "latency-runs", 30, "ONNX Runtime CPU timing runs per model for the report (0 = skip)")
	fl.IntVar(&f.threads, "threads", 0, "ONNX Runtime CPU threads (0 = its default)")
	fl.StringVar(&f.ortLib, "ort-lib", "", "ONNX Runtime library (default: the usual search, see docs/ONNX.md)")
	return cmd
}

func (f int8Flags) options(cmd *cobra.Command) (calibration.Int8Options, error) {
	var o calibration.Int8Options
	var err error
	if o.Method, err = calibration.ParseMethod(f.method); err != nil {
		return o, err
	}
	if o.Target, err = calibration.ParseTarget(f.target); err != nil {
		return o, err
	}
	if o.Protocol, err = protocolOptions(f.protocol, "", ""); err != nil || f.protocol == "make3d" {
		return o, fmt.Errorf("--protocol %q: want synthetic or kitti", f.protocol)
	}
	if f.count < 1 || f.evalCount < 0 || f.tuneCount < 0 {
		return o, fmt.Errorf("--count %d, --eval-count %d, --tune-count %d: want ≥ 1, ≥ 0, ≥ 0", f.count, f.evalCount, f.tuneCount)
	}
	if !(f.percentile > 0 && f.percentile <= 100) {
		return o, fmt.Errorf("--percentile %g: want (0, 100]", f.percentile)
	}
	if _, err := calibration.TRTVersionCode(f.trtVersion); err != nil {
		return o, fmt.Errorf("--trt-version: %w", err)
	}
	if _, _, err := calibration.CheckModel(f.model); err != nil {
		return o, fmt.Errorf("--model: %w", err)
	}
	base := strings.TrimSuffix(f.model, filepath.Ext(f.model))
	o.Model, o.Percentile, o.TRTVersion, o.Budget = f.model, f.percentile, f.trtVersion, calibration.DefaultBudget
	o.Out = or(f.out, base+".int8.onnx")
	o.Cache = none(or(f.cache, base+".calib"))
	o.Report = none(or(f.report, strings.TrimSuffix(o.Out, filepath.Ext(o.Out))+".md"))
	if o.Out == o.Model {
		return o, fmt.Errorf("--out %s would overwrite the FP32 model", o.Out)
	}
	for _, k := range f.keep {
		switch k = strings.TrimSpace(k); k {
		case "auto":
			o.AutoKeep = true
		case "none", "":
		default:
			o.Keep = append(o.Keep, k)
		}
	}
	o.Runtime = calibration.RuntimeOptions{Library: f.ortLib, Threads: f.threads}
	o.LatencyRuns = f.latency
	o.Log = cmd.ErrOrStderr()
	if err := f.frameSets(&o); err != nil {
		return o, err
	}
	if f.tuneCount == 0 {
		o.Tune, o.AutoKeep = nil, false
	}
	return o, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func none(s string) string {
	if s == "none" {
		return ""
	}
	return s
}

// frameSets picks calibration, tune and eval frames from the source.
func (f int8Flags) frameSets(o *calibration.Int8Options) error {
	sources := 0
	for _, s := range []string{f.frames, f.video} {
		if s != "" {
			sources++
		}
	}
	if sources > 1 || (sources == 1 && f.split != "") {
		return errors.New("give one frame source: --data [--split], --frames or --video")
	}
	switch {
	case f.frames != "":
		files, err := calibration.ListImages(f.frames)
		if err != nil {
			return err
		}
		calib, tune, eval := splitIndices(len(files), f.count, f.tuneCount, f.evalCount)
		o.Calib, o.Tune, o.Eval = files.Pick(calib), files.Pick(tune), files.Pick(eval)
		o.CalibSource = fmt.Sprintf("%s, %d of %d images", f.frames, len(calib), len(files))
		o.TuneSource, o.EvalSource = f.frames+", other images", f.frames+", other images (no ground truth)"
		return nil
	case f.video != "":
		return f.videoSets(o)
	}
	return f.datasetSets(o)
}

// splitIndices spreads count calibration frames over total and divides
// the rest between tune and eval, alternately.
func splitIndices(total, count, tune, eval int) (c, t, e []int) {
	c = calibration.Spread(total, count)
	in := map[int]bool{}
	for _, i := range c {
		in[i] = true
	}
	var rest []int
	for i := range total {
		if !in[i] {
			rest = append(rest, i)
		}
	}
	var a, b []int
	for k, i := range rest {
		if k%2 == 0 {
			a = append(a, i)
		} else {
			b = append(b, i)
		}
	}
	return c, pickSpread(a, tune), pickSpread(b, eval)
}

func pickSpread(xs []int, n int) []int {
	var out []int
	for _, k := range calibration.Spread(len(xs), n) {
		out = append(out, xs[k])
	}
	return out
}

func (f int8Flags) videoSets(o *calibration.Int8Options) error {
	in, err := modelSize(f.model)
	if err != nil {
		return err
	}
	var counts [3]int
	sets, err := calibration.ReadVideo(f.video, in[0], in[1], func(total int) [][]int {
		c, t, e := splitIndices(total, f.count, f.tuneCount, f.evalCount)
		counts = [3]int{len(c), len(t), len(e)}
		return [][]int{c, t, e}
	})
	if err != nil {
		return err
	}
	o.Calib, o.Tune, o.Eval = sets[0], sets[1], sets[2]
	o.CalibSource = fmt.Sprintf("%s, %d frames", f.video, counts[0])
	o.TuneSource, o.EvalSource = f.video+", other frames", f.video+", other frames (no ground truth)"
	return nil
}

// modelSize reads the network input size from the model's metadata or
// graph.
func modelSize(path string) ([2]int, error) {
	w, h, err := calibration.InputSize(path)
	return [2]int{w, h}, err
}

func (f int8Flags) datasetSets(o *calibration.Int8Options) error {
	split := or(f.split, kitti.SplitPath(f.data, "train"))
	ds, err := calibration.OpenDataset(f.data, split)
	if err != nil {
		return fmt.Errorf("calibration frames: %w (or give --frames or --video)", err)
	}
	pick := calibration.Spread(ds.Len(), f.count)
	o.Calib = ds.Pick(pick)
	o.CalibSource = fmt.Sprintf("%d of %d frames of %s", len(pick), ds.Len(), rel(f.data, split))
	for _, s := range []struct {
		flag, name string
		count      int
		dst        *calibration.Frames
		src        *string
	}{{f.tuneSplit, "val", f.tuneCount, &o.Tune, &o.TuneSource}, {f.evalSplit, "test", f.evalCount, &o.Eval, &o.EvalSource}} {
		path := or(s.flag, kitti.SplitPath(f.data, s.name))
		held, err := calibration.OpenDataset(f.data, path)
		if err != nil {
			if s.flag == "" && errors.Is(err, fs.ErrNotExist) {
				continue // no such split in this dataset: skip that part
			}
			return err
		}
		idx := calibration.Spread(held.Len(), s.count)
		*s.dst = held.Pick(idx)
		*s.src = fmt.Sprintf("%d of %d frames of %s", len(idx), held.Len(), rel(f.data, path))
	}
	return nil
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.Join(root, r)
	}
	return path
}

func newCalibrateCameraCmd() *cobra.Command {
	var images, video, board, out string
	var square float64
	var minBoards, maxFrames int
	var k3 bool
	cmd := &cobra.Command{
		Use:   "camera",
		Short: "Camera intrinsics and distortion from chessboard views → camera.yaml",
		Long: `Finds the chessboard in every view (OpenCV, sub-pixel corners), then estimates
fx, fy, cx, cy and distortion k1 k2 p1 p2 (k3 with --k3) with OpenCV's
calibrateCamera. camera.yaml also records the image size and the
reprojection RMS; prepare-video, training and edge-depth read it.

--board counts inner corners (a board of 10×7 squares is 9x6). Take 15–30
views with the whole board visible, tilted differently (up to ±40°), and
covering the image including its corners.`,
		Example: `  xdistill calibrate camera --images shots/ --board 9x6 --square 0.025 --out camera.yaml
  xdistill calibrate camera --video board.mp4 --board 9x6 --square 0.025`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := chessboard.ParseBoard(board, square)
			if err != nil {
				return err
			}
			var views chessboard.Views
			var total int
			switch {
			case (images == "") == (video == ""):
				return errors.New("give --images DIR or --video FILE")
			case images != "":
				files, err := calibration.ListImages(images)
				if err != nil {
					return err
				}
				views, total = chessboard.ImageViews(files), len(files)
			default:
				capture.QuietOpenCV()
				views, total = chessboard.VideoViews(video, maxFrames), maxFrames
			}
			bar := progress.New(cmd.ErrOrStderr(), "views", total)
			res, err := chessboard.Calibrate(cmd.Context(), views, chessboard.Options{Board: b, MinBoards: minBoards, K3: k3, Progress: bar})
			if err != nil {
				return err
			}
			if err := camera.Write(out, res.File); err != nil {
				return err
			}
			printCamera(cmd, res, out)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&images, "images", "", "folder of chessboard photos")
	fl.StringVar(&video, "video", "", "video of the chessboard")
	fl.StringVar(&board, "board", "9x6", "inner corners COLSxROWS")
	fl.Float64Var(&square, "square", 0.025, "square side in metres")
	fl.StringVar(&out, "out", "camera.yaml", "file to write")
	fl.IntVar(&minBoards, "min-boards", 5, "refuse with fewer detected boards")
	fl.IntVar(&maxFrames, "max-frames", 60, "video: frames to examine, spread over the video")
	fl.BoolVar(&k3, "k3", false, "also estimate k3 (strong wide-angle distortion)")
	return cmd
}

func printCamera(cmd *cobra.Command, res chessboard.Result, out string) {
	w := cmd.OutOrStdout()
	f := res.File
	fmt.Fprintf(w, "found the board in %d of %d views; reprojection RMS %.3f px\n", len(res.Used), len(res.Used)+len(res.Skipped), f.RMS)
	fmt.Fprintf(w, "  %dx%d  fx %.2f fy %.2f cx %.2f cy %.2f\n", f.Width, f.Height, f.Fx, f.Fy, f.Cx, f.Cy)
	fmt.Fprintf(w, "  distortion k1 %.5f k2 %.5f p1 %.5f p2 %.5f k3 %.5f\n", f.Distortion[0], f.Distortion[1], f.Distortion[2], f.Distortion[3], f.Distortion[4])
	if len(res.Skipped) > 0 {
		fmt.Fprintf(w, "  skipped (no whole board found): %s\n", strings.Join(res.Skipped, ", "))
	}
	if f.RMS > 1 {
		fmt.Fprintf(w, "  RMS above 1 px: check the square size, blur and that the board is flat\n")
	}
	fmt.Fprintf(w, "wrote %s\n", out)
}
