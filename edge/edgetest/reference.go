package edgetest

import (
	"fmt"

	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/ort"
)

// Direct runs a model on frames the plain way — its own session, its own
// input conversion, modelmeta's disparity-to-depth — as the judge of what
// the runtime produced. Frames are BGR at the model's input size.
type Direct struct {
	s    *ort.Session
	b    *ort.Binding
	meta modelmeta.Meta
}

// NewDirect opens the model on the CPU.
func NewDirect(model string) (*Direct, error) {
	s, err := ort.Open(model, ort.Options{Provider: "cpu"})
	if err != nil {
		return nil, err
	}
	meta, err := modelmeta.Parse(s.Metadata())
	if err != nil {
		s.Close()
		return nil, err
	}
	shape := []int64{1, 3, int64(meta.Height), int64(meta.Width)}
	if meta.Layout == modelmeta.LayoutNHWCUint8 {
		shape = []int64{1, int64(meta.Height), int64(meta.Width), 3}
	}
	shapes := map[string][]int64{"image": shape}
	for _, o := range meta.Outputs {
		shapes[o] = []int64{1, 1, int64(meta.Height), int64(meta.Width)}
	}
	b, err := s.Bind(shapes)
	if err != nil {
		s.Close()
		return nil, err
	}
	return &Direct{s: s, b: b, meta: meta}, nil
}

// Depth is the model's depth (training units) for one BGR frame: its
// depth output when it has one, else its disparity converted.
func (d *Direct) Depth(bgr []byte) ([]float32, error) {
	w, h := d.meta.Width, d.meta.Height
	if len(bgr) != 3*w*h {
		return nil, fmt.Errorf("frame of %d bytes, model is %dx%d", len(bgr), w, h)
	}
	if d.meta.Layout == modelmeta.LayoutNHWCUint8 {
		in, err := d.b.Uint8("image")
		if err != nil {
			return nil, err
		}
		for i := 0; i < w*h; i++ {
			for c := range 3 {
				in[3*i+c] = bgr[3*i+2-c]
			}
		}
	} else {
		in, err := d.b.Float32("image")
		if err != nil {
			return nil, err
		}
		for c := range 3 { // R, G, B planes
			for i := 0; i < w*h; i++ {
				in[c*w*h+i] = float32(bgr[3*i+2-c]) / 255
			}
		}
	}
	if err := d.b.Run(); err != nil {
		return nil, err
	}
	if d.meta.HasOutput(modelmeta.OutputDepth) {
		depth, err := d.b.Float32(modelmeta.OutputDepth)
		return append([]float32(nil), depth...), err
	}
	disp, err := d.b.Float32(modelmeta.OutputDisparity)
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(disp))
	for i, v := range disp {
		out[i] = d.meta.DepthFromDisparity(v)
	}
	return out, nil
}

// Close frees the session.
func (d *Direct) Close() error { return d.s.Close() }
