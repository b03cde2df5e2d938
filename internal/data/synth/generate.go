package synth

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/fsutil"
	"github.com/xdistill/edge-depth/internal/progress"
)

// Date is the date folder of every synthetic drive.
const Date = "2025_01_01"

// Drive is the folder of drive seq (0-based; folders count from 1).
func Drive(seq int) kitti.Drive { return kitti.NewDrive(Date, seq+1) }

// Generate writes the dataset o describes, drawing a progress bar on
// progressOut. Each drive is rendered into a temporary folder and renamed
// into place when complete, so an interrupted run never leaves a
// half-written drive; running again with the same options skips complete
// drives. A dataset made with other options is refused unless o.Force.
func Generate(ctx context.Context, o Options, progressOut io.Writer) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	lock, err := fsutil.LockDir(o.Out, "synth: dataset")
	if err != nil {
		return err
	}
	defer lock.Unlock()
	if err := prepareOut(o); err != nil {
		return err
	}
	dateDir := filepath.Join(o.Out, Date)
	if err := os.MkdirAll(dateDir, 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	removeLeftovers(dateDir)
	if err := kitti.WriteCalib(kitti.CalibPath(o.Out, Date), Intrinsics(o.Style, o.Width, o.Height)); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	bar := progress.New(progressOut, "synth", o.Sequences*o.Frames)
	defer bar.Finish()
	for s := range o.Sequences {
		bar.SetStatus(fmt.Sprintf("drive %d/%d", s+1, o.Sequences))
		if err := writeSequence(ctx, o, s, bar); err != nil {
			return err
		}
	}
	return writeSplits(o)
}

// removeLeftovers deletes temporary drive folders of interrupted runs.
func removeLeftovers(dateDir string) {
	entries, _ := os.ReadDir(dateDir)
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp-") {
			slog.Debug("synth: removing an interrupted drive", "dir", e.Name())
			os.RemoveAll(filepath.Join(dateDir, e.Name()))
		}
	}
}

// complete reports whether drive s is already fully written.
func complete(o Options, s int) bool {
	poses, err := kitti.ReadPoses(Drive(s).PosesPath(o.Out))
	return err == nil && len(poses) == o.Frames
}

// writeSequence renders drive s into a temporary folder and renames it
// into place, unless it is already complete.
func writeSequence(ctx context.Context, o Options, s int, bar *progress.Bar) error {
	d := Drive(s)
	final := d.Dir(o.Out)
	if complete(o, s) {
		slog.Debug("synth: drive complete, skipping", "drive", d.Name)
		bar.Add(o.Frames)
		return nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(final), "."+d.Name+".tmp-")
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	world := NewWorld(SequenceSeed(o.Seed, s), o.Style, o.Frames, o.Width, o.Height)
	if err := writeFrames(ctx, world, o.Workers, tmp, bar); err != nil {
		return err
	}
	if err := os.RemoveAll(final); err != nil { // an incomplete drive from elsewhere
		return fmt.Errorf("synth: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	syncDir(filepath.Dir(final))
	return nil
}

// syncDir makes a rename durable where the file system allows it.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		_ = f.Sync()
		f.Close()
	}
}

// writeSplits lists frames by drive's split. Train and val leave out each
// drive's first and last frame (no neighbour on one side); test keeps all.
func writeSplits(o Options) error {
	if err := os.MkdirAll(filepath.Join(o.Out, "splits"), 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	sets := map[string][]kitti.Entry{}
	for s := range o.Sequences {
		split := SplitOf(s, o.Sequences)
		lo, hi := 1, o.Frames-1
		if split == SplitTest {
			lo, hi = 0, o.Frames
		}
		for f := lo; f < hi; f++ {
			sets[split] = append(sets[split], kitti.Entry{Drive: Drive(s), Frame: f})
		}
	}
	for _, name := range []string{SplitTrain, SplitVal, SplitTest} {
		if err := kitti.WriteSplit(kitti.SplitPath(o.Out, name), sets[name]); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
	}
	return nil
}
