package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/internal/progress"
)

func newSynthCmd() *cobra.Command {
	var (
		o        synth.Options
		size     string
		style    string
		video    string
		videoSeq int
	)
	cmd := &cobra.Command{
		Use:   "synth",
		Short: "Generate the synthetic driving world (KITTI layout with depth, labels, poses, splits)",
		Long: `Renders procedural driving sequences with exact ground truth, in the KITTI raw
layout the training loader reads: RGB frames, z-depth (uint16 PNG, metres×256),
Cityscapes trainId labels, camera poses, calib_cam_to_cam.txt and
Monodepth2-style split files (split by drive: the last drive is test, the one
before it validation). Output is deterministic for a seed, whatever --workers.
Re-running with the same options skips finished drives; other options are
refused unless --force. With --video, one drive is written as a video instead.
See docs/FORMATS.md.`,
		Example: `  xdistill synth --out data/synthetic --sequences 8 --frames 100
  xdistill synth --style shifted --out data/synthetic-shifted
  xdistill synth --video drive3.mp4 --video-sequence 3 --frames 300 --size 832x256`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.Width, o.Height, err = parseSize(size); err != nil {
				return err
			}
			if o.Style, err = synth.ParseStyle(style); err != nil {
				return err
			}
			if video != "" {
				return writeVideo(cmd.Context(), o, video, videoSeq, cmd.ErrOrStderr(), cmd.OutOrStdout())
			}
			if err := synth.Generate(cmd.Context(), o, cmd.ErrOrStderr()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "synth: %d drives × %d frames (%dx%d, %s) in %s\n", o.Sequences, o.Frames, o.Width, o.Height, o.Style, o.Out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Out, "out", "data/synthetic", "output dataset directory")
	f.Uint64Var(&o.Seed, "seed", 1, "world seed")
	f.IntVar(&o.Sequences, "sequences", 8, "number of drives (≥ 2; the last is the test split, the one before validation)")
	f.IntVar(&o.Frames, "frames", 100, "frames per drive (10 Hz, about 1 m apart)")
	f.StringVar(&size, "size", "416x128", "frame size WxH")
	f.StringVar(&style, "style", "default", "world statistics: default or shifted (for a generalisation test)")
	f.IntVar(&o.Workers, "workers", 0, "render goroutines (0 = all cores)")
	f.BoolVar(&o.Force, "force", false, "replace a dataset made with other options")
	f.StringVar(&video, "video", "", "write one drive as a video (.mp4 or .avi) instead of a dataset")
	f.IntVar(&videoSeq, "video-sequence", 1, "with --video: which drive (its folder number, 1..--sequences)")
	return cmd
}

func parseSize(s string) (int, int, error) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w <= 0 || h <= 0 {
		return 0, 0, fmt.Errorf("size %q: want WxH, e.g. 416x128", s)
	}
	return w, h, nil
}

// writeVideo renders drive number seq (1-based, as in the dataset's
// folder names) straight into a video file at 10 frames/s.
func writeVideo(ctx context.Context, o synth.Options, path string, seq int, logOut, out io.Writer) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if seq < 1 || seq > o.Sequences {
		return fmt.Errorf("--video-sequence %d: want 1..%d (--sequences)", seq, o.Sequences)
	}
	world := synth.NewWorld(synth.SequenceSeed(o.Seed, seq-1), o.Style, o.Frames, o.Width, o.Height)
	vw, err := capture.NewWriter(path, 10, o.Width, o.Height)
	if err != nil {
		return fmt.Errorf("video %s: %w", path, err)
	}
	if err := renderVideo(ctx, world, o.Workers, vw, progress.New(logOut, "video", o.Frames)); err != nil {
		vw.Abort()
		return err
	}
	if err := vw.Close(); err != nil {
		return fmt.Errorf("video %s: %w", path, err)
	}
	fmt.Fprintf(out, "synth: wrote drive %d (%d frames) to %s\n", seq, o.Frames, path)
	return nil
}

func renderVideo(ctx context.Context, world *synth.World, workers int, vw *capture.Writer, bar *progress.Bar) error {
	defer bar.Finish()
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	fr := synth.NewFrame(world.Cam.Width, world.Cam.Height)
	bgr := make([]byte, 3*fr.W*fr.H)
	for f := range world.Frames {
		if err := ctx.Err(); err != nil {
			return err
		}
		world.RenderInto(fr, f, workers)
		for i := 0; i < len(bgr); i += 3 {
			bgr[i], bgr[i+1], bgr[i+2] = fr.RGB[i+2], fr.RGB[i+1], fr.RGB[i]
		}
		mat, err := gocv.NewMatFromBytes(fr.H, fr.W, gocv.MatTypeCV8UC3, bgr)
		if err != nil {
			return fmt.Errorf("video frame %d: %w", f, err)
		}
		err = vw.Write(mat)
		mat.Close()
		if err != nil {
			return fmt.Errorf("video frame %d: %w", f, err)
		}
		bar.Add(1)
	}
	return nil
}
