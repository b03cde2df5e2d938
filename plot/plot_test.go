package plot

import (
	"image/color"
	"path/filepath"
	"testing"
)

func TestChartDrawsSeriesInTheirColours(t *testing.T) {
	c := Chart{Title: "loss", XLabel: "step", Series: []Series{
		{Name: "a", X: []float64{0, 1, 2}, Y: []float64{1, 0.5, 0.25}},
		{Name: "b", X: []float64{0, 2}, Y: []float64{0.3, 0.3}},
	}, LogY: true}
	img, err := c.Render()
	if err != nil {
		t.Fatal(err)
	}
	count := map[color.RGBA]int{}
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			count[img.RGBAAt(x, y)]++
		}
	}
	if count[palette[0]] < 100 || count[palette[1]] < 100 {
		t.Errorf("series pixels: %d and %d, want lines drawn", count[palette[0]], count[palette[1]])
	}
	if err := c.Save(filepath.Join(t.TempDir(), "c.png")); err != nil {
		t.Fatal(err)
	}
	bad := Chart{Series: []Series{{X: []float64{1}, Y: []float64{0}}}, LogY: true}
	if _, err := bad.Render(); err == nil {
		t.Error("zero on a log axis: want an error")
	}
	if _, err := (Chart{}).Render(); err == nil {
		t.Error("no data: want an error")
	}
}

func TestMarkersShowSinglePoints(t *testing.T) {
	c := Chart{Series: []Series{{Name: "one", X: []float64{1}, Y: []float64{2}}}}
	plain, err := c.Render()
	if err != nil {
		t.Fatal(err)
	}
	c.Markers = true
	marked, err := c.Render()
	if err != nil {
		t.Fatal(err)
	}
	count := func(img interface{ RGBAAt(x, y int) color.RGBA }, w, h int) (n int) {
		for y := range h {
			for x := range w {
				if img.RGBAAt(x, y) == palette[0] {
					n++
				}
			}
		}
		return n
	}
	w, h := plain.Bounds().Dx(), plain.Bounds().Dy()
	// The legend text is drawn in the series colour in both; the marker adds 49 pixels.
	if d := count(marked, w, h) - count(plain, w, h); d != 49 {
		t.Errorf("marker added %d pixels of the series colour, want 49", d)
	}
}

func TestLegendLeft(t *testing.T) {
	c := Chart{Series: []Series{{Name: "rising", X: []float64{0, 1}, Y: []float64{1, 2}}}, LegendLeft: true}
	img, err := c.Render()
	if err != nil {
		t.Fatal(err)
	}
	// The legend text sits just above its baseline, the top of the plot
	// area (where the line ends, top right); its glyph rows are in the
	// series colour only where the label is: left of the middle.
	w := img.Bounds().Dx()
	for y := margin - 10; y < margin-1; y++ {
		for x := w / 2; x < w; x++ {
			if img.RGBAAt(x, y) == palette[0] {
				t.Fatalf("series colour at (%d, %d), right half: legend not on the left", x, y)
			}
		}
	}
}
