package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/edge/edgetest"
	"github.com/xdistill/edge-depth/internal/data/kitti"
)

// TestFullDiskIsAnError: with --record and --save-depth on a disk that
// fills up mid-run, edge-depth fails naming the cause, leaves no
// recording that would not play, and every depth PNG it left is whole.
func TestFullDiskIsAnError(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	disk := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", disk).CombinedOutput(); err != nil {
		t.Skipf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", disk).Run() })
	video := filepath.Join(t.TempDir(), "v.avi")
	if err := edgetest.Video(video, edgetest.World(2, 80, 128, 64), 10); err != nil {
		t.Fatal(err)
	}
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 128, Height: 64})
	for _, sink := range [][]string{{"--record", filepath.Join(disk, "rec.mp4")}, {"--save-depth", filepath.Join(disk, "depth")}} {
		args := append([]string{"--video", video, "--model", model}, sink...)
		_, stderr, err := runCLI(t, context.Background(), args...)
		if err == nil || !(strings.Contains(err.Error(), "no space left") || strings.Contains(err.Error(), "disk full")) {
			t.Errorf("%s on a full disk: got %v, want the cause\n%s", sink[0], err, stderr)
		}
		if _, err := os.Stat(filepath.Join(disk, "rec.mp4")); err == nil {
			t.Error("an unfinished recording appeared under its name")
		}
		pngs, _ := filepath.Glob(filepath.Join(disk, "depth", "*.png"))
		for _, p := range pngs {
			if _, _, _, err := kitti.ReadDepth(p); err != nil {
				t.Errorf("a depth PNG is not whole: %v", err)
			}
		}
		left, _ := filepath.Glob(filepath.Join(disk, ".*"))
		inDepth, _ := filepath.Glob(filepath.Join(disk, "depth", ".*"))
		if left = append(left, inDepth...); len(left) > 0 {
			t.Errorf("temporary files left: %v", left)
		}
		t.Logf("%s: %d PNGs; %v", sink[0], len(pngs), err)
	}
}
