package synth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/progress"
)

// writeFrames renders every frame of world and writes image, depth and
// labels under dir (a drive folder), plus poses.txt. Frames are spread
// over workers goroutines; each frame's files depend only on the world,
// so the output is the same for any number of workers.
func writeFrames(ctx context.Context, world *World, workers int, dir string, bar *progress.Bar) error {
	d := kitti.Drive{Date: Date, Name: filepath.Base(dir)}
	root := filepath.Dir(filepath.Dir(dir))
	for _, p := range []string{d.ImagePath(root, 0), d.DepthPath(root, 0), d.LabelPath(root, 0)} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fr := NewFrame(world.Cam.Width, world.Cam.Height)
			var buf bytes.Buffer
			for f := range jobs {
				world.RenderInto(fr, f, 1)
				if err := writeFrame(&buf, root, d, f, fr); err != nil {
					cancel(err)
					return
				}
				bar.Add(1)
			}
		}()
	}
	feed(ctx, jobs, world.Frames)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	poses := make([]kitti.Pose, world.Frames)
	for f := range poses {
		poses[f] = world.Pose(f)
	}
	if err := kitti.WritePoses(d.PosesPath(root), poses); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return syncTree(dir)
}

// syncTree flushes every file and folder under dir to disk. The syncs run
// concurrently: the file system then commits them together.
func syncTree(dir string) error {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	})
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	errs := make([]error, len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	for range syncers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = syncPath(paths[i])
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// syncers is how many files are synced at once.
const syncers = 16

func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("synth: sync %s: %w", p, err)
	}
	return nil
}

// feed hands out frame numbers until done or cancelled.
func feed(ctx context.Context, jobs chan<- int, n int) {
	defer close(jobs)
	for f := range n {
		select {
		case jobs <- f:
		case <-ctx.Done():
			return
		}
	}
}

// writeFrame encodes frame f's three PNGs. The drive folder is temporary
// and renamed only when complete, so files need no rename of their own,
// and syncTree makes them durable in one pass before the rename (a sync
// per file here would make the render workers wait for the disk).
func writeFrame(buf *bytes.Buffer, root string, d kitti.Drive, f int, fr *Frame) error {
	outputs := []struct {
		path   string
		encode func(io.Writer) error
	}{
		{d.ImagePath(root, f), func(w io.Writer) error { return kitti.EncodeRGB(w, fr.RGB, fr.W, fr.H) }},
		{d.DepthPath(root, f), func(w io.Writer) error { return kitti.EncodeDepth(w, fr.Depth, fr.W, fr.H) }},
		{d.LabelPath(root, f), func(w io.Writer) error { return kitti.EncodeLabels(w, fr.Labels, fr.W, fr.H) }},
	}
	for _, out := range outputs {
		buf.Reset()
		if err := out.encode(buf); err != nil {
			return fmt.Errorf("synth: encode %s: %w", out.path, err)
		}
		if err := writeFile(out.path, buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("synth: write %s: %w", path, err)
	}
	return nil
}
