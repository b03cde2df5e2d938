package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"image/jpeg"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/edge/edgetest"
	"github.com/xdistill/edge-depth/edge/stats"
)

// asMain makes the test binary run main() instead of the tests: the tests
// that need a real process (signals, exit codes) start it that way, with
// no separate build.
const asMain = "EDGE_DEPTH_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMain) == "1" {
		os.Args = append([]string{"edge-depth"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startBinary runs edge-depth and returns a reader of its JSON lines.
func startBinary(t *testing.T, args ...string) (*exec.Cmd, *bufio.Scanner, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asMain+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewScanner(stdout), stderr
}

func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatal(err)
	return -1
}

func countFrames(t *testing.T, video string) int {
	t.Helper()
	return len(framesOf(t, capture.Spec{Kind: capture.File, Target: video}, 0))
}

// SIGINT on a live run: exit 0, the statistics are printed and the
// recording is a playable video.
func TestSIGINTFinishesCleanly(t *testing.T) {
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})
	rec := filepath.Join(t.TempDir(), "out.mp4")
	cmd, lines, stderr := startBinary(t, "--camera", "videotestsrc is-live=true ! video/x-raw,width=64,height=32,framerate=30/1 ! videoconvert ! appsink",
		"--model", model, "--record", rec, "--json")
	for n := 0; n < 10 && lines.Scan(); n++ {
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() { // drain, so the process is never blocked writing
	}
	if code := exitCode(t, cmd); code != 0 {
		t.Fatalf("exit code %d after SIGINT\n%s", code, stderr)
	}
	if !strings.Contains(stderr.String(), "p50 ms") {
		t.Errorf("no statistics at exit:\n%s", stderr)
	}
	if n := countFrames(t, rec); n < 10 {
		t.Errorf("recording %s has %d frames after SIGINT, want ≥ 10", rec, n)
	}
}

// A camera that disappears (a GStreamer file source whose file is removed
// while it plays: every reopen fails) makes the program exit 1 with a clear
// message once --reconnect-timeout has passed; the recording so far is
// still finished and playable. (A filesrc pipeline is finite, so it
// ends the run by default; --reconnect always makes it the camera here.)
func TestLostCameraExitsNonZero(t *testing.T) {
	dir := t.TempDir()
	clip := filepath.Join(dir, "clip.avi")
	if err := edgetest.Video(clip, edgetest.World(3, 6, 64, 32), 10); err != nil {
		t.Fatal(err)
	}
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})
	rec := filepath.Join(dir, "out.avi")
	cmd, lines, stderr := startBinary(t, "--camera", "filesrc location="+clip+" ! avidemux ! jpegdec ! videoconvert ! appsink",
		"--model", model, "--record", rec, "--json", "--reconnect-timeout", "500ms", "--reconnect", "always")
	if !lines.Scan() {
		t.Fatalf("no frame\n%s", stderr)
	}
	os.Remove(clip)
	for lines.Scan() {
	}
	if code := exitCode(t, cmd); code != 1 {
		t.Fatalf("exit code %d, want 1\n%s", code, stderr)
	}
	msg := stderr.String()
	if !strings.Contains(msg, "edge-depth: source lost: gstreamer filesrc") || !strings.Contains(msg, "gave no frame for 500ms (--reconnect-timeout)") {
		t.Errorf("stderr lacks a clear message:\n%s", msg)
	}
	if countFrames(t, rec) == 0 {
		t.Errorf("recording %s not playable after the camera was lost", rec)
	}
}

// The MJPEG server of a live run: a client gets a valid multipart stream
// of side-by-side JPEGs, /stats and /metrics; a second run on the same
// port fails with a clear error; cancelling ends the run cleanly.
func TestServeEndToEnd(t *testing.T) {
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})
	src := "videotestsrc is-live=true ! video/x-raw,width=64,height=32,framerate=30/1 ! videoconvert ! appsink"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o, err := parseFlags([]string{"--camera", src, "--model", model, "--serve", "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, &syncBuffer{}, stderr, o) }()
	url := ""
	re := regexp.MustCompile(`serving (http://[0-9.:]+)/`)
	for i := 0; i < 500 && url == ""; i++ {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if url == "" {
		t.Fatalf("no serving line:\n%s", stderr)
	}
	resp, err := http.Get(url + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(resp.Body, params["boundary"])
	for i := range 3 {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(part)
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if b := img.Bounds(); b.Dx() != 128 || b.Dy() != 32 {
			t.Errorf("part %d is %v, want the 128x32 image | depth view", i, b)
		}
	}
	resp.Body.Close()
	resp, err = http.Get(url + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	var snap stats.Snapshot
	if err := json.NewDecoder(resp.Body).Decode(&snap); err != nil || snap.Frames < 3 || snap.Provider != "cpu" {
		t.Errorf("/stats: %+v, %v", snap, err)
	}
	resp.Body.Close()
	resp, err = http.Get(url + "/metrics")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/metrics: %v", err)
	}
	resp.Body.Close()

	addr := strings.TrimPrefix(url, "http://")
	_, _, err = runCLI(t, context.Background(), "--camera", src, "--model", model, "--serve", addr)
	if err == nil || !strings.Contains(err.Error(), "serve on "+addr+": address already in use") {
		t.Errorf("second server on %s: %v", addr, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after cancel: %v", err)
	}
}
