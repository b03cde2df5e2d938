package capture

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"
)

// noise is a frame that compresses badly, so a few fill a small disk.
func noise(w, h int) gocv.Mat {
	m := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	gocv.RandU(&m, gocv.NewScalar(0, 0, 0, 0), gocv.NewScalar(255, 255, 255, 0))
	return m
}

func record(t *testing.T, path string, frames int) error {
	t.Helper()
	w, err := NewWriter(path, 10, 320, 96)
	if err != nil {
		t.Fatal(err)
	}
	m := noise(320, 96)
	defer m.Close()
	for range frames {
		if err := w.Write(m); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}

// TestCheckPlayableRefusesAFileCutShort: what a full disk leaves (the
// first 64 KB, no index) does not pass, nor a file with fewer frames
// than were written.
func TestCheckPlayableRefusesAFileCutShort(t *testing.T) {
	QuietOpenCV()
	for _, ext := range []string{".mp4", ".avi"} {
		dir := t.TempDir()
		whole := filepath.Join(dir, "whole"+ext)
		if err := record(t, whole, 30); err != nil {
			t.Fatal(err)
		}
		if err := checkPlayable(whole, 30); err != nil {
			t.Errorf("%s: a whole recording: %v", ext, err)
		}
		if err := checkPlayable(whole, 31); err == nil || !strings.Contains(err.Error(), "holds 30 of the 31 frames") {
			t.Errorf("%s: one frame more written than held: %v", ext, err)
		}
		data, err := os.ReadFile(whole)
		if err != nil || len(data) < 64<<10 {
			t.Fatalf("%s: %d bytes, %v", ext, len(data), err)
		}
		cut := filepath.Join(dir, "cut"+ext)
		if err := os.WriteFile(cut, data[:64<<10], 0o644); err != nil {
			t.Fatal(err)
		}
		if err := checkPlayable(cut, 30); err == nil {
			t.Errorf("%s: a file cut at 64 KB passed as playable", ext)
		}
	}
}

// smallDisk mounts a tmpfs of size bytes (root only; skipped otherwise).
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// TestWriterOnAFullDiskFailsAndLeavesNothing: OpenCV's writer does not
// report ENOSPC; Close must, and leave neither the video nor its
// temporary file.
func TestWriterOnAFullDiskFailsAndLeavesNothing(t *testing.T) {
	QuietOpenCV()
	disk := smallDisk(t, "256k")
	for _, ext := range []string{".mp4", ".avi"} {
		path := filepath.Join(disk, "rec"+ext)
		err := record(t, path, 300) // ~900 KB of noise
		if err == nil || !strings.Contains(err.Error(), "video "+path+": not finished, nothing written") {
			t.Errorf("%s: want a not-finished error, got %v", ext, err)
		}
		if entries, _ := os.ReadDir(disk); len(entries) != 0 {
			t.Errorf("%s: left %v on the disk", ext, entries)
		}
	}
}
