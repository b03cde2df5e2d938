package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/edge/depthnet"
	"github.com/xdistill/edge-depth/edge/edgetest"
	"github.com/xdistill/edge-depth/edge/pipeline"
	"github.com/xdistill/edge-depth/edge/sink"
	"github.com/xdistill/edge-depth/edge/stats"
	"github.com/xdistill/edge-depth/edge/undistort"
	"github.com/xdistill/edge-depth/internal/data/camera"
	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/ort"
)

func init() { capture.QuietOpenCV() }

func model(t testing.TB, spec edgetest.Spec) (*depthnet.Model, string) {
	t.Helper()
	if _, err := ort.Ensure("", ""); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "depth.onnx")
	if err := edgetest.Write(p, spec); err != nil {
		t.Fatal(err)
	}
	m, err := depthnet.Open(p, ort.Options{Provider: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, p
}

// collect keeps a copy of every frame's depth.
type collect struct {
	depth   [][]float32
	seq     []int64
	onFrame func(n int)
}

func (c *collect) Write(f *pipeline.Frame) error {
	c.depth = append(c.depth, append([]float32(nil), f.Depth...))
	c.seq = append(c.seq, f.Seq)
	if c.onFrame != nil {
		c.onFrame(len(c.depth))
	}
	return nil
}
func (c *collect) Close() error { return nil }

func opener(spec capture.Spec) pipeline.Opener {
	return func() (pipeline.Source, error) { return capture.Open(spec) }
}

// checkNoLeak fails when goroutines started during the test outlive it.
func checkNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		for range 100 { // goroutines that were told to stop may take a moment
			if runtime.NumGoroutine() <= before {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		buf := make([]byte, 1<<16)
		t.Errorf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
	})
}

// decoded reads every frame of a video as BGR bytes.
func decoded(t *testing.T, path string) [][]byte {
	src, err := capture.Open(capture.Spec{Kind: capture.File, Target: path})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	m := gocv.NewMat()
	defer m.Close()
	var out [][]byte
	for src.Read(&m) {
		out = append(out, m.ToBytes())
	}
	return out
}

// A file gives every frame, in order, and each depth map equals what a
// plain ONNX Runtime session computes on the same decoded frame; for both
// input layouts.
func TestVideoEveryFrameEqualsDirectRun(t *testing.T) {
	checkNoLeak(t)
	const w, h, n = 128, 64, 12
	video := filepath.Join(t.TempDir(), "drive.avi")
	if err := edgetest.Video(video, edgetest.World(5, n, w, h), 10); err != nil {
		t.Fatal(err)
	}
	frames := decoded(t, video)
	if len(frames) != n {
		t.Fatalf("video holds %d frames, want %d", len(frames), n)
	}
	for _, layout := range []string{modelmeta.LayoutNCHWFloat, modelmeta.LayoutNHWCUint8} {
		m, path := model(t, edgetest.Spec{Kind: edgetest.Tiny, Width: w, Height: h, Layout: layout, Seed: 1})
		c := &collect{}
		res, err := pipeline.Run(context.Background(), pipeline.Config{Name: video, Open: opener(capture.Spec{Kind: capture.File, Target: video}),
			Model: m, Sinks: []pipeline.Sink{c}, View: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Frames != n || res.Read != n || len(c.depth) != n {
			t.Fatalf("%s: frames in %d, read %d, out %d / %d", layout, n, res.Read, res.Frames, len(c.depth))
		}
		direct, err := edgetest.NewDirect(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, fr := range frames {
			want, err := direct.Depth(fr)
			if err != nil {
				t.Fatal(err)
			}
			if c.seq[i] != int64(i) {
				t.Fatalf("%s: frame %d has seq %d", layout, i, c.seq[i])
			}
			for j := range want {
				if c.depth[i][j] != want[j] {
					t.Fatalf("%s frame %d pixel %d: pipeline %g, direct run %g", layout, i, j, c.depth[i][j], want[j])
				}
			}
		}
		direct.Close()
	}
}

// A frame of another size is resized to the network's; the source may be
// any size.
func TestFramesAreResizedToTheNetwork(t *testing.T) {
	m, _ := model(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})
	c := &collect{}
	spec, _ := capture.ParseSpec("videotestsrc num-buffers=3 ! video/x-raw,width=100,height=75 ! videoconvert ! appsink")
	res, err := pipeline.Run(context.Background(), pipeline.Config{Open: opener(spec), Model: m, Sinks: []pipeline.Sink{c}, MaxFrames: 3})
	if err != nil || res.Frames != 3 || len(c.depth[0]) != 64*32 {
		t.Fatalf("%v, %+v", err, res)
	}
}

// A live source that ends is reopened (a GStreamer pipeline of 8 frames
// ends 3+ times to give 30), and the run finishes cleanly.
func TestLiveSourceThatEndsIsReopened(t *testing.T) {
	checkNoLeak(t)
	m, _ := model(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})
	spec, _ := capture.ParseSpec("videotestsrc num-buffers=8 ! video/x-raw,width=64,height=32 ! videoconvert ! appsink")
	rec := stats.New("cpu")
	c := &collect{}
	res, err := pipeline.Run(context.Background(), pipeline.Config{Name: "test", Open: opener(spec), Live: true, Model: m,
		Sinks: []pipeline.Sink{c}, MaxFrames: 30, Stats: rec, ReconnectTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s := rec.Snapshot()
	if res.Frames != 30 || len(c.depth) != 30 || s.Reconnects < 3 {
		t.Errorf("frames %d (sink saw %d), reconnects %d; want 30 frames after ≥ 3 reconnects", res.Frames, len(c.depth), s.Reconnects)
	}
}

// A live source that fails and cannot be reopened ends the run with a
// clear error once the reconnect timeout has passed; nothing is left
// running.
func TestLiveSourceLostFailsAfterTimeout(t *testing.T) {
	checkNoLeak(t)
	m, _ := model(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})
	spec, _ := capture.ParseSpec("videotestsrc num-buffers=5 ! video/x-raw,width=64,height=32 ! videoconvert ! appsink")
	var opens atomic.Int32
	open := func() (pipeline.Source, error) {
		if opens.Add(1) > 1 {
			return nil, errors.New("open camera: device unplugged")
		}
		return capture.Open(spec)
	}
	rec := stats.New("cpu")
	c := &collect{}
	res, err := pipeline.Run(context.Background(), pipeline.Config{Name: "camera 9", Open: open, Live: true, Model: m,
		Sinks: []pipeline.Sink{c}, Stats: rec, ReconnectTimeout: 400 * time.Millisecond})
	if !errors.Is(err, pipeline.ErrSourceLost) || !strings.Contains(err.Error(), "camera 9") || !strings.Contains(err.Error(), "device unplugged") {
		t.Fatalf("got %v; want ErrSourceLost naming the source and the last reopen error", err)
	}
	t.Log(err)
	if opens.Load() < 3 || res.Frames != int64(len(c.depth)) || res.Frames == 0 {
		t.Errorf("opens %d, frames %d, sink saw %d", opens.Load(), res.Frames, len(c.depth))
	}
}

// Cancelling (SIGINT) stops a live run cleanly: the frames in flight
// finish, sinks are closed, no error.
func TestCancelStopsCleanly(t *testing.T) {
	checkNoLeak(t)
	m, _ := model(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})
	spec, _ := capture.ParseSpec("videotestsrc is-live=true ! video/x-raw,width=64,height=32,framerate=100/1 ! videoconvert ! appsink")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec, err := sink.NewRecord(filepath.Join(t.TempDir(), "out.avi"), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &collect{onFrame: func(n int) {
		if n == 10 {
			cancel()
		}
	}}
	res, err := pipeline.Run(ctx, pipeline.Config{Open: opener(spec), Live: true, Model: m, View: true, Sinks: []pipeline.Sink{c, rec}})
	if err != nil || res.Frames < 10 {
		t.Fatalf("%v, %+v", err, res)
	}
	if got := len(decoded(t, rec.Path)); got == 0 {
		t.Errorf("recording %s unreadable after a cancelled run", rec.Path)
	}
}

// A sink error ends the run with that error and the frame it happened on.
func TestSinkErrorEndsTheRun(t *testing.T) {
	checkNoLeak(t)
	m, _ := model(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})
	spec, _ := capture.ParseSpec("videotestsrc ! video/x-raw,width=64,height=32 ! videoconvert ! appsink")
	_, err := pipeline.Run(context.Background(), pipeline.Config{Open: opener(spec), Live: true, Model: m,
		Sinks: []pipeline.Sink{failing{}}})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("got %v", err)
	}
}

type failing struct{}

func (failing) Write(*pipeline.Frame) error { return errors.New("disk full") }
func (failing) Close() error                { return nil }

// mallocs counts heap allocations between two frames of the steady state.
type mallocs struct {
	from, to int
	a, b     uint64
}

func (m *mallocs) Write(f *pipeline.Frame) error {
	var ms runtime.MemStats
	switch int(f.Index) {
	case m.from:
		runtime.ReadMemStats(&ms)
		m.a = ms.Mallocs
	case m.to:
		runtime.ReadMemStats(&ms)
		m.b = ms.Mallocs
	}
	return nil
}
func (m *mallocs) Close() error { return nil }

// After warm-up, frames flow with no heap allocation: capture, resize (or
// undistortion), inference, depth, view, stats, JSON lines and the
// recording all reuse their buffers.
func TestSteadyStateAllocatesNothing(t *testing.T) {
	const w, h, n = 128, 64, 140
	video := filepath.Join(t.TempDir(), "drive.avi")
	world := edgetest.World(2, n, w, h)
	if err := edgetest.Video(video, world, 10); err != nil {
		t.Fatal(err)
	}
	m, _ := model(t, edgetest.Spec{Kind: edgetest.Tiny, Width: w, Height: h})
	for _, undistorted := range []bool{false, true} {
		rec, err := sink.NewRecord(filepath.Join(t.TempDir(), "out.avi"), false, nil)
		if err != nil {
			t.Fatal(err)
		}
		count := &mallocs{from: 30, to: 130}
		cfg := pipeline.Config{Open: opener(capture.Spec{Kind: capture.File, Target: video}),
			Model: m, View: true, Sinks: []pipeline.Sink{rec, sink.NewJSON(io.Discard), count}}
		if undistorted {
			cfg.Undistort = lensFor(t, w, h)
		}
		if _, err := pipeline.Run(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		per := float64(count.b-count.a) / float64(count.to-count.from)
		t.Logf("undistorted %v: %.2f heap allocations per frame in the steady state", undistorted, per)
		if per >= 1 {
			t.Errorf("undistorted %v: %.2f heap allocations per frame; want none", undistorted, per)
		}
	}
}

// lensFor is an undistorter into w×h for a barrel-distorted camera
// calibrated at twice the frames' size.
func lensFor(t *testing.T, w, h int) *undistort.Undistorter {
	lens := camera.File{Width: 2 * w, Height: 2 * h, Fx: 1.1 * float64(w), Fy: 1.1 * float64(w), Cx: float64(w), Cy: float64(h),
		Distortion: []float64{-0.25, 0.07, 0.001, 0.0005, 0}}
	u, err := undistort.New(lens, "camera.yaml", image.Pt(w, h))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close() })
	return u
}

// keepBGR keeps a copy of every frame as the network saw it.
type keepBGR struct{ bgr [][]byte }

func (k *keepBGR) Write(f *pipeline.Frame) error {
	k.bgr = append(k.bgr, append([]byte(nil), f.BGR...))
	return nil
}
func (k *keepBGR) Close() error { return nil }

// With Undistort the network sees the undistorted frame: every frame the
// pipeline hands on equals undistorting the decoded frame directly, and
// its depth equals a direct ONNX Runtime run on that undistorted frame.
func TestUndistortFeedsTheNetwork(t *testing.T) {
	const w, h, n = 128, 64, 6
	video := filepath.Join(t.TempDir(), "drive.avi")
	if err := edgetest.Video(video, edgetest.World(3, n, w, h), 10); err != nil {
		t.Fatal(err)
	}
	m, path := model(t, edgetest.Spec{Kind: edgetest.Tiny, Width: w, Height: h, Seed: 2})
	c, k := &collect{}, &keepBGR{}
	_, err := pipeline.Run(context.Background(), pipeline.Config{Open: opener(capture.Spec{Kind: capture.File, Target: video}),
		Model: m, Undistort: lensFor(t, w, h), Sinks: []pipeline.Sink{c, k}})
	if err != nil || len(k.bgr) != n {
		t.Fatalf("%v, %d frames", err, len(k.bgr))
	}
	direct, err := edgetest.NewDirect(path)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	u, dst := lensFor(t, w, h), gocv.NewMat()
	defer dst.Close()
	for i, fr := range decoded(t, video) {
		src, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC3, fr)
		if err != nil {
			t.Fatal(err)
		}
		want, err := u.Apply(src, &dst)
		src.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(k.bgr[i], want) || bytes.Equal(want, fr) {
			t.Fatalf("frame %d: the network's input is not the undistorted frame (or undistortion changed nothing)", i)
		}
		depth, err := direct.Depth(want)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(depth, c.depth[i]) {
			t.Fatalf("frame %d: depth differs from a direct run on the undistorted frame", i)
		}
	}
}

// Pace plays a file at its frame rate: 11 frames at 50/s take at least the
// 10 frame periods between them (a lower bound, which sleeping guarantees).
func TestPaceFollowsTheFileRate(t *testing.T) {
	video := filepath.Join(t.TempDir(), "drive.avi")
	if err := edgetest.Video(video, edgetest.World(4, 11, 64, 32), 50); err != nil {
		t.Fatal(err)
	}
	m, _ := model(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})
	start := time.Now()
	res, err := pipeline.Run(context.Background(), pipeline.Config{Open: opener(capture.Spec{Kind: capture.File, Target: video}), Model: m, Pace: true})
	if err != nil || res.Frames != 11 {
		t.Fatalf("%v, %+v", err, res)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("11 frames at 50/s took %s, want ≥ 200ms", d)
	}
}
