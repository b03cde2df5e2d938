package kitti

import (
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDepthRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "d.png")
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	depth := []float32{0, 1.5, 80.25, inf, 300, -1, nan, 0.001, 254.99}
	if err := WriteDepth(p, depth, 3, 3); err != nil {
		t.Fatal(err)
	}
	got, w, h, err := ReadDepth(p)
	// No data (0, ∞, negative, NaN) → 0; 300 m clamps at 65535/256; 1 mm
	// rounds to 0 (below the 1/256 m step); others are exact multiples.
	want := []float32{0, 1.5, 80.25, 0, 65535.0 / 256, 0, 0, 0, float32(math.Round(254.99*256)) / 256}
	if err != nil || w != 3 || h != 3 || !slices.Equal(got, want) {
		t.Errorf("depth round trip %v %dx%d %v, want %v", got, w, h, err, want)
	}
	if _, err := ReadDepthSized(p, 4, 3); err == nil || !strings.Contains(err.Error(), "3x3, want 4x3") || !strings.Contains(err.Error(), p) {
		t.Errorf("wrong size: %v", err)
	}
	if err := WriteDepth(p, depth, 2, 2); err == nil {
		t.Error("9 values for 2x2: want an error")
	}
}

func TestLabelsRoundTripAndRejectLabelIds(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "l.png")
	labels := []uint8{Road, Sidewalk, Sky, Ignore, Car, Bicycle}
	if err := WriteLabels(p, labels, 3, 2); err != nil {
		t.Fatal(err)
	}
	if got, w, h, err := ReadLabels(p); err != nil || w != 3 || h != 2 || !slices.Equal(got, labels) {
		t.Errorf("labels round trip %v %dx%d %v", got, w, h, err)
	}
	if err := WriteLabels(p, []uint8{0, 26}, 2, 1); err == nil || !strings.Contains(err.Error(), "26") {
		t.Errorf("writing a labelId: %v", err)
	}
	// A Cityscapes labelIds image (26 = car there) written by another tool.
	ids := image.NewGray(image.Rect(0, 0, 2, 1))
	ids.Pix[1] = 26
	f, _ := os.Create(p)
	png.Encode(f, ids)
	f.Close()
	if _, _, _, err := ReadLabels(p); err == nil || !strings.Contains(err.Error(), "trainId") || !strings.Contains(err.Error(), p) {
		t.Errorf("reading labelIds: %v", err)
	}
	if ClassName(Car) != "car" || ClassName(Ignore) != "ignore" || ClassNames[Sky] != "sky" || len(ClassNames) != 19 {
		t.Error("class names out of trainId order")
	}
}

func TestRGBRoundTripAndFloat(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.png")
	rgb := []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255}
	if err := WriteRGB(p, rgb, 2, 2); err != nil {
		t.Fatal(err)
	}
	if got, w, h, err := ReadRGB(p); err != nil || w != 2 || h != 2 || !slices.Equal(got, rgb) {
		t.Errorf("rgb round trip %v %v", got, err)
	}
	f, _, _, err := ReadRGBFloat(p)
	// Planar: all reds, then greens, then blues.
	if err != nil || f[0] != 1.0/255 || f[1] != 4.0/255 || f[4] != 2.0/255 || f[11] != 1 {
		t.Errorf("float planar %v %v", f, err)
	}
	// A grey PNG reads as RGB with equal channels.
	g := image.NewGray(image.Rect(0, 0, 1, 1))
	g.Pix[0] = 77
	fh, _ := os.Create(p)
	png.Encode(fh, g)
	fh.Close()
	if got, _, _, err := ReadRGB(p); err != nil || !slices.Equal(got, []uint8{77, 77, 77}) {
		t.Errorf("grey as RGB: %v %v", got, err)
	}
}

func TestPNGErrorsNameTheFileAndFormat(t *testing.T) {
	dir := t.TempDir()
	lp, dp, rp := filepath.Join(dir, "l.png"), filepath.Join(dir, "d.png"), filepath.Join(dir, "c.png")
	WriteLabels(lp, []uint8{1, 2}, 2, 1)
	WriteDepth(dp, []float32{1, 2}, 2, 1)
	WriteRGB(rp, []uint8{1, 2, 3, 4, 5, 6}, 2, 1)
	check := func(what string, err error, parts ...string) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: want an error", what)
			return
		}
		for _, s := range parts {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: %q lacks %q", what, err, s)
			}
		}
	}
	_, _, _, err := ReadDepth(lp)
	check("8-bit as depth", err, lp, "8-bit grey", "want 16-bit")
	_, _, _, err = ReadDepth(rp)
	check("colour as depth", err, rp, "colour")
	_, _, _, err = ReadLabels(dp)
	check("16-bit as labels", err, dp, "16-bit grey")
	for _, p := range []string{dp, lp, rp} {
		data, _ := os.ReadFile(p)
		os.WriteFile(p, data[:len(data)-20], 0o644)
	}
	_, _, _, err = ReadDepth(dp)
	check("truncated depth", err, dp, "not a readable PNG")
	_, _, _, err = ReadLabels(lp)
	check("truncated labels", err, lp)
	_, _, _, err = ReadRGB(rp)
	check("truncated image", err, rp)
	os.WriteFile(rp, []byte("GIF89a not a png"), 0o644)
	_, _, _, err = ReadRGB(rp)
	check("not a PNG", err, rp)
	_, _, _, err = ReadRGB(filepath.Join(dir, "none.png"))
	check("missing", err, "none.png")
}
