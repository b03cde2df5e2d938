package capture

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"gocv.io/x/gocv"
)

// Kind tells live sources (drop stale frames) from files (process every frame).
type Kind int

const (
	Camera   Kind = iota // V4L2 index or device path
	Pipeline             // GStreamer pipeline ending in appsink
	File                 // video file
	Images               // folder of still images, in name order
)

func (k Kind) String() string {
	return [...]string{"camera", "gstreamer", "file", "images"}[k]
}

// Live reports whether frames arrive in real time rather than on demand.
func (k Kind) Live() bool { return k == Camera || k == Pipeline }

// Spec is a parsed --camera / --video argument.
type Spec struct {
	Kind   Kind
	Index  int    // Camera with a numeric index
	Target string // device path, pipeline or file path
}

// ParseSpec reads a source argument: "0" (V4L2 index), "/dev/video1",
// "videotestsrc ! videoconvert ! appsink" (anything with '!'), or a file.
func ParseSpec(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Spec{}, errors.New("source: empty; give a camera index, /dev/videoN, a GStreamer pipeline or a video file")
	case strings.Contains(s, "!"):
		if !strings.Contains(s, "appsink") {
			return Spec{}, fmt.Errorf("source %q: a GStreamer pipeline must end in appsink (… ! videoconvert ! appsink)", s)
		}
		return Spec{Kind: Pipeline, Target: s}, nil
	case strings.HasPrefix(s, "/dev/"):
		return Spec{Kind: Camera, Index: -1, Target: s}, nil
	}
	if i, err := strconv.Atoi(s); err == nil {
		if i < 0 {
			return Spec{}, fmt.Errorf("source %q: camera index must be ≥ 0", s)
		}
		return Spec{Kind: Camera, Index: i}, nil
	}
	return Spec{Kind: File, Target: s}, nil
}

// Source is an open frame source.
type Source struct {
	Spec Spec
	vc   *gocv.VideoCapture
	imgs *images
}

// Open opens the source described by spec.
func Open(spec Spec) (*Source, error) {
	var (
		vc  *gocv.VideoCapture
		err error
	)
	switch spec.Kind {
	case Pipeline:
		vc, err = gocv.OpenVideoCaptureWithAPI(spec.Target, gocv.VideoCaptureGstreamer)
	case Camera:
		if spec.Index >= 0 {
			vc, err = gocv.VideoCaptureDeviceWithAPI(spec.Index, gocv.VideoCaptureV4L2)
		} else {
			vc, err = gocv.OpenVideoCaptureWithAPI(spec.Target, gocv.VideoCaptureV4L2)
		}
	case File:
		if _, statErr := os.Stat(spec.Target); statErr != nil {
			return nil, fmt.Errorf("open video %s: %w", spec.Target, statErr)
		}
		vc, err = gocv.VideoCaptureFile(spec.Target)
	case Images:
		imgs, err := openImages(spec.Target)
		if err != nil {
			return nil, err
		}
		return &Source{Spec: spec, imgs: imgs}, nil
	}
	if err != nil || vc == nil || !vc.IsOpened() {
		if vc != nil {
			vc.Close()
		}
		// GoCV's own message repeats the whole source string.
		why := "OpenCV could not open it"
		if spec.Kind == Camera && spec.Index < 0 {
			if _, statErr := os.Stat(spec.Target); statErr != nil {
				why = "no such device"
			}
		}
		return nil, fmt.Errorf("open %s source %s: %s", spec.Kind, spec.describe(), why)
	}
	if spec.Kind == Camera {
		// Keep the driver's queue short: a live view wants the newest frame.
		vc.Set(gocv.VideoCaptureBufferSize, 1)
	}
	return &Source{Spec: spec, vc: vc}, nil
}

func (s Spec) describe() string {
	if s.Kind == Camera && s.Index >= 0 {
		return strconv.Itoa(s.Index)
	}
	return s.Target
}

// Read fills dst with the next frame (BGR). It returns false when the
// source has ended or failed; Err then tells a failure from the end.
func (s *Source) Read(dst *gocv.Mat) bool {
	if s.imgs != nil {
		return s.imgs.read(dst)
	}
	return s.vc.Read(dst) && !dst.Empty()
}

// Err is why the last Read returned false, nil at the normal end. (OpenCV
// does not tell a video's end from a decoding failure; image folders do,
// and read on past a bad image when asked again.)
func (s *Source) Err() error {
	if s.imgs != nil {
		return s.imgs.err
	}
	return nil
}

// Name is the file name of the last image read from an image folder
// (without extension), "" for other sources.
func (s *Source) Name() string {
	if s.imgs != nil {
		return s.imgs.name
	}
	return ""
}

// ImagesFPS is the nominal rate of an image folder: KITTI's 10 Hz.
const ImagesFPS = 10

// FPS is the source's nominal frame rate, 0 when unknown.
func (s *Source) FPS() float64 {
	if s.imgs != nil {
		return ImagesFPS
	}
	return s.vc.Get(gocv.VideoCaptureFPS)
}

// Close releases the device or file.
func (s *Source) Close() error {
	if s.imgs != nil {
		return nil
	}
	return s.vc.Close()
}
