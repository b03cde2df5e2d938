package chessboard

import (
	"math"

	"github.com/xdistill/edge-depth/internal/data/camera"
)

// BoardPose places a chessboard in front of a camera: rotations (radians)
// about the camera's x (pitch), y (yaw) and z (roll) axes, and the board
// centre in camera coordinates (metres; z forward).
type BoardPose struct {
	Pitch, Yaw, Roll float64
	X, Y, Z          float64
}

// BoardRenderer draws views of a chessboard seen by a camera with known
// intrinsics and distortion (k1 k2 p1 p2 k3): the ground truth for
// calibration tests, and a way to try `xdistill calibrate camera` without
// a camera. Each pixel is 3×3 rays, traced through the inverse distortion
// (computed once per camera) to the board plane, so edges are
// anti-aliased as a real sensor's are.
type BoardRenderer struct {
	cam  camera.File
	rays []float32 // undistorted normalised (x, y) of every sub-pixel ray
}

const subSamples = 4

// NewBoardRenderer precomputes the camera's rays.
func NewBoardRenderer(cam camera.File) *BoardRenderer {
	w, h := cam.Width, cam.Height
	r := &BoardRenderer{cam: cam, rays: make([]float32, 0, 2*w*h*subSamples*subSamples)}
	for v := range h {
		for u := range w {
			for sy := range subSamples {
				for sx := range subSamples {
					uu := float64(u) + (float64(sx)+0.5)/subSamples - 0.5
					vv := float64(v) + (float64(sy)+0.5)/subSamples - 0.5
					x, y := cam.Undistort((uu-cam.Cx)/cam.Fx, (vv-cam.Cy)/cam.Fy)
					r.rays = append(r.rays, float32(x), float32(y))
				}
			}
		}
	}
	return r
}

// Render draws the board at pose p as 8-bit grey (w×h). The board has a
// black corner square and a white margin one square wide, on a mid-grey
// background.
func (r *BoardRenderer) Render(b Board, p BoardPose) []uint8 {
	rot := rotation(p)
	centre := [3]float64{float64(b.Cols-1) * b.Square / 2, float64(b.Rows-1) * b.Square / 2, 0}
	// Board origin and normal in camera coordinates.
	origin := [3]float64{p.X, p.Y, p.Z}
	rc := mulVec(rot, centre)
	for i := range origin {
		origin[i] -= rc[i]
	}
	normal := [3]float64{rot[0][2], rot[1][2], rot[2][2]}
	const n = subSamples * subSamples
	out := make([]uint8, r.cam.Width*r.cam.Height)
	for px := range out {
		var sum float64
		for s := range n {
			k := 2 * (px*n + s)
			sum += shade(float64(r.rays[k]), float64(r.rays[k+1]), rot, origin, normal, b)
		}
		out[px] = uint8(math.Round(sum / n))
	}
	return out
}

// shade intersects the ray (x, y, 1) with the board and returns its grey
// level.
func shade(x, y float64, rot [3][3]float64, origin, n [3]float64, b Board) float64 {
	const background = 110
	den := n[0]*x + n[1]*y + n[2]
	if math.Abs(den) < 1e-9 {
		return background
	}
	lambda := (n[0]*origin[0] + n[1]*origin[1] + n[2]*origin[2]) / den
	if lambda <= 0 {
		return background
	}
	d := [3]float64{lambda*x - origin[0], lambda*y - origin[1], lambda - origin[2]}
	// board coordinates: Rᵀ·d
	bx := rot[0][0]*d[0] + rot[1][0]*d[1] + rot[2][0]*d[2]
	by := rot[0][1]*d[0] + rot[1][1]*d[1] + rot[2][1]*d[2]
	i, j := math.Floor(bx/b.Square), math.Floor(by/b.Square)
	switch {
	case i < -2 || i > float64(b.Cols) || j < -2 || j > float64(b.Rows):
		return background
	case i < -1 || i > float64(b.Cols-1) || j < -1 || j > float64(b.Rows-1):
		return 245 // margin
	case int(i+j)%2 == 0:
		return 20
	}
	return 245
}

func rotation(p BoardPose) [3][3]float64 {
	cx, sx := math.Cos(p.Pitch), math.Sin(p.Pitch)
	cy, sy := math.Cos(p.Yaw), math.Sin(p.Yaw)
	cz, sz := math.Cos(p.Roll), math.Sin(p.Roll)
	rx := [3][3]float64{{1, 0, 0}, {0, cx, -sx}, {0, sx, cx}}
	ry := [3][3]float64{{cy, 0, sy}, {0, 1, 0}, {-sy, 0, cy}}
	rz := [3][3]float64{{cz, -sz, 0}, {sz, cz, 0}, {0, 0, 1}}
	return mulMat(rz, mulMat(ry, rx))
}

func mulMat(a, b [3][3]float64) [3][3]float64 {
	var out [3][3]float64
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				out[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return out
}

func mulVec(a [3][3]float64, v [3]float64) [3]float64 {
	var out [3]float64
	for i := range 3 {
		for k := range 3 {
			out[i] += a[i][k] * v[k]
		}
	}
	return out
}

// DemoPoses are varied board poses that constrain all intrinsics: tilts
// up to 35° both ways, some roll, 0.55–0.9 m away, off-centre and towards
// the corners (for a 0.03 m board square and a VGA camera with fx ≈ 600).
func DemoPoses() []BoardPose {
	deg := math.Pi / 180
	return []BoardPose{
		{Pitch: 0, Yaw: 0, Roll: 0, Z: 0.6},
		{Pitch: 30 * deg, Yaw: 0, Roll: 5 * deg, Y: 0.02, Z: 0.65},
		{Pitch: -30 * deg, Yaw: 0, Roll: -5 * deg, Y: -0.02, Z: 0.65},
		{Pitch: 0, Yaw: 35 * deg, Roll: 3 * deg, X: 0.03, Z: 0.7},
		{Pitch: 0, Yaw: -35 * deg, Roll: -3 * deg, X: -0.03, Z: 0.7},
		{Pitch: 20 * deg, Yaw: 25 * deg, Roll: 10 * deg, X: -0.08, Y: -0.05, Z: 0.75},
		{Pitch: -20 * deg, Yaw: -25 * deg, Roll: -10 * deg, X: 0.08, Y: 0.05, Z: 0.75},
		{Pitch: 25 * deg, Yaw: -20 * deg, Roll: 15 * deg, X: 0.1, Y: -0.06, Z: 0.8},
		{Pitch: -25 * deg, Yaw: 20 * deg, Roll: -15 * deg, X: -0.1, Y: 0.06, Z: 0.8},
		{Pitch: 10 * deg, Yaw: 10 * deg, Roll: 30 * deg, X: 0.12, Y: 0.08, Z: 0.9},
		{Pitch: -10 * deg, Yaw: -10 * deg, Roll: -30 * deg, X: -0.12, Y: -0.08, Z: 0.9},
		{Pitch: 15 * deg, Yaw: -30 * deg, Roll: 0, X: 0.14, Y: 0, Z: 0.55},
		// towards the image corners, where distortion is strongest
		{Pitch: 20 * deg, Yaw: -20 * deg, Roll: 5 * deg, X: -0.17, Y: -0.12, Z: 0.75},
		{Pitch: -20 * deg, Yaw: 20 * deg, Roll: -5 * deg, X: 0.17, Y: 0.12, Z: 0.75},
		{Pitch: -20 * deg, Yaw: -20 * deg, Roll: 8 * deg, X: -0.17, Y: 0.12, Z: 0.75},
		{Pitch: 20 * deg, Yaw: 20 * deg, Roll: -8 * deg, X: 0.17, Y: -0.12, Z: 0.75},
	}
}
