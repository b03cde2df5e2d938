package teacher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/fsutil"
	"github.com/xdistill/edge-depth/internal/progress"
)

// Labeler segments an interleaved RGB frame (w×h×3) into Cityscapes
// trainIds at w×h. *ONNX is one.
type Labeler interface {
	Label(rgb []uint8, w, h int) ([]uint8, error)
}

// identifier is a Labeler that can name what its labels depend on, so a
// cache written by another model or with other settings is refused
// instead of silently mixed.
type identifier interface{ Identity() string }

// ManifestFile, in a label cache, records which teacher wrote it.
const ManifestFile = "teacher.json"

type manifest struct {
	Teacher string `json:"teacher"`
}

// CacheDir is where `xdistill teacher label` writes a model's labels by
// default, and where training reads them when distill.teacher is a path
// to an .onnx: DATA/teacher/<model file name without .onnx>.
func CacheDir(dataRoot, modelPath string) string {
	return filepath.Join(dataRoot, "teacher", strings.TrimSuffix(filepath.Base(modelPath), ".onnx"))
}

// Stats count what LabelDataset did.
type Stats struct {
	Frames   int           // distinct target frames in the split
	Labelled int           // frames labelled in this run
	Skipped  int           // frames whose label file was already complete
	Duration time.Duration // wall time of the whole run
	Labeling time.Duration // time spent on frames that were labelled
}

// FramesPerSecond is the labelling speed: labelled frames per second spent
// labelling them (reading, running the teacher, writing).
func (s Stats) FramesPerSecond() float64 {
	if s.Labeling <= 0 {
		return 0
	}
	return float64(s.Labelled) / s.Labeling.Seconds()
}

// LabelDataset labels every target frame of a Monodepth2-style split file
// under root and writes the label PNGs under outRoot in the same layout
// (kitti.Drive.LabelPath), atomically. It is resumable: a frame whose
// label file exists and decodes at the frame's size is skipped, a
// truncated or corrupt one is redone. Cancelling ctx stops between frames
// and returns ctx's error with the counts so far.
func LabelDataset(ctx context.Context, t Labeler, root, splitFile, outRoot string, progressOut io.Writer) (Stats, error) {
	start := time.Now()
	var st Stats
	entries, err := kitti.ReadSplit(splitFile)
	if err != nil {
		return st, err
	}
	entries = distinct(entries)
	st.Frames = len(entries)
	if len(entries) == 0 {
		return st, fmt.Errorf("split %s: no frames", splitFile)
	}
	lock, err := fsutil.LockDir(outRoot, "label cache")
	if err != nil {
		return st, err
	}
	defer lock.Unlock()
	if err := claimCache(t, outRoot); err != nil {
		return st, err
	}
	if progressOut == nil {
		progressOut = io.Discard
	}
	bar := progress.New(progressOut, "teacher labels", len(entries))
	defer bar.Finish()
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			st.Duration = time.Since(start)
			return st, err
		}
		t0 := time.Now()
		done, err := labelFrame(t, root, outRoot, e)
		if err != nil {
			st.Duration = time.Since(start)
			return st, err
		}
		if done {
			st.Labelled++
			st.Labeling += time.Since(t0)
		} else {
			st.Skipped++
		}
		bar.Add(1)
	}
	st.Duration = time.Since(start)
	return st, nil
}

// distinct drops repeated frames (a split may list one twice), keeping order.
func distinct(entries []kitti.Entry) []kitti.Entry {
	seen := map[kitti.Entry]bool{}
	out := entries[:0:0]
	for _, e := range entries {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// claimCache records the teacher's identity in outRoot, or checks that
// the cache there was written by the same teacher and settings.
func claimCache(t Labeler, outRoot string) error {
	id, ok := t.(identifier)
	if !ok {
		return os.MkdirAll(outRoot, 0o755)
	}
	want := manifest{Teacher: id.Identity()}
	path := filepath.Join(outRoot, ManifestFile)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(outRoot, 0o755); err != nil {
			return fmt.Errorf("label cache: %w", err)
		}
		data, _ := json.MarshalIndent(want, "", "  ")
		return fsutil.WriteFileAtomic(path, append(data, '\n'), 0o644)
	case err != nil:
		return fmt.Errorf("label cache: %w", err)
	}
	var got manifest
	if err := json.Unmarshal(data, &got); err != nil {
		return fmt.Errorf("label cache %s: %w", path, err)
	}
	if got != want {
		return fmt.Errorf("label cache %s was written by another teacher or settings:\n  cache: %s\n  now:   %s\ndelete %s or write elsewhere (--out)",
			outRoot, got.Teacher, want.Teacher, outRoot)
	}
	return nil
}

// labelFrame labels one frame unless its label file is already complete;
// it reports whether it labelled.
func labelFrame(t Labeler, root, outRoot string, e kitti.Entry) (bool, error) {
	img := e.Drive.ImagePath(root, e.Frame)
	out := e.Drive.LabelPath(outRoot, e.Frame)
	if complete(img, out) {
		return false, nil
	}
	rgb, w, h, err := kitti.ReadRGB(img)
	if err != nil {
		return false, err
	}
	labels, err := t.Label(rgb, w, h)
	if err != nil {
		return false, fmt.Errorf("label %s: %w", img, err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return false, err
	}
	if err := kitti.WriteLabels(out, labels, w, h); err != nil {
		return false, err
	}
	return true, nil
}

// complete reports whether out is a label PNG that decodes at img's size.
// Writes are atomic, so an incomplete file comes from elsewhere (a copy
// cut short, a full disk under another tool); it is redone.
func complete(img, out string) bool {
	if _, err := os.Stat(out); err != nil {
		return false
	}
	w, h, err := pngSize(img)
	if err != nil {
		return false // reading the image for labelling reports the problem
	}
	_, err = kitti.ReadLabelsSized(out, w, h)
	return err == nil
}

func pngSize(path string) (int, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	return cfg.Width, cfg.Height, err
}
