package plot

import "image"

// Grid stacks rows of equally sized panels into one image.
func Grid(rows [][]image.Image) *image.RGBA {
	pw, ph := rows[0][0].Bounds().Dx(), rows[0][0].Bounds().Dy()
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	out := image.NewRGBA(image.Rect(0, 0, cols*pw, len(rows)*ph))
	for y, r := range rows {
		for x, p := range r {
			b := p.Bounds()
			for yy := range min(ph, b.Dy()) {
				for xx := range min(pw, b.Dx()) {
					out.Set(x*pw+xx, y*ph+yy, p.At(b.Min.X+xx, b.Min.Y+yy))
				}
			}
		}
	}
	return out
}
