package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/xdistill/edge-depth/edge/edgetest"
)

// TestEveryInputRefusesTheWrongKindOfFile: a text file or a folder of
// junk where a model, video, image folder, calibration cache or
// camera.yaml belongs is an error, never a panic.
func TestEveryInputRefusesTheWrongKindOfFile(t *testing.T) {
	dir := t.TempDir()
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})
	video := filepath.Join(dir, "v.avi")
	if err := edgetest.Video(video, edgetest.World(1, 3, 64, 32), 10); err != nil {
		t.Fatal(err)
	}
	text, junk := filepath.Join(dir, "notes.txt"), filepath.Join(dir, "junk")
	if err := os.WriteFile(text, []byte("neither model nor video\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(junk, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"0001.png", "0002.jpg"} {
		if err := os.WriteFile(filepath.Join(junk, name), []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	yaml := filepath.Join(dir, "cam.yaml")
	if err := os.WriteFile(yaml, []byte("fx: [1, 2]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--video", video, "--model", text},
		{"--video", video, "--model", junk},
		{"--video", text, "--model", model},
		{"--images", junk, "--model", model},
		{"--images", text, "--model", model},
		{"--video", video, "--model", model, "--int8", "--calib", text, "--provider", "tensorrt"},
		{"--video", video, "--model", model, "--camera", yaml, "--camera-height", "1.5"},
		{"--video", video, "--model", model, "--camera", text + ".yaml"},
		{"--info", "--model", text},
	} {
		if err := runNoPanic(t, args...); err == nil {
			t.Errorf("%q: want an error", args)
		} else {
			t.Logf("%q: %v", args, err)
		}
	}
}

func runNoPanic(t *testing.T, args ...string) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%q panicked: %v\n%s", args, r, debug.Stack())
			err = fmt.Errorf("panic")
		}
	}()
	_, _, err = runCLI(t, context.Background(), args...)
	return err
}
