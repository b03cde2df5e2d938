package kitti

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/xdistill/edge-depth/internal/fsutil"
)

// Pose is a 3×4 row-major camera-to-world transform [R | t] (KITTI
// odometry format): a camera-frame point X maps to R·X + t in the world.
type Pose [12]float64

// Identity is the pose of a camera at the world origin.
func Identity() Pose { return Pose{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0} }

// Apply maps a point through the pose.
func (p Pose) Apply(x [3]float64) [3]float64 {
	var out [3]float64
	for r := range 3 {
		out[r] = p[4*r]*x[0] + p[4*r+1]*x[1] + p[4*r+2]*x[2] + p[4*r+3]
	}
	return out
}

// Mul composes transforms: (p·q)(x) = p(q(x)).
func (p Pose) Mul(q Pose) Pose {
	var out Pose
	for r := range 3 {
		for c := range 4 {
			v := p[4*r]*q[c] + p[4*r+1]*q[4+c] + p[4*r+2]*q[8+c]
			if c == 3 {
				v += p[4*r+3]
			}
			out[4*r+c] = v
		}
	}
	return out
}

// Inverse of a rigid transform (R must be orthonormal).
func (p Pose) Inverse() Pose {
	var out Pose
	for r := range 3 {
		for c := range 3 {
			out[4*r+c] = p[4*c+r]
		}
		out[4*r+3] = -(p[r]*p[3] + p[4+r]*p[7] + p[8+r]*p[11])
	}
	return out
}

// Relative is the transform from camera a's frame to camera b's (both
// camera-to-world): X_b = Relative(a, b).Apply(X_a).
func Relative(a, b Pose) Pose { return b.Inverse().Mul(a) }

// WritePoses writes one pose per line, atomically.
func WritePoses(path string, poses []Pose) error {
	var b strings.Builder
	for _, p := range poses {
		for i, v := range p {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.FormatFloat(v, 'e', 12, 64))
		}
		b.WriteByte('\n')
	}
	return fsutil.WriteFileAtomic(path, []byte(b.String()), 0o644)
}

// ReadPoses reads a poses file; errors name the file and line.
func ReadPoses(path string) ([]Pose, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("poses: %w", err)
	}
	defer f.Close()
	var poses []Pose
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		flds := strings.Fields(sc.Text())
		if len(flds) == 0 {
			continue
		}
		p, err := parsePose(flds)
		if err != nil {
			return nil, fmt.Errorf("poses %s:%d: %w", path, line, err)
		}
		poses = append(poses, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("poses %s: %w", path, err)
	}
	return poses, nil
}

func parsePose(flds []string) (Pose, error) {
	var p Pose
	if len(flds) != 12 {
		return p, fmt.Errorf("%d numbers, want 12 (3×4 row-major)", len(flds))
	}
	for i, s := range flds {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return p, fmt.Errorf("number %d %q is not a finite number", i+1, s)
		}
		p[i] = v
	}
	return p, nil
}
