package pipeline

import (
	"time"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/edge/depthnet"
	"github.com/xdistill/edge-depth/edge/stats"
)

// Frame is one slot of the pipeline: the buffers a frame needs from
// capture to the sinks, allocated once and reused for every frame that
// passes through the slot. Sinks read it and must not keep references.
type Frame struct {
	Seq      int64     // position in the source, 0-based (counts dropped live frames)
	Index    int64     // position among the frames that reached the sinks, 0-based
	Name     string    // image name for image folders, else ""
	Captured time.Time // when the source delivered it
	SrcFPS   float64   // the source's nominal rate (0: unknown)
	Src      gocv.Mat  // as captured, BGR

	W, H int    // network size
	BGR  []byte // the frame at network size, BGR (W×H×3)
	// Depth (W×H): metres when Metric, else the model's relative units
	// (also with --camera-height until the first ground plane is found).
	Depth  []float32
	Metric bool
	Scale  float64 // metres per model unit applied; 0: none
	// NoGround: the ground-plane scale found no ground in this frame; its
	// Scale is the one held from earlier frames (0 before the first).
	NoGround bool
	// Depth statistics over pixels with data.
	MinDepth, MeanDepth, MaxDepth float32
	CenterDepth                   float32 // mean over the central 5×5 pixels

	View gocv.Mat // [image | depth], 2W×H, when Config.View

	// Stages holds the time each stage spent on this frame.
	Stages [stats.NumStages]time.Duration

	small   gocv.Mat
	viewBuf []byte
	runner  *depthnet.Runner
}

func newFrame(m *depthnet.Model, withView bool) (*Frame, error) {
	r, err := m.NewRunner()
	if err != nil {
		return nil, err
	}
	w, h := m.Meta.Width, m.Meta.Height
	f := &Frame{W: w, H: h, Depth: make([]float32, w*h), Src: gocv.NewMat(), small: gocv.NewMat(), runner: r}
	if withView {
		f.View = gocv.NewMatWithSize(h, 2*w, gocv.MatTypeCV8UC3)
		if f.viewBuf, err = f.View.DataPtrUint8(); err != nil {
			f.close()
			return nil, err
		}
	}
	return f, nil
}

func (f *Frame) close() {
	f.runner.Close()
	f.Src.Close()
	f.small.Close()
	if f.viewBuf != nil {
		f.View.Close()
	}
}

// depthStats fills the depth statistics.
func (f *Frame) depthStats() {
	lo, hi, sum, n := float32(0), float32(0), 0.0, 0
	for _, d := range f.Depth {
		if d > 0 {
			if n == 0 || d < lo {
				lo = d
			}
			hi = max(hi, d)
			sum += float64(d)
			n++
		}
	}
	f.MinDepth, f.MaxDepth, f.MeanDepth = lo, hi, 0
	if n > 0 {
		f.MeanDepth = float32(sum / float64(n))
	}
	var c float64
	cx, cy := f.W/2, f.H/2
	for y := cy - 2; y <= cy+2; y++ {
		for x := cx - 2; x <= cx+2; x++ {
			c += float64(f.Depth[y*f.W+x])
		}
	}
	f.CenterDepth = float32(c / 25)
}
