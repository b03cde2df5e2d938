package kitti

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/xdistill/edge-depth/internal/fsutil"
)

// Entry is one line of a split file: a frame of a drive, left camera.
type Entry struct {
	Drive Drive
	Frame int
}

// WriteSplit writes a Monodepth2-style split file atomically.
func WriteSplit(path string, entries []Entry) error {
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "%s %d l\n", e.Drive.Rel(), e.Frame)
	}
	return fsutil.WriteFileAtomic(path, []byte(b.String()), 0o644)
}

// ReadSplit reads a Monodepth2-style split file ("<date>/<drive> <frame> l");
// errors name the file and line.
func ReadSplit(path string) ([]Entry, error) {
	entries, _, err := ReadSplitLines(path)
	return entries, err
}

// ReadSplitLines is ReadSplit that also returns each entry's line number
// in the file, for messages about an entry ("split FILE:LINE: …").
func ReadSplitLines(path string) ([]Entry, []int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("split: %w", err)
	}
	defer f.Close()
	var out []Entry
	var lines []int
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		flds := strings.Fields(sc.Text())
		if len(flds) == 0 {
			continue
		}
		e, err := parseEntry(flds)
		if err != nil {
			return nil, nil, fmt.Errorf("split %s:%d: %w", path, line, err)
		}
		out, lines = append(out, e), append(lines, line)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("split %s: %w", path, err)
	}
	return out, lines, nil
}

func parseEntry(flds []string) (Entry, error) {
	if len(flds) < 2 || len(flds) > 3 {
		return Entry{}, fmt.Errorf("%q: want \"<date>/<drive> <frame> l\"", strings.Join(flds, " "))
	}
	date, name, ok := strings.Cut(flds[0], "/")
	if !ok || date == "" || name == "" || strings.Contains(name, "/") {
		return Entry{}, fmt.Errorf("folder %q: want <date>/<drive>", flds[0])
	}
	frame, err := strconv.Atoi(flds[1])
	if err != nil || frame < 0 {
		return Entry{}, fmt.Errorf("frame index %q: want a non-negative integer", flds[1])
	}
	if len(flds) == 3 && flds[2] != "l" {
		return Entry{}, fmt.Errorf("side %q: only the left colour camera (l) is supported", flds[2])
	}
	return Entry{Drive: Drive{Date: date, Name: name}, Frame: frame}, nil
}
