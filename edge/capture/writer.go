package capture

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gocv.io/x/gocv"
)

// Writer records frames to a video file. It writes to a temporary file in
// the same directory and renames it on Close, so an interrupted run never
// leaves a truncated video under the final name.
type Writer struct {
	path, tmp string
	vw        *gocv.VideoWriter
	width     int
	height    int
	frames    int
}

// codecFor picks a codec OpenCV can write here by file extension.
func codecFor(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".mp4":
		return "mp4v", nil
	case ".avi":
		return "MJPG", nil
	default:
		return "", fmt.Errorf("video %s: unsupported extension; use .mp4 (mp4v) or .avi (MJPG)", path)
	}
}

// NewWriter starts a colour video of the given frame size and rate.
func NewWriter(path string, fps float64, width, height int) (*Writer, error) {
	codec, err := codecFor(path)
	if err != nil {
		return nil, err
	}
	if width <= 0 || height <= 0 || fps <= 0 {
		return nil, fmt.Errorf("video %s: need positive size and fps, got %dx%d at %g", path, width, height, fps)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".partial"+filepath.Ext(path))
	vw, err := gocv.VideoWriterFile(tmp, codec, fps, width, height, true)
	if err == nil && !vw.IsOpened() {
		vw.Close()
		err = fmt.Errorf("OpenCV could not open a %s writer", codec)
	}
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("video %s: %w", path, err)
	}
	return &Writer{path: path, tmp: tmp, vw: vw, width: width, height: height}, nil
}

// Write appends one BGR frame of the writer's size.
func (w *Writer) Write(frame gocv.Mat) error {
	if frame.Cols() != w.width || frame.Rows() != w.height {
		return fmt.Errorf("video %s: frame %dx%d, writer is %dx%d", w.path, frame.Cols(), frame.Rows(), w.width, w.height)
	}
	if err := w.vw.Write(frame); err != nil {
		return fmt.Errorf("video %s: frame %d: %w", w.path, w.frames, err)
	}
	w.frames++
	return nil
}

// Frames is the number of frames written so far.
func (w *Writer) Frames() int { return w.frames }

// Close finishes the file and moves it to its final name.
func (w *Writer) Close() error {
	if err := w.vw.Close(); err != nil {
		os.Remove(w.tmp)
		return fmt.Errorf("video %s: close: %w", w.path, err)
	}
	if err := os.Rename(w.tmp, w.path); err != nil {
		return fmt.Errorf("video %s: %w", w.path, err)
	}
	return nil
}

// Abort discards a partly written video.
func (w *Writer) Abort() {
	w.vw.Close()
	os.Remove(w.tmp)
}
