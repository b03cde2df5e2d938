package plot

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/xdistill/edge-depth/internal/fsutil"
)

// Series is one line.
type Series struct {
	Name string
	X, Y []float64
	// Lo and Hi, when set (one value per X), shade a band from Lo to Hi
	// behind the line in a pale tint of its colour (mean ± std).
	Lo, Hi []float64
}

// Chart is a line chart.
type Chart struct {
	Title, XLabel, YLabel string
	Series                []Series
	LogY                  bool
	// Markers draws a square at every point: a chart of a few measured
	// points (latency at three sizes) shows them, not only the lines.
	Markers bool
	// LegendLeft puts the legend top left instead of top right, where
	// rising lines (latency against size) end.
	LegendLeft    bool
	Width, Height int
}

// palette has ten colours, so an ablation's arms (up to ten) never share one.
var palette = []color.RGBA{{31, 119, 180, 255}, {214, 39, 40, 255}, {44, 160, 44, 255}, {148, 103, 189, 255}, {255, 127, 14, 255}, {23, 190, 207, 255},
	{140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255}, {188, 189, 34, 255}}

const margin = 56

// Render draws the chart.
func (c Chart) Render() (*image.RGBA, error) {
	w, h := c.Width, c.Height
	if w == 0 {
		w, h = 720, 400
	}
	x0, x1, y0, y1, err := c.bounds()
	if err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	px := func(x float64) float64 { return margin + (x-x0)/(x1-x0)*float64(w-2*margin) }
	py := func(y float64) float64 {
		if c.LogY {
			y = math.Log10(y)
		}
		return float64(h-margin) - (y-y0)/(y1-y0)*float64(h-2*margin)
	}
	grey := color.RGBA{120, 120, 120, 255}
	line(img, margin, float64(h-margin), float64(w-margin), float64(h-margin), grey)
	line(img, margin, margin, margin, float64(h-margin), grey)
	c.ticks(img, x0, x1, y0, y1, px, py)
	for i, s := range c.Series { // bands first: no band hides a line
		if s.Lo != nil {
			band(img, s, px, py, tint(palette[i%len(palette)]))
		}
	}
	for i, s := range c.Series {
		col := palette[i%len(palette)]
		for k := 1; k < len(s.X); k++ {
			line(img, px(s.X[k-1]), py(s.Y[k-1]), px(s.X[k]), py(s.Y[k]), col)
		}
		if c.Markers {
			for k := range s.X {
				marker(img, px(s.X[k]), py(s.Y[k]), col)
			}
		}
		lx := w - margin - 150
		if c.LegendLeft {
			lx = margin + 12
		}
		label(img, lx, margin+14*i, s.Name, col)
	}
	label(img, margin, 20, c.Title, color.RGBA{0, 0, 0, 255})
	label(img, w/2-len(c.XLabel)*3, h-12, c.XLabel, color.RGBA{0, 0, 0, 255})
	label(img, 4, margin-10, c.YLabel, color.RGBA{0, 0, 0, 255})
	return img, nil
}

// bounds finds the data range (y in log10 when LogY).
func (c Chart) bounds() (x0, x1, y0, y1 float64, err error) {
	x0, y0, x1, y1 = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, s := range c.Series {
		if len(s.X) != len(s.Y) {
			return 0, 0, 0, 0, fmt.Errorf("plot %q: series %q has %d x and %d y values", c.Title, s.Name, len(s.X), len(s.Y))
		}
		if (s.Lo != nil || s.Hi != nil) && (len(s.Lo) != len(s.X) || len(s.Hi) != len(s.X)) {
			return 0, 0, 0, 0, fmt.Errorf("plot %q: series %q has %d x values and a band of %d lo and %d hi", c.Title, s.Name, len(s.X), len(s.Lo), len(s.Hi))
		}
		for k := range s.X {
			ys := []float64{s.Y[k]}
			if s.Lo != nil {
				ys = append(ys, s.Lo[k], s.Hi[k])
			}
			for _, y := range ys {
				if c.LogY {
					if y <= 0 {
						return 0, 0, 0, 0, fmt.Errorf("plot %q: series %q has y=%g on a log axis", c.Title, s.Name, y)
					}
					y = math.Log10(y)
				}
				y0, y1 = math.Min(y0, y), math.Max(y1, y)
			}
			x0, x1 = math.Min(x0, s.X[k]), math.Max(x1, s.X[k])
		}
	}
	if math.IsInf(x0, 1) {
		return 0, 0, 0, 0, fmt.Errorf("plot %q: no data", c.Title)
	}
	if x1 == x0 {
		x1 = x0 + 1
	}
	if y1 == y0 {
		y1 = y0 + 1
	}
	return x0, x1, y0, y1, nil
}

func (c Chart) ticks(img *image.RGBA, x0, x1, y0, y1 float64, px, py func(float64) float64) {
	black := color.RGBA{60, 60, 60, 255}
	h := img.Bounds().Dy()
	for i := 0; i <= 4; i++ {
		x := x0 + (x1-x0)*float64(i)/4
		label(img, int(px(x))-12, h-margin+16, fmt.Sprintf("%.4g", x), black)
		y := y0 + (y1-y0)*float64(i)/4
		v := y
		if c.LogY {
			v = math.Pow(10, y)
		}
		yy := float64(h-margin) - (y-y0)/(y1-y0)*float64(h-2*margin)
		label(img, 2, int(yy)+4, fmt.Sprintf("%.3g", v), black)
	}
}

// Save writes the chart as a PNG atomically.
func (c Chart) Save(path string) error {
	img, err := c.Render()
	if err != nil {
		return err
	}
	return SavePNG(path, img)
}

// line draws an anti-alias-free line by stepping along its longer axis.
func line(img *image.RGBA, xa, ya, xb, yb float64, c color.RGBA) {
	n := int(math.Max(math.Abs(xb-xa), math.Abs(yb-ya))) + 1
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		img.SetRGBA(int(math.Round(xa+(xb-xa)*t)), int(math.Round(ya+(yb-ya)*t)), c)
	}
}

// band fills, column by column, between a series' Lo and Hi.
func band(img *image.RGBA, s Series, px, py func(float64) float64, c color.RGBA) {
	for k := 1; k < len(s.X); k++ {
		xa, xb := px(s.X[k-1]), px(s.X[k])
		for x := math.Round(xa); x <= math.Round(xb); x++ {
			t := 0.0
			if xb > xa {
				t = math.Max(0, math.Min(1, (x-xa)/(xb-xa)))
			}
			lo := s.Lo[k-1] + t*(s.Lo[k]-s.Lo[k-1])
			hi := s.Hi[k-1] + t*(s.Hi[k]-s.Hi[k-1])
			line(img, x, py(lo), x, py(hi), c)
		}
	}
}

// tint is c mixed with three parts white.
func tint(c color.RGBA) color.RGBA {
	mix := func(v uint8) uint8 { return uint8((int(v) + 3*255) / 4) }
	return color.RGBA{mix(c.R), mix(c.G), mix(c.B), 255}
}

// marker is a filled 7×7 square centred on (x, y).
func marker(img *image.RGBA, x, y float64, c color.RGBA) {
	cx, cy := int(math.Round(x)), int(math.Round(y))
	draw.Draw(img, image.Rect(cx-3, cy-3, cx+4, cy+4), image.NewUniform(c), image.Point{}, draw.Src)
}

func label(img *image.RGBA, x, y int, s string, c color.RGBA) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// SavePNG writes any image as a PNG atomically.
func SavePNG(path string, img image.Image) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("image %s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, buf.Bytes(), 0o644)
}
