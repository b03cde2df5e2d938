package synth

import (
	"math"
	"slices"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/kitti"
)

func TestLabelsAgreeWithGeometry(t *testing.T) {
	seen := map[Class]int{}
	for _, style := range []Style{StyleDefault, StyleShifted} {
		for _, seed := range []uint64{11, 12} {
			w := NewWorld(seed, style, 30, 416, 128)
			for _, f := range []int{1, 29} {
				checkLabels(t, w, w.Render(f, 2), seen)
			}
		}
	}
	for _, c := range []Class{Road, Sidewalk, Terrain, Building, Vegetation, Pole, Sky, Car, Person} {
		if seen[c] == 0 {
			t.Errorf("no %s pixels in 8 frames: not the intended road scene", kitti.ClassName(c))
		}
	}
}

func checkLabels(t *testing.T, w *World, fr *Frame, seen map[Class]int) {
	t.Helper()
	bad := 0
	for y := range fr.H {
		for x := range fr.W {
			i := y*fr.W + x
			l, z := fr.Labels[i], float64(fr.Depth[i])
			seen[l]++
			if (l == Sky) != math.IsInf(z, 1) {
				t.Fatalf("pixel (%d,%d): class %s with depth %g", x, y, kitti.ClassName(l), z)
			}
			if fr.Moving[i] && !slices.Contains([]Class{Car, Truck, Bus, Person, Rider, Bicycle}, l) {
				t.Fatalf("pixel (%d,%d): class %s marked moving", x, y, kitti.ClassName(l))
			}
			if l == Sky || z >= MaxDepth {
				continue
			}
			cx, cy, cz := w.Cam.Unproject(float64(x), float64(y), z)
			p := fr.Pose.Apply([3]float64{cx, cy, cz})
			ground := l == Road || l == Sidewalk || l == Terrain
			// float32 depth: relative error ~1e-7, so heights within 1 mm.
			if ground && math.Abs(p[1]) > 1e-3 || !ground && p[1] > 1e-3 {
				bad++
				if bad < 5 {
					t.Errorf("pixel (%d,%d) %s at depth %.2f back-projects to height %.4f", x, y, kitti.ClassName(l), z, -p[1])
				}
			}
		}
	}
}

func TestRenderIsDeterministicAcrossWorkers(t *testing.T) {
	a := NewWorld(5, StyleShifted, 4, 416, 128).Render(3, 1)
	b := NewWorld(5, StyleShifted, 4, 416, 128).Render(3, 5)
	if !slices.Equal(a.RGB, b.RGB) || !slices.Equal(a.Depth, b.Depth) || !slices.Equal(a.Labels, b.Labels) || !slices.Equal(a.Moving, b.Moving) || a.Pose != b.Pose {
		t.Error("same seed, different worker counts: different frames")
	}
	c := NewWorld(6, StyleShifted, 4, 416, 128).Render(3, 2)
	if slices.Equal(a.RGB, c.RGB) {
		t.Error("different seeds gave the same frame")
	}
}

func TestTrajectoryIsARigidGentleDrive(t *testing.T) {
	for _, style := range []Style{StyleDefault, StyleShifted} {
		w := NewWorld(9, style, 120, 416, 128)
		lk := lookOf(style)
		prevYaw := 0.0
		for f := range w.Frames {
			p := w.Pose(f)
			r := [3][3]float64{{p[0], p[1], p[2]}, {p[4], p[5], p[6]}, {p[8], p[9], p[10]}}
			det := r[0][0]*(r[1][1]*r[2][2]-r[1][2]*r[2][1]) - r[0][1]*(r[1][0]*r[2][2]-r[1][2]*r[2][0]) + r[0][2]*(r[1][0]*r[2][1]-r[1][1]*r[2][0])
			if math.Abs(det-1) > 1e-9 {
				t.Fatalf("%s frame %d: rotation determinant %g, want 1", style, f, det)
			}
			if math.Abs(p[7]+lk.camHeight) > 1e-9 {
				t.Fatalf("%s frame %d: camera at y=%g, want %g above the ground", style, f, p[7], lk.camHeight)
			}
			yaw := math.Atan2(p[2], p[10])
			if f > 0 {
				q := w.Pose(f - 1)
				step := math.Hypot(p[3]-q[3], p[11]-q[11])
				if step < 0.5 || step > 1.7 {
					t.Errorf("%s frame %d: moved %.2f m, want about 1 m", style, f, step)
				}
				if d := math.Abs(yaw - prevYaw); d > 0.02 {
					t.Errorf("%s frame %d: heading changed %.3f rad in one frame", style, f, d)
				}
			}
			prevYaw = yaw
		}
	}
	if k := NewWorld(1, StyleShifted, 3, 416, 128).Cam; math.Abs(k.Fx-0.8*kittiCam.Fx*416/1242) > 1e-9 {
		t.Errorf("shifted style focal %g, want 0.8× KITTI's", k.Fx)
	}
}

// The lead car keeps its distance: its depth does not change between
// frames although the camera moves about a metre.
func TestLeadCarAtEgoSpeed(t *testing.T) {
	for seed := uint64(1); seed < 20; seed++ {
		w := NewWorld(seed, StyleDefault, 12, 416, 128)
		var lead *object
		for _, b := range w.moving {
			if b.motion.Kind == motionFollow {
				lead = b
			}
		}
		if lead == nil {
			continue
		}
		a, b := w.Render(4, 2), w.Render(5, 2)
		x, y := leadPixel(w, 4)
		i := y*a.W + x
		if !a.Moving[i] || !b.Moving[i] {
			t.Fatalf("seed %d: lead car pixel (%d,%d) not marked moving", seed, x, y)
		}
		if d := math.Abs(float64(a.Depth[i] - b.Depth[i])); d > 0.3 {
			t.Errorf("seed %d: lead car depth changed by %.2f m between frames", seed, d)
		}
		return
	}
	t.Fatal("no world with a lead car in 19 seeds")
}

// leadPixel is where the lead car's centre is seen at frame f.
func leadPixel(w *World, f int) (int, int) {
	for _, b := range w.moving {
		if b.motion.Kind != motionFollow {
			continue
		}
		pos, _ := w.placeAt(b, f)
		pos[1] = -0.7 // mid height of the body
		c := w.Pose(f).Inverse().Apply(pos)
		u, v := w.Cam.Project(c[0], c[1], c[2])
		return int(math.Round(u)), int(math.Round(v))
	}
	return 0, 0
}
