package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/xdistill/edge-depth/fsutil"
	"github.com/xdistill/edge-depth/kitti"
	"github.com/xdistill/edge-depth/progress"
)

// Date is the date folder of every synthetic drive.
const Date = "2025_01_01"

// ManifestFile records the options a dataset was generated with.
const ManifestFile = "synth.json"

// Options describe a dataset.
type Options struct {
	Out       string `json:"-"`
	Seed      uint64 `json:"seed"`
	Sequences int    `json:"sequences"`
	Frames    int    `json:"frames"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Style     Style  `json:"style"`
	Workers   int    `json:"-"`
	Force     bool   `json:"-"`
}

// Validate checks the options before anything is written.
func (o Options) Validate() error {
	var errs []error
	if o.Out == "" {
		errs = append(errs, errors.New("output directory: empty"))
	}
	if o.Width < 16 || o.Height < 16 || o.Width > 8192 || o.Height > 8192 {
		errs = append(errs, fmt.Errorf("size %dx%d: want 16..8192 in each dimension", o.Width, o.Height))
	}
	if o.Sequences < 1 {
		errs = append(errs, fmt.Errorf("sequences %d: want ≥ 1", o.Sequences))
	}
	if o.Frames < 3 {
		errs = append(errs, fmt.Errorf("frames %d: want ≥ 3 (training uses neighbours ±1)", o.Frames))
	}
	if _, err := ParseStyle(string(o.Style)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// SplitOf assigns sequences to splits: the last is test, the one before
// validation (with ≥ 3 sequences), the rest training. Test drives are never
// seen in training.
func SplitOf(seq, total int) string {
	switch {
	case seq == total-1:
		return "test"
	case total >= 3 && seq == total-2:
		return "val"
	}
	return "train"
}

// Generate writes the dataset described by o. Each sequence is rendered
// into a temporary folder and renamed into place when complete; a re-run
// with the same options skips complete sequences (an interrupted run
// resumes), and different options are refused unless o.Force.
func Generate(ctx context.Context, o Options, log io.Writer) error {
	if err := o.Validate(); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	if err := prepareOut(o); err != nil {
		return err
	}
	in := kittiCam.Scale(o.Width, o.Height)
	if o.Style == StyleShifted {
		in = NewWorld(o.Seed, o.Style, 3, o.Width, o.Height).Cam
	}
	if err := os.MkdirAll(filepath.Join(o.Out, Date), 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	if err := kitti.WriteCalib(kitti.CalibPath(o.Out, Date), in); err != nil {
		return err
	}
	bar := progress.New(log, "synth", o.Sequences*o.Frames)
	for s := range o.Sequences {
		if err := sequence(ctx, o, s, bar); err != nil {
			return err
		}
	}
	bar.Finish()
	return writeSplits(o)
}

// prepareOut checks an existing dataset's manifest and writes ours.
func prepareOut(o Options) error {
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return fmt.Errorf("synth: output directory %s: %w", o.Out, err)
	}
	want, _ := json.MarshalIndent(o, "", "  ")
	path := filepath.Join(o.Out, ManifestFile)
	if have, err := os.ReadFile(path); err == nil && string(have) != string(want) {
		if !o.Force {
			return fmt.Errorf("synth: %s holds a dataset made with other options (%s); use another --out or --force", o.Out, path)
		}
		if err := os.RemoveAll(filepath.Join(o.Out, Date)); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
	}
	return fsutil.WriteFileAtomic(path, want, 0o644)
}

// sequence renders and writes one drive, unless it is already complete.
func sequence(ctx context.Context, o Options, s int, bar *progress.Bar) error {
	drive := kitti.NewDrive(Date, s+1)
	final := drive.Dir(o.Out)
	if _, err := os.Stat(drive.PosesPath(o.Out)); err == nil {
		bar.Add(o.Frames)
		return nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(final), "."+drive.Name+".tmp-")
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	defer os.RemoveAll(tmp) // no-op after the rename
	root := filepath.Dir(filepath.Dir(tmp))
	tmpDrive := kitti.Drive{Date: Date, Name: filepath.Base(tmp)}
	for _, d := range []string{filepath.Dir(tmpDrive.ImagePath(root, 0)), filepath.Dir(tmpDrive.DepthPath(root, 0)), filepath.Dir(tmpDrive.LabelPath(root, 0))} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
	}
	world := NewWorld(o.Seed*1000+uint64(s), o.Style, o.Frames, o.Width, o.Height)
	poses, err := writeFrames(ctx, world, o, root, tmpDrive, bar)
	if err != nil {
		return err
	}
	if err := kitti.WritePoses(tmpDrive.PosesPath(root), poses); err != nil {
		return err
	}
	os.RemoveAll(final) // an incomplete leftover without poses.txt
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// writeFrames renders frames in parallel (one frame per worker) and writes
// image, depth and labels for each.
func writeFrames(ctx context.Context, world *World, o Options, root string, d kitti.Drive, bar *progress.Bar) ([]kitti.Pose, error) {
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	poses := make([]kitti.Pose, o.Frames)
	jobs := make(chan int)
	errc := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				fr := world.Render(f, 1)
				poses[f] = fr.Pose
				if err := writeFrame(root, d, f, fr); err != nil {
					errc <- err
					return
				}
				bar.Add(1)
			}
		}()
	}
	var err error
feed:
	for f := range o.Frames {
		select {
		case jobs <- f:
		case err = <-errc:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errc:
		default:
		}
	}
	return poses, err
}

func writeFrame(root string, d kitti.Drive, f int, fr *Frame) error {
	if err := kitti.WriteRGB(d.ImagePath(root, f), fr.RGB, fr.W, fr.H); err != nil {
		return err
	}
	if err := kitti.WriteDepth(d.DepthPath(root, f), fr.Depth, fr.W, fr.H); err != nil {
		return err
	}
	return kitti.WriteLabels(d.LabelPath(root, f), fr.Labels, fr.W, fr.H)
}

// writeSplits lists frames by split. Train/val leave out each drive's
// first and last frame (no neighbour on one side); test keeps every frame.
func writeSplits(o Options) error {
	if err := os.MkdirAll(filepath.Join(o.Out, "splits"), 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	sets := map[string][]kitti.Entry{}
	for s := range o.Sequences {
		split := SplitOf(s, o.Sequences)
		lo, hi := 1, o.Frames-1
		if split == "test" {
			lo, hi = 0, o.Frames
		}
		for f := lo; f < hi; f++ {
			sets[split] = append(sets[split], kitti.Entry{Drive: kitti.NewDrive(Date, s+1), Frame: f})
		}
	}
	for _, name := range []string{"train", "val", "test"} {
		if err := kitti.WriteSplit(kitti.SplitPath(o.Out, name), sets[name]); err != nil {
			return err
		}
	}
	return nil
}
