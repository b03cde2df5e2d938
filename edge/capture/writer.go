package capture

import (
	"errors"
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

// Close finishes the file, checks that it plays and moves it to its
// final name. OpenCV's writer reports no write error: on a full disk it
// leaves a file cut short (an .mp4 without its moov box), so the file is
// fsynced and reopened before it may appear; if it does not hold every
// frame, it is removed and Close fails.
func (w *Writer) Close() error {
	err := w.vw.Close()
	if err == nil {
		err = syncFile(w.tmp)
	}
	if err == nil {
		err = checkPlayable(w.tmp, w.frames)
	}
	if err != nil {
		os.Remove(w.tmp)
		return fmt.Errorf("video %s: not finished, nothing written: %w", w.path, err)
	}
	if err := os.Rename(w.tmp, w.path); err != nil {
		return fmt.Errorf("video %s: %w", w.path, err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// checkPlayable reopens a finished video: it must open, report the
// frames written and decode the last one. It asks FFmpeg only: with any
// backend OpenCV falls back to GStreamer for a file FFmpeg refuses, and
// GStreamer's demuxer blocks forever on an .mp4 cut short.
func checkPlayable(path string, frames int) error {
	vc, err := gocv.VideoCaptureFileWithAPI(path, gocv.VideoCaptureFFmpeg)
	if err != nil || !vc.IsOpened() {
		if vc != nil {
			vc.Close()
		}
		return fmt.Errorf("the finished file does not open as a video (disk full?)")
	}
	defer vc.Close()
	if n := int(vc.Get(gocv.VideoCaptureFrameCount)); n != frames {
		return fmt.Errorf("the finished file holds %d of the %d frames written (disk full?)", n, frames)
	}
	if frames == 0 {
		return nil
	}
	vc.Set(gocv.VideoCapturePosFrames, float64(frames-1))
	m := gocv.NewMat()
	defer m.Close()
	if !vc.Read(&m) || m.Empty() {
		return fmt.Errorf("the finished file's last frame (%d) does not decode (disk full?)", frames-1)
	}
	return nil
}

// Abort discards a partly written video.
func (w *Writer) Abort() {
	w.vw.Close()
	os.Remove(w.tmp)
}
