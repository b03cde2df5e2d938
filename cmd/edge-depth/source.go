package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/edge/capture"
)

// runSource reads the source until it ends, Ctrl-C or --max-frames, and
// records it when asked. The recording is finalised on every exit path.
func runSource(ctx context.Context, w io.Writer, o options) error {
	arg := o.camera
	if o.video != "" {
		arg = o.video
	}
	spec, err := capture.ParseSpec(arg)
	if err != nil {
		return err
	}
	if o.video != "" {
		spec = capture.Spec{Kind: capture.File, Target: o.video}
	}
	src, err := capture.Open(spec)
	if err != nil {
		return err
	}
	defer src.Close()
	slog.Info("source open", "kind", spec.Kind, "source", arg, "fps", src.FPS())

	frame := gocv.NewMat()
	defer frame.Close()
	var rec *capture.Writer
	n := 0
	for ctx.Err() == nil && (o.maxFrames == 0 || n < o.maxFrames) && src.Read(&frame) {
		if o.record != "" && rec == nil {
			fps := src.FPS()
			if fps <= 0 {
				fps = 10
			}
			if rec, err = capture.NewWriter(o.record, fps, frame.Cols(), frame.Rows()); err != nil {
				return err
			}
		}
		if rec != nil {
			if err := rec.Write(frame); err != nil {
				rec.Abort()
				return err
			}
		}
		n++
	}
	if rec != nil {
		if err := rec.Close(); err != nil {
			return err
		}
		slog.Info("recorded", "file", o.record, "frames", rec.Frames())
	}
	fmt.Fprintf(w, "frames: %d\n", n)
	return nil
}
