// Command edge-depth is the Jetson runtime: camera frames in, depth out,
// through ONNX Runtime. It never links libtorch (see internal/depcheck).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/xdistill/edge-depth/edge/capture"
)

var version = "dev"

type options struct {
	camera    string
	video     string
	model     string
	ortLib    string
	provider  string
	info      bool
	record    string
	maxFrames int
	version   bool
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("edge-depth", flag.ContinueOnError)
	fs.StringVar(&o.camera, "camera", "", "live source: V4L2 index (0), device (/dev/video1) or GStreamer pipeline ending in appsink")
	fs.StringVar(&o.video, "video", "", "video file source (every frame is processed)")
	fs.StringVar(&o.model, "model", "", "exported depth model (.onnx)")
	fs.StringVar(&o.ortLib, "ort-lib", "", "path to libonnxruntime.so (else $ONNXRUNTIME_LIB, else third_party/onnxruntime)")
	fs.StringVar(&o.provider, "provider", "auto", "execution provider: auto|tensorrt|cuda|cpu")
	fs.BoolVar(&o.info, "info", false, "print the model's inputs, outputs, metadata and the provider used, then exit")
	fs.StringVar(&o.record, "record", "", "record the source to this .mp4/.avi")
	fs.IntVar(&o.maxFrames, "max-frames", 0, "stop after N frames (0 = until the source ends or Ctrl-C)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: edge-depth [--camera SRC | --video FILE] [--model depth.onnx] [flags]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.camera != "" && o.video != "" {
		return o, errors.New("give one of --camera and --video, not both")
	}
	return o, nil
}

func run(ctx context.Context, w io.Writer, o options) error {
	switch {
	case o.version:
		fmt.Fprintln(w, "edge-depth", version)
		return nil
	case o.info:
		return printInfo(w, o)
	case o.camera != "" || o.video != "":
		return runSource(ctx, w, o)
	default:
		return errors.New("nothing to do: give --camera or --video (or --model with --info); see --help")
	}
}

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	capture.QuietOpenCV()
	o, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "edge-depth:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "edge-depth:", err)
		os.Exit(1)
	}
}
