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

func TestBandIsShadedBehindTheLine(t *testing.T) {
	s := Series{Name: "mean", X: []float64{0, 10}, Y: []float64{1, 1}, Lo: []float64{0, 0}, Hi: []float64{2, 4}}
	img, err := Chart{Series: []Series{s}}.Render()
	if err != nil {
		t.Fatal(err)
	}
	var band, line int
	for y := range img.Bounds().Dy() {
		for x := range img.Bounds().Dx() {
			switch img.RGBAAt(x, y) {
			case tint(palette[0]):
				band++
			case palette[0]:
				line++
			}
		}
	}
	// The band is the plot area below the line from y=2 to y=4 (of 0..4):
	// three quarters of it, 608×288 pixels.
	if band < 608*288*3/4*9/10 || line < 600 {
		t.Errorf("band %d pixels, line %d: want the band shaded and the line on top", band, line)
	}
	// The band counts in the axis range.
	if _, _, _, y1, _ := (Chart{Series: []Series{s}}).bounds(); y1 != 4 {
		t.Errorf("y range top %g, want the band's 4", y1)
	}
	s.Hi = s.Hi[:1]
	if _, err := (Chart{Series: []Series{s}}).Render(); err == nil {
		t.Error("band shorter than the series: want an error")
	}
}
