package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/xdistill/edge-depth/calibration"
	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/edge/depthnet"
	"github.com/xdistill/edge-depth/edge/pipeline"
	"github.com/xdistill/edge-depth/edge/scale"
	"github.com/xdistill/edge-depth/edge/serve"
	"github.com/xdistill/edge-depth/edge/sink"
	"github.com/xdistill/edge-depth/edge/stats"
	"github.com/xdistill/edge-depth/edge/undistort"
	"github.com/xdistill/edge-depth/internal/data/camera"
	"github.com/xdistill/edge-depth/internal/ort"
)

func (o options) ortOptions() ort.Options {
	return ort.Options{Provider: o.provider, Strict: o.strict, IntraOpThreads: o.threads, NoSpinning: true,
		FP16: o.fp16, INT8: o.int8, CalibrationCache: o.calib, EngineCacheDir: o.engineCache}
}

// sourceSpec is the parsed source flag.
func (o options) sourceSpec() (capture.Spec, string, error) {
	switch {
	case o.video != "":
		return capture.Spec{Kind: capture.File, Target: o.video}, o.video, nil
	case o.images != "":
		return capture.Spec{Kind: capture.Images, Target: o.images}, o.images, nil
	}
	spec, err := capture.ParseSpec(o.camera)
	if err == nil && spec.Kind == capture.File {
		err = fmt.Errorf("--camera %q is neither a camera index, a /dev/video device nor a GStreamer pipeline; use --video for files", o.camera)
	}
	return spec, o.camera, err
}

// runDepth is the runtime: open the model, the sinks and the source, run
// the pipeline, print the statistics.
func runDepth(ctx context.Context, stdout, stderr io.Writer, o options) error {
	spec, name, err := o.sourceSpec()
	if err != nil {
		return err
	}
	if _, err := os.Stat(o.model); err != nil && o.model == DefaultModel {
		return fmt.Errorf("no model at %s: run `make train && make export`, or give --model FILE", DefaultModel)
	}
	if err := o.checkCalib(stderr); err != nil {
		return err
	}
	if _, err := ort.Ensure(o.ortLib, ""); err != nil {
		return err
	}
	model, err := depthnet.Open(o.model, o.ortOptions())
	if err != nil {
		return err
	}
	defer model.Close()
	fmt.Fprintln(stderr, "edge-depth:", model.Report())

	lens, err := o.lens()
	if err != nil {
		return err
	}
	rec := stats.New(model.Provider())
	cfg := pipeline.Config{Name: fmt.Sprintf("%s %s", spec.Kind, name), Live: spec.Kind.Live(), Model: model,
		MaxFrames: o.maxFrames, Pace: o.realtime, SkipBad: o.skipBad, EndAtEnd: o.endAtEnd(spec), ReconnectTimeout: o.reconnectTimeout, Stats: rec, Log: slog.New(slog.NewTextHandler(stderr, nil)),
		Open: func() (pipeline.Source, error) { return capture.Open(spec) }}
	if cfg.Undistort, err = o.undistorter(lens, model, stderr); err != nil {
		return err
	}
	if cfg.Undistort != nil {
		defer cfg.Undistort.Close()
	}
	if err := o.depthMode(&cfg, lens, model, stderr); err != nil {
		return err
	}
	if cfg.Sinks, cfg.View, err = o.sinks(stdout, stderr, rec, cfg.Live); err != nil {
		return err
	}
	start := time.Now()
	res, err := pipeline.Run(ctx, cfg)
	snap := rec.Snapshot()
	fmt.Fprintf(stderr, "edge-depth: %d frames processed of %d read in %s\n", res.Frames, res.Read, time.Since(start).Round(time.Millisecond))
	snap.Table(stderr)
	if cfg.Ground != nil && snap.Frames > 0 && snap.Unscaled == snap.Frames {
		fmt.Fprintf(stderr, "edge-depth: warning: no frame had a ground plane, so every depth map is relative (metric: false), not metres; check --camera-height, the intrinsics and that the lower image shows the road\n")
	}
	return err
}

// endAtEnd says whether a live source's end ends the run rather than
// being reopened: --reconnect never, or auto with a GStreamer pipeline
// that is finite by construction (a source with num-buffers=, a file).
func (o options) endAtEnd(spec capture.Spec) bool {
	switch o.reconnect {
	case "never":
		return true
	case "always":
		return false
	}
	return spec.Kind == capture.Pipeline && (strings.Contains(spec.Target, "num-buffers=") || strings.Contains(spec.Target, "filesrc"))
}

// checkCalib refuses an INT8 calibration cache that is not for the model,
// and says which layers it leaves out of INT8 (those calibrate kept in
// FP32: TensorRT has no range for them and runs them in FP16/FP32).
func (o options) checkCalib(stderr io.Writer) error {
	if o.calib == "" {
		return nil
	}
	fit, err := calibration.CheckCache(o.model, o.calib)
	if err != nil {
		return err
	}
	if len(fit.NotInt8) > 0 {
		fmt.Fprintf(stderr, "edge-depth: INT8 cache %s has no range for %s: TensorRT runs them in FP16/FP32\n", o.calib, strings.Join(fit.NotInt8, ", "))
	}
	return nil
}

// depthMode chooses the depth units: --scale, else --camera-height
// (ground plane, intrinsics from camera.yaml or the model), else the
// model's own scale, else relative.
func (o options) depthMode(cfg *pipeline.Config, lens *camera.File, model *depthnet.Model, stderr io.Writer) error {
	m := model.Meta
	switch {
	case o.scale > 0:
		cfg.Scale = o.scale
		fmt.Fprintf(stderr, "edge-depth: metric depth, %g m per model unit (--scale)\n", o.scale)
	case o.cameraHeight > 0:
		in, from, err := o.intrinsics(lens, model.Size(), m.HasIntrinsics(), camera.Intrinsics{Fx: m.Fx, Fy: m.Fy, Cx: m.Cx, Cy: m.Cy, Width: m.Width, Height: m.Height})
		if err != nil {
			return err
		}
		if lens != nil && lens.HasDistortion() && cfg.Undistort == nil {
			fmt.Fprintf(stderr, "edge-depth: warning: --no-undistort: the ground plane is fitted in distorted frames with %s's pinhole part; expect a less accurate scale\n", o.cameraYAML)
		}
		cfg.Ground = &scale.Config{Intr: in, Height: o.cameraHeight}
		fmt.Fprintf(stderr, "edge-depth: metric depth, scale from the ground plane (camera %g m high, intrinsics from %s)\n", o.cameraHeight, from)
	case m.Scale > 0:
		cfg.Scale = m.Scale
		fmt.Fprintf(stderr, "edge-depth: metric depth, %g m per model unit (model metadata)\n", m.Scale)
	default:
		fmt.Fprintln(stderr, "edge-depth: relative depth (give --scale or --camera-height for metres)")
	}
	return nil
}

// intrinsics at the network size: camera.yaml's (the camera of the
// undistorted frames; undistort.Camera, also when frames are only resized)
// or the model's training camera.
func (o options) intrinsics(lens *camera.File, size image.Point, modelHas bool, model camera.Intrinsics) (camera.Intrinsics, string, error) {
	if lens != nil {
		return undistort.Camera(*lens, size), o.cameraYAML, nil
	}
	if modelHas {
		return model, "the model", nil
	}
	return camera.Intrinsics{}, "", errors.New("--camera-height needs the camera's intrinsics: the model carries none; give --camera camera.yaml (from `xdistill calibrate`)")
}

// lens reads camera.yaml when one is given (nil otherwise).
func (o options) lens() (*camera.File, error) {
	if o.cameraYAML == "" {
		return nil, nil
	}
	f, err := camera.Read(o.cameraYAML)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// undistorter is the undistortion stage when camera.yaml has a lens
// distortion and --no-undistort is not given (nil otherwise).
func (o options) undistorter(lens *camera.File, model *depthnet.Model, stderr io.Writer) (*undistort.Undistorter, error) {
	if lens != nil && !lens.HasDistortion() && o.cameraHeight == 0 {
		fmt.Fprintf(stderr, "edge-depth: %s has no lens distortion: nothing to undistort (its intrinsics serve --camera-height)\n", o.cameraYAML)
	}
	if lens == nil || !lens.HasDistortion() || o.noUndistort {
		return nil, nil
	}
	u, err := undistort.New(*lens, o.cameraYAML, model.Size())
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "edge-depth: undistorting frames with %s (%dx%d, k1 k2 p1 p2 k3 = %.4g; --no-undistort skips it)\n",
		o.cameraYAML, lens.Width, lens.Height, lens.Coeffs())
	return u, nil
}

// sinks builds the outputs in the order they run: files first, then what
// is for the eyes (which draws the frame rate into the view).
func (o options) sinks(stdout, stderr io.Writer, rec *stats.Recorder, live bool) ([]pipeline.Sink, bool, error) {
	var out []pipeline.Sink
	fail := func(err error) ([]pipeline.Sink, bool, error) {
		for _, s := range out {
			s.Close()
		}
		return nil, false, err
	}
	view := o.display || o.serve != "" || o.record != ""
	if o.display {
		if err := sink.CanDisplay(); err != nil {
			return fail(err)
		}
	}
	if o.record != "" {
		r, err := sink.NewRecord(o.record, live, slog.Default())
		if err != nil {
			return fail(err)
		}
		out = append(out, r)
	}
	if o.saveDepth != "" {
		s, err := sink.NewSaveDepth(o.saveDepth)
		if err != nil {
			return fail(err)
		}
		out = append(out, s)
	}
	if o.json {
		out = append(out, sink.NewJSON(stdout))
	}
	if o.display || o.serve != "" {
		out = append(out, &sink.Overlay{Stats: rec})
	}
	if o.serve != "" {
		srv, err := serve.Listen(serve.Config{Addr: o.serve, MaxClients: o.serveClients, Stats: rec.Snapshot, Log: slog.Default()})
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stderr, "edge-depth: serving %s/ (stream %s/stream, %s/stats, %s/metrics)\n", srv.URL(), srv.URL(), srv.URL(), srv.URL())
		out = append(out, &sink.Stream{Server: srv})
	}
	if o.display {
		out = append(out, &sink.Display{Title: "edge-depth"})
	}
	return out, view, nil
}
