package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/progress"
	"github.com/xdistill/edge-depth/synth"
)

func init() { subcommands = append(subcommands, newSynthCmd) }

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
		Long: `Renders procedural driving sequences with exact ground truth:
RGB frames, z-depth (uint16 PNG, depth·256), Cityscapes trainId labels,
camera poses and Monodepth2-style split files (split by sequence).
Re-running with the same options skips finished sequences.`,
		Example: `  xdistill synth --out data/synthetic --sequences 8 --frames 100
  xdistill synth --style shifted --out data/synthetic-shifted
  xdistill synth --video demo.mp4 --frames 300`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, h, err := parseSize(size)
			if err != nil {
				return err
			}
			st, err := synth.ParseStyle(style)
			if err != nil {
				return err
			}
			o.Width, o.Height, o.Style = w, h, st
			if video != "" {
				return writeVideo(cmd, o, video, videoSeq)
			}
			if err := synth.Generate(cmd.Context(), o, cmd.ErrOrStderr()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d sequences × %d frames to %s\n", o.Sequences, o.Frames, o.Out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Out, "out", "data/synthetic", "output dataset directory")
	f.Uint64Var(&o.Seed, "seed", 1, "world seed")
	f.IntVar(&o.Sequences, "sequences", 8, "number of drives (the last is the test split, the one before validation)")
	f.IntVar(&o.Frames, "frames", 100, "frames per drive (10 Hz, about 1 m apart)")
	f.StringVar(&size, "size", "416x128", "frame size WxH")
	f.StringVar(&style, "style", "default", "world statistics: default or shifted (generalisation test)")
	f.IntVar(&o.Workers, "workers", 0, "render goroutines (0 = all cores)")
	f.BoolVar(&o.Force, "force", false, "replace a dataset made with other options")
	f.StringVar(&video, "video", "", "write one drive as a video (.mp4 or .avi) instead of a dataset")
	f.IntVar(&videoSeq, "video-sequence", 0, "which drive to write with --video")
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

// writeVideo renders one drive straight into a video file.
func writeVideo(cmd *cobra.Command, o synth.Options, path string, seq int) error {
	if err := o.Validate(); err != nil {
		return err
	}
	world := synth.NewWorld(o.Seed*1000+uint64(seq), o.Style, o.Frames, o.Width, o.Height)
	vw, err := capture.NewWriter(path, 10, o.Width, o.Height)
	if err != nil {
		return err
	}
	bar := progress.New(cmd.ErrOrStderr(), "video", o.Frames)
	bgr := make([]byte, 3*o.Width*o.Height)
	for f := range o.Frames {
		if err := cmd.Context().Err(); err != nil {
			vw.Abort()
			return err
		}
		fr := world.Render(f, o.Workers)
		for i := 0; i < len(bgr); i += 3 {
			bgr[i], bgr[i+1], bgr[i+2] = fr.RGB[i+2], fr.RGB[i+1], fr.RGB[i]
		}
		mat, err := gocv.NewMatFromBytes(o.Height, o.Width, gocv.MatTypeCV8UC3, bgr)
		if err != nil {
			vw.Abort()
			return err
		}
		err = vw.Write(mat)
		mat.Close()
		if err != nil {
			vw.Abort()
			return err
		}
		bar.Add(1)
	}
	bar.Finish()
	if err := vw.Close(); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %d frames to %s\n", o.Frames, path)
	return nil
}
