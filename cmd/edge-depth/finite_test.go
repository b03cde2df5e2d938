package main

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/edge/edgetest"
)

// TestAFinitePipelineEnds: the README's example (a GStreamer pipeline
// with num-buffers) ends after its last frame with exit 0 and a playable
// recording, instead of being reopened forever; --reconnect always
// reopens it.
func TestAFinitePipelineEnds(t *testing.T) {
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})
	pipe := "videotestsrc num-buffers=60 ! video/x-raw,width=128,height=64 ! videoconvert ! appsink"
	rec := filepath.Join(t.TempDir(), "test.mp4")
	// A guard against hanging forever, not a timing assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, stderr, err := runCLI(t, ctx, "--model", model, "--camera", pipe, "--record", rec)
	if err != nil || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("err %v, guard %v\n%s", err, ctx.Err(), stderr)
	}
	// A live source drops a stale frame when the machine is busy (by
	// design), so every frame read is either processed or dropped.
	var processed, read, dropped int
	m := regexp.MustCompile(`(\d+) frames processed of (\d+) read`).FindStringSubmatch(stderr)
	d := regexp.MustCompile(`dropped (\d+)`).FindStringSubmatch(stderr)
	if m != nil && d != nil {
		processed, _ = strconv.Atoi(m[1])
		read, _ = strconv.Atoi(m[2])
		dropped, _ = strconv.Atoi(d[1])
	}
	if read != 60 || processed+dropped != 60 || processed == 0 || !strings.Contains(stderr, "reconnects 0") {
		t.Errorf("want the end of stream to end the run after its 60 frames (%d processed, %d dropped of %d read) without reconnecting:\n%s",
			processed, dropped, read, stderr)
	}
	vc, err := capture.Open(capture.Spec{Kind: capture.File, Target: rec})
	if err != nil {
		t.Fatalf("the recording: %v", err)
	}
	vc.Close()

	_, stderr, err = runCLI(t, context.Background(), "--model", model, "--max-frames", "12", "--reconnect", "always",
		"--camera", "videotestsrc num-buffers=5 ! video/x-raw,width=128,height=64 ! videoconvert ! appsink")
	if err != nil || strings.Contains(stderr, "reconnects 0") {
		t.Errorf("--reconnect always: want the pipeline reopened: %v\n%s", err, stderr)
	}
	if _, err := parseFlags([]string{"--camera", "0", "--reconnect", "sometimes"}); err == nil {
		t.Error("--reconnect sometimes: want an error")
	}
}
