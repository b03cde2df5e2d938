package kitti

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/xdistill/edge-depth/fsutil"
)

// Pose is a 3×4 row-major camera-to-world transform (KITTI odometry format).
type Pose [12]float64

// WritePoses writes one pose per line.
func WritePoses(path string, poses []Pose) error {
	var b strings.Builder
	for _, p := range poses {
		for i, v := range p {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.FormatFloat(v, 'e', 9, 64))
		}
		b.WriteByte('\n')
	}
	return fsutil.WriteFileAtomic(path, []byte(b.String()), 0o644)
}

// ReadPoses reads a poses file.
func ReadPoses(path string) ([]Pose, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("poses %s: %w", path, err)
	}
	defer f.Close()
	var poses []Pose
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		flds := strings.Fields(sc.Text())
		if len(flds) == 0 {
			continue
		}
		if len(flds) != 12 {
			return nil, fmt.Errorf("poses %s:%d: %d numbers, want 12", path, line, len(flds))
		}
		var p Pose
		for i, s := range flds {
			if p[i], err = strconv.ParseFloat(s, 64); err != nil {
				return nil, fmt.Errorf("poses %s:%d: %w", path, line, err)
			}
		}
		poses = append(poses, p)
	}
	return poses, sc.Err()
}

// Entry is one line of a split file: a frame of a drive, left camera.
type Entry struct {
	Drive Drive
	Frame int
}

// WriteSplit writes a Monodepth2-style split file.
func WriteSplit(path string, entries []Entry) error {
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "%s %d l\n", e.Drive.Rel(), e.Frame)
	}
	return fsutil.WriteFileAtomic(path, []byte(b.String()), 0o644)
}

// ReadSplit reads a Monodepth2-style split file ("date/drive frame side").
func ReadSplit(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("split %s: %w", path, err)
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		flds := strings.Fields(sc.Text())
		if len(flds) == 0 {
			continue
		}
		if len(flds) < 2 {
			return nil, fmt.Errorf("split %s:%d: want \"<date>/<drive> <frame> [l|r]\"", path, line)
		}
		date, name, ok := strings.Cut(flds[0], "/")
		frame, err := strconv.Atoi(flds[1])
		if !ok || err != nil || frame < 0 {
			return nil, fmt.Errorf("split %s:%d: bad entry %q", path, line, sc.Text())
		}
		if len(flds) > 2 && flds[2] != "l" {
			return nil, fmt.Errorf("split %s:%d: side %q: only the left colour camera (l) is supported", path, line, flds[2])
		}
		out = append(out, Entry{Drive: Drive{Date: date, Name: name}, Frame: frame})
	}
	return out, sc.Err()
}
