package capture

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"
)

// A live GStreamer source (the stand-in for a camera here): 30 frames in,
// written to mp4, read back: same count, same size, similar pixels.
func TestLiveGStreamerToMP4AndBack(t *testing.T) {
	const n, w, h = 30, 160, 120
	spec, err := ParseSpec("videotestsrc num-buffers=30 pattern=ball ! video/x-raw,width=160,height=120,framerate=30/1 ! videoconvert ! video/x-raw,format=BGR ! appsink")
	if err != nil {
		t.Fatal(err)
	}
	src, err := Open(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	out := filepath.Join(t.TempDir(), "clip.mp4")
	vw, err := NewWriter(out, 30, w, h)
	if err != nil {
		t.Fatal(err)
	}
	frame := gocv.NewMat()
	defer frame.Close()
	var firstMean float64
	got := 0
	for src.Read(&frame) {
		if frame.Cols() != w || frame.Rows() != h {
			t.Fatalf("frame %d is %dx%d, want %dx%d", got, frame.Cols(), frame.Rows(), w, h)
		}
		if got == 0 {
			firstMean = frame.Mean().Val1
		}
		if err := vw.Write(frame); err != nil {
			t.Fatal(err)
		}
		got++
	}
	if got != n {
		t.Fatalf("captured %d frames, want %d", got, n)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("%s exists before Close; it should appear only when complete", out)
	}
	if err := vw.Close(); err != nil {
		t.Fatal(err)
	}

	back, err := Open(Spec{Kind: File, Target: out})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	read := 0
	for back.Read(&frame) {
		if read == 0 {
			// mp4v is lossy; the mean of the first frame must survive roughly.
			if d := frame.Mean().Val1 - firstMean; d > 8 || d < -8 {
				t.Errorf("first frame mean changed by %.1f after mp4 round trip", d)
			}
		}
		read++
	}
	if read != n {
		t.Errorf("read back %d frames from %s, want %d", read, out, n)
	}
}

func TestParseSpec(t *testing.T) {
	cases := []struct {
		in   string
		kind Kind
		bad  bool
	}{
		{"0", Camera, false},
		{"/dev/video1", Camera, false},
		{"nvarguscamerasrc ! nvvidconv ! videoconvert ! appsink", Pipeline, false},
		{"clip.mp4", File, false},
		{"videotestsrc ! videoconvert", 0, true}, // no appsink
		{"-1", 0, true},
		{"", 0, true},
	}
	for _, c := range cases {
		s, err := ParseSpec(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("%q: want an error", c.in)
			}
			continue
		}
		if err != nil || s.Kind != c.kind {
			t.Errorf("%q: got %v, %v; want kind %v", c.in, s, err, c.kind)
		}
	}
}

func TestOpenErrorsNameTheSource(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.mp4")
	if _, err := Open(Spec{Kind: File, Target: missing}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: got %v", err)
	}
	if _, err := NewWriter(filepath.Join(t.TempDir(), "x.mkv"), 10, 8, 8); err == nil {
		t.Error("unsupported extension: want an error")
	}
}
