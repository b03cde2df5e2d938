package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/edge/edgetest"
)

// TestACorruptImageLosesNoGoodFrame: 50 images, the 47th corrupt. Without
// --skip-bad every one of the 46 before it is processed and saved, then
// the run fails naming the file; with it, the other 49 are processed and
// the summary counts the skipped one.
func TestACorruptImageLosesNoGoodFrame(t *testing.T) {
	dir := t.TempDir()
	if err := edgetest.Images(dir, edgetest.World(5, 50, 64, 32), nil); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "000046.png")
	if err := os.WriteFile(bad, []byte("\x89PNG\r\n\x1a\nbroken"), 0o644); err != nil {
		t.Fatal(err)
	}
	model := writeModel(t, edgetest.Spec{Kind: edgetest.Tiny, Width: 64, Height: 32})

	out := t.TempDir()
	_, stderr, err := runCLI(t, context.Background(), "--images", dir, "--model", model, "--save-depth", out)
	if err == nil || !strings.Contains(err.Error(), "image "+bad+": OpenCV cannot decode it") {
		t.Errorf("want the bad file named, got %v", err)
	}
	if pngs, _ := filepath.Glob(filepath.Join(out, "*.png")); len(pngs) != 46 || !strings.Contains(stderr, "46 frames processed of 46 read") {
		t.Errorf("%d depth PNGs for the 46 good images before the bad one; stderr:\n%s", len(pngs), stderr)
	}

	out = t.TempDir()
	_, stderr, err = runCLI(t, context.Background(), "--images", dir, "--model", model, "--save-depth", out, "--skip-bad")
	if err != nil {
		t.Fatal(err)
	}
	if pngs, _ := filepath.Glob(filepath.Join(out, "*.png")); len(pngs) != 49 || !strings.Contains(stderr, "skipped 1,") {
		t.Errorf("--skip-bad: %d depth PNGs, want 49, and 1 skipped in the summary:\n%s", len(pngs), stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "000047.png")); err != nil {
		t.Errorf("the image after the bad one: %v", err)
	}
}
