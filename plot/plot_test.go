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
