package main

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
)

func TestSynthCommandWritesADataset(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ds")
	msg, err := runCLI(t, "synth", "--out", out, "--sequences", "2", "--frames", "3", "--size", "64x32", "--seed", "3")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "2 drives × 3 frames (64x32, default)") {
		t.Errorf("summary %q", msg)
	}
	test, err := kitti.ReadSplit(kitti.SplitPath(out, synth.SplitTest))
	if err != nil || len(test) != 3 || test[0].Drive != synth.Drive(1) {
		t.Errorf("test split %v, %v: want the 3 frames of the second drive", test, err)
	}
	if _, err := kitti.ReadDepthSized(synth.Drive(0).DepthPath(out, 2), 64, 32); err != nil {
		t.Error(err)
	}
}

func TestSynthCommandRejectsBadFlags(t *testing.T) {
	dir := t.TempDir()
	cases := map[string][]string{
		`size "416"`:            {"--size", "416"},
		`size "0x128"`:          {"--size", "0x128"},
		`style "noir"`:          {"--style", "noir"},
		"frames -1":             {"--frames", "-1"},
		"--video-sequence 3":    {"--video", filepath.Join(dir, "v.mp4"), "--sequences", "2", "--video-sequence", "3"},
		"unsupported extension": {"--video", filepath.Join(dir, "v.gif"), "--frames", "3"},
		"unknown flag: --frame": {"--frame=3"},
	}
	for want, args := range cases {
		_, err := runCLI(t, append([]string{"synth", "--out", filepath.Join(dir, "ds")}, args...)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: got %v, want an error with %q", args, err, want)
		}
	}
}

// --video writes the chosen drive: every frame, at the asked size, and
// (mp4v being lossy) close to that drive's renders, far from another's.
func TestSynthVideoWritesTheChosenDrive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "drive.mp4")
	const frames, w, h = 12, 128, 64
	if _, err := runCLI(t, "synth", "--video", path, "--sequences", "3", "--video-sequence", "2", "--frames", "12", "--size", "128x64", "--seed", "5"); err != nil {
		t.Fatal(err)
	}
	vc, err := gocv.VideoCaptureFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer vc.Close()
	mat := gocv.NewMat()
	defer mat.Close()
	chosen := synth.NewWorld(synth.SequenceSeed(5, 1), synth.StyleDefault, frames, w, h)
	other := synth.NewWorld(synth.SequenceSeed(5, 2), synth.StyleDefault, frames, w, h)
	n := 0
	for vc.Read(&mat) && !mat.Empty() {
		if mat.Cols() != w || mat.Rows() != h {
			t.Fatalf("frame %d is %dx%d, want %dx%d", n, mat.Cols(), mat.Rows(), w, h)
		}
		if n == frames/2 {
			same, diff := meanAbsBGR(mat, chosen.Render(n, 2).RGB), meanAbsBGR(mat, other.Render(n, 2).RGB)
			t.Logf("frame %d: mean |Δ| %.1f to drive 2, %.1f to drive 3", n, same, diff)
			if same > 8 || diff < 2*same {
				t.Errorf("frame %d: mean |Δ| %.1f to the chosen drive, %.1f to another: wrong drive or garbled", n, same, diff)
			}
		}
		n++
	}
	if n != frames {
		t.Errorf("video holds %d frames, want %d", n, frames)
	}
}

// meanAbsBGR compares a decoded BGR frame with interleaved RGB (0..255).
func meanAbsBGR(m gocv.Mat, rgb []uint8) float64 {
	bgr := m.ToBytes()
	sum := 0.0
	for i := 0; i < len(rgb); i += 3 {
		for c := range 3 {
			sum += math.Abs(float64(bgr[i+2-c]) - float64(rgb[i+c]))
		}
	}
	return sum / float64(len(rgb))
}
