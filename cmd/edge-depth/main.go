package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/edge/serve"
	"github.com/xdistill/edge-depth/internal/cli"
)

var version = "dev"

// usageOut receives --help (stdout, as cobra prints it for xdistill).
var usageOut io.Writer = os.Stdout

// DefaultModel is where `make export` writes the model.
const DefaultModel = "models/depth.onnx"

type options struct {
	// sources (one of)
	camera string
	video  string
	images string
	// calibration (undistortion, ground-plane scale): --camera FILE.yaml
	cameraYAML  string
	noUndistort bool

	model            string
	ortLib           string
	provider         string
	strict           bool
	fp16, int8       bool
	calib            string
	engineCache      string
	threads          int
	info             bool
	scale            float64
	cameraHeight     float64
	display          bool
	serve            string
	serveClients     int
	record           string
	saveDepth        string
	maxFrames        int64
	realtime         bool
	skipBad          bool
	json             bool
	reconnectTimeout time.Duration
	reconnect        string
	version          bool
}

// cameraFlag takes --camera more than once: a .yaml/.yml value is the
// camera calibration, anything else the live source.
type cameraFlag struct{ o *options }

func (c cameraFlag) String() string { return "" }

// Type names the value in help, as pflag's own string flags do.
func (c cameraFlag) Type() string { return "string" }

func (c cameraFlag) Set(v string) error {
	lower := strings.ToLower(strings.TrimSpace(v))
	if strings.HasSuffix(lower, ".yaml") || strings.HasSuffix(lower, ".yml") {
		if c.o.cameraYAML != "" {
			return errors.New("camera calibration given twice")
		}
		c.o.cameraYAML = v
		return nil
	}
	if c.o.camera != "" {
		return fmt.Errorf("two camera sources (%q and %q); give one", c.o.camera, v)
	}
	c.o.camera = v
	return nil
}

func parseFlags(args []string) (options, error) {
	var o options
	var help bool
	group := func(title string) cli.Group {
		return cli.Group{Title: title, Flags: pflag.NewFlagSet(title, pflag.ContinueOnError)}
	}
	src, model, metric, out, other := group("Source"), group("Model and runtime"), group("Metric depth"), group("Outputs"), group("Other")
	src.Flags.Var(cameraFlag{&o}, "camera", "live source: V4L2 index (0), device (/dev/video1) or GStreamer pipeline ending in appsink; a .yaml value is the camera calibration (camera.yaml): frames are undistorted with it, and --camera-height uses its intrinsics")
	src.Flags.BoolVar(&o.noUndistort, "no-undistort", false, "do not remove the lens distortion camera.yaml describes (its intrinsics still serve --camera-height)")
	src.Flags.StringVar(&o.video, "video", "", "video file source (every frame is processed)")
	src.Flags.StringVar(&o.images, "images", "", "folder of images, processed in name order (every frame)")
	src.Flags.BoolVar(&o.realtime, "realtime", false, "--video/--images: deliver frames at the video's rate (images: 10/s), as a camera would")
	src.Flags.BoolVar(&o.skipBad, "skip-bad", false, "--images: skip an image that does not decode (logged, counted in the summary and /stats) instead of stopping there")
	src.Flags.StringVar(&o.reconnect, "reconnect", "auto", "live sources: reopen a source that ends? auto (yes, except a finite GStreamer pipeline: num-buffers= or filesrc, whose end ends the run), always, never")
	src.Flags.DurationVar(&o.reconnectTimeout, "reconnect-timeout", 10*time.Second, "live sources: give up (exit 1) after this long without a frame")
	model.Flags.StringVar(&o.model, "model", DefaultModel, "exported depth model (.onnx) from make export")
	model.Flags.StringVar(&o.ortLib, "ort-lib", "", "path to libonnxruntime.so (else $ONNXRUNTIME_LIB, else third_party/onnxruntime, else the system's)")
	model.Flags.StringVar(&o.provider, "provider", "auto", "execution provider: auto (TensorRT, then CUDA, then CPU) | tensorrt | cuda | cpu")
	model.Flags.BoolVar(&o.strict, "strict", false, "with --provider tensorrt or cuda: fail instead of falling back")
	model.Flags.BoolVar(&o.fp16, "fp16", false, "TensorRT: allow FP16 kernels")
	model.Flags.BoolVar(&o.int8, "int8", false, "TensorRT: allow INT8 kernels (a QDQ model, or --calib)")
	model.Flags.StringVar(&o.calib, "calib", "", "TensorRT: INT8 calibration cache (needs --int8)")
	model.Flags.StringVar(&o.engineCache, "engine-cache", "", "TensorRT: directory for built engines, so they are built once")
	model.Flags.IntVar(&o.threads, "threads", 0, "CPU provider: threads per operator (0 = one per core)")
	model.Flags.BoolVar(&o.info, "info", false, "print the model's inputs, outputs, metadata and the provider used, then exit")
	metric.Flags.Float64Var(&o.scale, "scale", 0, "metric depth: metres per model unit (overrides the model's own scale)")
	metric.Flags.Float64Var(&o.cameraHeight, "camera-height", 0, "metric depth: camera height above the ground in metres; scale is recovered per frame from the ground plane")
	out.Flags.BoolVar(&o.display, "display", false, "show image | depth and FPS in a window (q or Esc quits)")
	out.Flags.StringVar(&o.serve, "serve", "", "serve the MJPEG view, /stats and /metrics on HOST:PORT (a bare port means 127.0.0.1)")
	out.Flags.IntVar(&o.serveClients, "serve-clients", 4, "with --serve: at most this many stream viewers")
	out.Flags.StringVar(&o.record, "record", "", "record the image | depth view to this .mp4/.avi")
	out.Flags.StringVar(&o.saveDepth, "save-depth", "", "write each frame's depth to DIR as uint16 PNG (KITTI convention: depth×256, 0 = no data)")
	out.Flags.BoolVar(&o.json, "json", false, "print one JSON line of statistics per frame on stdout")
	other.Flags.Int64Var(&o.maxFrames, "max-frames", 0, "stop after N frames (0 = until the source ends or Ctrl-C)")
	other.Flags.BoolVarP(&help, "help", "h", false, "help for edge-depth")
	other.Flags.BoolVar(&o.version, "version", false, "print the version and exit")
	groups := []cli.Group{src, model, metric, out, other}

	fs := pflag.NewFlagSet("edge-depth", pflag.ContinueOnError)
	fs.SortFlags = false
	for _, g := range groups {
		g.Flags.SortFlags = false
		fs.AddFlagSet(g.Flags)
	}
	fs.Usage = func() {
		fmt.Fprintf(usageOut, "Usage:\n  edge-depth (--camera SRC | --video FILE | --images DIR) [--model depth.onnx] [sinks] [flags]\n")
		cli.PrintGroups(usageOut, groups)
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if help {
		fs.Usage()
		return o, pflag.ErrHelp
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (quote a GStreamer pipeline: --camera '… ! appsink')", fs.Arg(0))
	}
	return o, o.check()
}

// check rejects flag combinations that cannot work, before anything opens.
func (o options) check() error {
	n := 0
	for _, s := range []string{o.camera, o.video, o.images} {
		if s != "" {
			n++
		}
	}
	if err := o.checkValues(); err != nil {
		return err
	}
	switch {
	case n > 1:
		return errors.New("give one source: --camera, --video or --images")
	case n == 0 && !o.info && !o.version:
		return errors.New("nothing to do: give --camera, --video or --images (or --info); see --help")
	case o.scale < 0 || o.cameraHeight < 0:
		return errors.New("--scale and --camera-height must be positive")
	case o.scale > 0 && o.cameraHeight > 0:
		return errors.New("give --scale or --camera-height, not both")
	case o.cameraYAML != "" && o.noUndistort && o.cameraHeight == 0:
		return fmt.Errorf("--camera %s (calibration) with --no-undistort is used only with --camera-height", o.cameraYAML)
	case o.noUndistort && o.cameraYAML == "":
		return errors.New("--no-undistort: no calibration to skip (give --camera camera.yaml)")
	case o.calib != "" && !o.int8:
		return errors.New("--calib needs --int8")
	case o.maxFrames < 0:
		return errors.New("--max-frames must be ≥ 0")
	case o.reconnect != "auto" && o.reconnect != "always" && o.reconnect != "never":
		return fmt.Errorf("--reconnect %q: want auto, always or never", o.reconnect)
	case o.reconnectTimeout <= 0:
		return errors.New("--reconnect-timeout must be positive")
	}
	return nil
}

// checkValues rejects flag values that are out of range on their own.
func (o options) checkValues() error {
	switch {
	case o.provider != "auto" && o.provider != "tensorrt" && o.provider != "cuda" && o.provider != "cpu":
		return fmt.Errorf("--provider %q: want auto, tensorrt, cuda or cpu", o.provider)
	case o.threads < 0:
		return fmt.Errorf("--threads %d: want ≥ 0 (0 = one per core)", o.threads)
	case o.serveClients < 1:
		return fmt.Errorf("--serve-clients %d: want ≥ 1", o.serveClients)
	}
	if o.serve != "" {
		return serve.CheckAddr(o.serve)
	}
	return nil
}

func run(ctx context.Context, stdout, stderr io.Writer, o options) error {
	switch {
	case o.version:
		fmt.Fprintln(stdout, "edge-depth", version)
		return nil
	case o.info:
		return printInfo(stdout, o)
	case o.camera != "" || o.video != "" || o.images != "":
		return runDepth(ctx, stdout, stderr, o)
	default:
		return errors.New("nothing to do: give --camera, --video or --images (or --info); see --help")
	}
}

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	capture.QuietOpenCV()
	o, err := parseFlags(os.Args[1:])
	if errors.Is(err, pflag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "edge-depth:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal the run finishes cleanly; a second one kills.
	context.AfterFunc(ctx, stop)
	if err := run(ctx, os.Stdout, os.Stderr, o); err != nil {
		fmt.Fprintln(os.Stderr, "edge-depth:", err)
		os.Exit(1)
	}
}
