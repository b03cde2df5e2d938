package teacher

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/kitti"
)

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// datasetTeacher is a 19-class model at half the world's size, with
// logits at a quarter (stride 2), so every stage of Label runs.
func datasetTeacher(t *testing.T, o Options) *ONNX {
	path := convNet{in: nchw(3, 16, 32), classes: 19, kernel: 3, stride: 2}.save(t, "seg.onnx")
	return open(t, path, o)
}

func TestLabelDatasetWritesResumesAndRedoesBrokenFiles(t *testing.T) {
	root := world(t, 64, 32, 5)
	split := kitti.SplitPath(root, "test") // all 5 frames of the last drive
	entries, err := kitti.ReadSplit(split)
	if err != nil {
		t.Fatal(err)
	}
	m := datasetTeacher(t, Options{})
	out := CacheDir(root, "/models/seg.onnx")
	if want := filepath.Join(root, "teacher", "seg"); out != want {
		t.Fatalf("CacheDir %s, want %s", out, want)
	}
	var bar bytes.Buffer
	st, err := LabelDataset(context.Background(), m, root, split, out, &bar)
	if err != nil {
		t.Fatal(err)
	}
	if st.Frames != 5 || st.Labelled != 5 || st.Skipped != 0 || st.FramesPerSecond() <= 0 {
		t.Fatalf("first run %+v; want 5 labelled", st)
	}
	if !strings.Contains(bar.String(), "5/5") {
		t.Errorf("progress output %q lacks 5/5", bar.String())
	}
	classes := map[uint8]bool{}
	for _, e := range entries {
		got := readLabels(t, e.Drive.LabelPath(out, e.Frame), 64, 32)
		rgb, w, h, err := kitti.ReadRGB(e.Drive.ImagePath(root, e.Frame))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := m.Label(rgb, w, h)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: the cached labels differ from Label's", e.Drive.LabelPath(out, e.Frame))
		}
		for _, l := range got {
			classes[l] = true
		}
	}
	if len(classes) < 3 {
		t.Errorf("labels use %d classes; the test model should give a varied map", len(classes))
	}

	st, err = LabelDataset(context.Background(), m, root, split, out, nil)
	if err != nil || st.Labelled != 0 || st.Skipped != 5 {
		t.Fatalf("second run %+v, %v; want all 5 skipped", st, err)
	}

	// A cut-short file and one of the wrong size are redone; a missing one too.
	cut := entries[1].Drive.LabelPath(out, entries[1].Frame)
	data, _ := os.ReadFile(cut)
	if err := os.WriteFile(cut, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	small := entries[3].Drive.LabelPath(out, entries[3].Frame)
	if err := kitti.WriteLabels(small, make([]uint8, 8*4), 8, 4); err != nil {
		t.Fatal(err)
	}
	os.Remove(entries[4].Drive.LabelPath(out, entries[4].Frame))
	st, err = LabelDataset(context.Background(), m, root, split, out, nil)
	if err != nil || st.Labelled != 3 || st.Skipped != 2 {
		t.Fatalf("third run %+v, %v; want 3 redone, 2 skipped", st, err)
	}
	for _, e := range entries {
		readLabels(t, e.Drive.LabelPath(out, e.Frame), 64, 32)
	}
}

func readLabels(t *testing.T, path string, w, h int) []uint8 {
	t.Helper()
	l, err := kitti.ReadLabelsSized(path, w, h)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLabelDatasetRefusesACacheOfAnotherTeacher(t *testing.T) {
	root := world(t, 64, 32, 3)
	split := kitti.SplitPath(root, "test")
	out := filepath.Join(t.TempDir(), "cache")
	if _, err := LabelDataset(context.Background(), datasetTeacher(t, Options{}), root, split, out, nil); err != nil {
		t.Fatal(err)
	}
	other := datasetTeacher(t, Options{Mean: []float32{0.5, 0.5, 0.5}})
	_, err := LabelDataset(context.Background(), other, root, split, out, nil)
	if err == nil || !strings.Contains(err.Error(), "written by another teacher or settings") || !strings.Contains(err.Error(), "mean=0.5,0.5,0.5") {
		t.Fatalf("got %v; want a refusal showing both identities", err)
	}
}

// cancelAfter cancels its context once it has labelled n frames, as a
// Ctrl-C in the middle of a run would.
type cancelAfter struct {
	*ONNX
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Label(rgb []uint8, w, h int) ([]uint8, error) {
	l, err := c.ONNX.Label(rgb, w, h)
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return l, err
}

func TestLabelDatasetStopsOnCancelAndResumes(t *testing.T) {
	root := world(t, 64, 32, 5)
	split := kitti.SplitPath(root, "test")
	out := filepath.Join(t.TempDir(), "cache")
	m := datasetTeacher(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := LabelDataset(ctx, &cancelAfter{ONNX: m, n: 2, cancel: cancel}, root, split, out, nil)
	if !errors.Is(err, context.Canceled) || st.Labelled != 2 {
		t.Fatalf("cancelled run %+v, %v; want 2 labelled and context.Canceled", st, err)
	}
	st, err = LabelDataset(context.Background(), m, root, split, out, nil)
	if err != nil || st.Labelled != 3 || st.Skipped != 2 {
		t.Fatalf("resumed run %+v, %v; want 3 labelled, 2 skipped", st, err)
	}
}

func TestLabelDatasetNamesAMissingImage(t *testing.T) {
	root := world(t, 64, 32, 3)
	split := filepath.Join(t.TempDir(), "split.txt")
	writeFile(t, split, "2024_01_01/2024_01_01_drive_0009_sync 4 l\n")
	_, err := LabelDataset(context.Background(), datasetTeacher(t, Options{}), root, split, t.TempDir(), nil)
	if err == nil || !strings.Contains(err.Error(), "0000000004.png") {
		t.Fatalf("got %v; want an error naming the missing frame", err)
	}
}
