package camera

// OpenCV's lens model, on normalised image coordinates (x, y) = (X/Z, Y/Z):
// radial k1 k2 k3 and tangential p1 p2, the coefficients camera.yaml holds
// and `xdistill calibrate camera` estimates.

// Coeffs returns the five distortion coefficients k1 k2 p1 p2 k3 (zeros
// where the file has none; a 4-coefficient file has k3 = 0).
func (f File) Coeffs() [5]float64 {
	var c [5]float64
	copy(c[:], f.Distortion)
	return c
}

// HasDistortion says whether any coefficient is non-zero.
func (f File) HasDistortion() bool { return f.Coeffs() != [5]float64{} }

// Distort maps ideal normalised coordinates to where the lens puts them.
func (f File) Distort(x, y float64) (float64, float64) {
	k := f.Coeffs()
	r2 := x*x + y*y
	radial := 1 + k[0]*r2 + k[1]*r2*r2 + k[4]*r2*r2*r2
	return x*radial + 2*k[2]*x*y + k[3]*(r2+2*x*x),
		y*radial + k[2]*(r2+2*y*y) + 2*k[3]*x*y
}

// Undistort inverts Distort by fixed-point iteration (as OpenCV's
// undistortPoints does); for the distortion of ordinary lenses inside the
// image it converges to well below a thousandth of a pixel.
func (f File) Undistort(xd, yd float64) (float64, float64) {
	k := f.Coeffs()
	x, y := xd, yd
	for range 20 {
		r2 := x*x + y*y
		radial := 1 + k[0]*r2 + k[1]*r2*r2 + k[4]*r2*r2*r2
		dx := 2*k[2]*x*y + k[3]*(r2+2*x*x)
		dy := k[2]*(r2+2*y*y) + 2*k[3]*x*y
		x, y = (xd-dx)/radial, (yd-dy)/radial
	}
	return x, y
}

// UndistortPixel maps a pixel of the distorted image to the pixel an ideal
// pinhole camera with the same fx, fy, cx, cy would see it at.
func (f File) UndistortPixel(u, v float64) (float64, float64) {
	x, y := f.Undistort((u-f.Cx)/f.Fx, (v-f.Cy)/f.Fy)
	return f.Fx*x + f.Cx, f.Fy*y + f.Cy
}
