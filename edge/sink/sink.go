package sink

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/edge/pipeline"
	"github.com/xdistill/edge-depth/edge/serve"
	"github.com/xdistill/edge-depth/edge/stats"
)

// Record writes the side-by-side view to a video file. Files keep every
// frame at the source's rate; a live source's recording keeps real time:
// a frame is repeated over the time of frames that were dropped.
type Record struct {
	Path string
	Live bool
	w    *capture.Writer
	fps  float64
	t0   time.Time
	log  *slog.Logger
}

// NewRecord checks the file name now, so a bad one fails before the run.
func NewRecord(path string, live bool, log *slog.Logger) (*Record, error) {
	switch filepath.Ext(path) {
	case ".mp4", ".avi":
	default:
		return nil, fmt.Errorf("--record %s: use .mp4 (mp4v) or .avi (MJPG)", path)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("--record %s: directory %s does not exist", path, filepath.Dir(path))
	}
	return &Record{Path: path, Live: live, log: log}, nil
}

func (r *Record) Write(f *pipeline.Frame) error {
	if r.w == nil {
		r.fps = f.SrcFPS
		if !(r.fps > 0 && r.fps <= 240) {
			r.fps = 10
		}
		w, err := capture.NewWriter(r.Path, r.fps, f.View.Cols(), f.View.Rows())
		if err != nil {
			return err
		}
		r.w, r.t0 = w, f.Captured
	}
	n := 1
	if r.Live {
		// Frames due by now at the nominal rate, at most 2 s worth at once.
		due := int(math.Round(f.Captured.Sub(r.t0).Seconds()*r.fps)) + 1
		n = min(due-r.w.Frames(), int(2*r.fps))
		if r.w.Frames() == 0 {
			n = 1
		}
	}
	for range n {
		if err := r.w.Write(f.View); err != nil {
			return err
		}
	}
	return nil
}

// Close finishes the file (it appears under its name only now).
func (r *Record) Close() error {
	if r.w == nil {
		return nil
	}
	if err := r.w.Close(); err != nil {
		return err
	}
	if r.log != nil {
		r.log.Info("recording written", "file", r.Path, "frames", r.w.Frames(), "fps", r.fps)
	}
	return nil
}

// JSON writes one line of statistics per frame.
type JSON struct {
	w   *bufio.Writer
	buf []byte
}

// NewJSON writes to w.
func NewJSON(w io.Writer) *JSON { return &JSON{w: bufio.NewWriter(w)} }

// Write emits e.g. {"frame":3,"seq":3,"time":…,"metric":true,"scale":1.7,
// "depth":{"min":…,"mean":…,"max":…,"center":…},"ms":{"capture":…,…}}.
// Depth is in metres when "metric" is true, else in the model's units.
// It allocates nothing.
func (j *JSON) Write(f *pipeline.Frame) error {
	b := append(j.buf[:0], `{"frame":`...)
	b = strconv.AppendInt(b, f.Index, 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, f.Seq, 10)
	if f.Name != "" {
		b = append(b, `,"name":`...)
		b = strconv.AppendQuoteToASCII(b, f.Name)
	}
	b = append(b, `,"time":`...)
	b = strconv.AppendFloat(b, float64(f.Captured.UnixMicro())/1e6, 'f', 6, 64)
	b = append(b, `,"metric":`...)
	b = strconv.AppendBool(b, f.Metric)
	b = append(b, `,"scale":`...)
	b = strconv.AppendFloat(b, f.Scale, 'g', 6, 64)
	b = append(b, `,"depth":{"min":`...)
	b = appendF(b, f.MinDepth)
	b = append(b, `,"mean":`...)
	b = appendF(b, f.MeanDepth)
	b = append(b, `,"max":`...)
	b = appendF(b, f.MaxDepth)
	b = append(b, `,"center":`...)
	b = appendF(b, f.CenterDepth)
	b = append(b, `},"ms":{`...)
	for st := stats.Capture; st < stats.Sinks; st++ {
		if st > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, st.String()...)
		b = append(b, `":`...)
		b = strconv.AppendFloat(b, f.Stages[st].Seconds()*1e3, 'f', 3, 64)
	}
	b = append(b, "}}\n"...)
	j.buf = b
	if _, err := j.w.Write(b); err != nil {
		return fmt.Errorf("--json: %w", err)
	}
	return j.w.Flush() // a reader sees each frame as it happens
}

func appendF(b []byte, v float32) []byte { return strconv.AppendFloat(b, float64(v), 'f', 3, 32) }

func (j *JSON) Close() error { return j.w.Flush() }

// Overlay writes the frame rate and provider into the view, for the eyes
// (window and stream). The text changes once a second, so it is built once
// a second.
type Overlay struct {
	Stats *stats.Recorder
	text  string
	at    time.Time
}

func (o *Overlay) Write(f *pipeline.Frame) error {
	if time.Since(o.at) > time.Second {
		s := o.Stats.Snapshot()
		o.text = fmt.Sprintf("%.1f fps  %s", s.RecentFPS, s.Provider)
		o.at = time.Now()
	}
	scale := float64(f.H) / 400
	gocv.PutText(&f.View, o.text, image.Pt(4, 4+int(26*scale)), gocv.FontHersheySimplex, max(scale, 0.3), color.RGBA{255, 255, 255, 0}, 1)
	return nil
}

func (o *Overlay) Close() error { return nil }

// Stream publishes the view to the MJPEG server, encoding only while
// someone watches.
type Stream struct {
	Server  *serve.Server
	Quality int // JPEG quality; 0: 80
	params  []int
}

func (s *Stream) Write(f *pipeline.Frame) error {
	if !s.Server.Watching() {
		return nil
	}
	if s.params == nil {
		q := s.Quality
		if q == 0 {
			q = 80
		}
		s.params = []int{gocv.IMWriteJpegQuality, q}
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, f.View, s.params)
	if err != nil {
		return fmt.Errorf("--serve: jpeg: %w", err)
	}
	s.Server.Publish(buf.GetBytes())
	buf.Close()
	return nil
}

// Close stops the server.
func (s *Stream) Close() error { return s.Server.Close() }

// Display shows the view in a window; q or Esc ends the run.
type Display struct {
	Title string
	win   *gocv.Window
}

// CanDisplay says whether a window can open: a graphical session exists.
func CanDisplay() error {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return fmt.Errorf("--display needs a graphical session (DISPLAY is not set); use --serve to watch from a browser")
	}
	return nil
}

func (d *Display) Write(f *pipeline.Frame) error {
	if d.win == nil {
		d.win = gocv.NewWindow(d.Title)
		d.win.ResizeWindow(f.View.Cols()*2, f.View.Rows()*2)
	} else if d.win.GetWindowProperty(gocv.WindowPropertyVisible) < 1 {
		return pipeline.ErrStop // the window was closed
	}
	d.win.IMShow(f.View)
	if k := d.win.WaitKey(1); k == 'q' || k == 27 {
		return pipeline.ErrStop
	}
	return nil
}

func (d *Display) Close() error {
	if d.win != nil {
		return d.win.Close()
	}
	return nil
}
