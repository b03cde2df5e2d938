package depthnet

import (
	"errors"
	"fmt"
	"image"
	"slices"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/ort"
)

// Model is an open depth model.
type Model struct {
	Meta modelmeta.Meta
	sess *ort.Session
	// output is the tensor depth is read from: "depth" when the model has
	// it (no conversion needed), else "disparity".
	output string
}

// Open loads the model with the provider chain of o and refuses a model
// that does not follow the export contract.
func Open(path string, o ort.Options) (*Model, error) {
	sess, err := ort.Open(path, o)
	if err != nil {
		return nil, err
	}
	meta, err := modelmeta.Parse(sess.Metadata())
	if err == nil {
		err = checkIO(meta, sess.Inputs(), sess.Outputs())
	}
	if err != nil {
		sess.Close()
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	out := modelmeta.OutputDisparity
	if meta.HasOutput(modelmeta.OutputDepth) {
		out = modelmeta.OutputDepth
	}
	return &Model{Meta: meta, sess: sess, output: out}, nil
}

// checkIO compares the graph's input and outputs with the metadata, so a
// model whose metadata lies is refused before the first frame.
func checkIO(m modelmeta.Meta, ins, outs []ort.TensorInfo) error {
	if len(ins) != 1 || ins[0].Name != modelmeta.InputImage {
		return fmt.Errorf("want one input named %q, the graph has %v", modelmeta.InputImage, ins)
	}
	wantType, wantShape := "float32", []int64{int64(m.Batch), 3, int64(m.Height), int64(m.Width)}
	if m.Layout == modelmeta.LayoutNHWCUint8 {
		wantType, wantShape = "uint8", []int64{int64(m.Batch), int64(m.Height), int64(m.Width), 3}
	}
	if err := match(ins[0], wantType, wantShape); err != nil {
		return fmt.Errorf("%w (metadata: %dx%d %s)", err, m.Width, m.Height, m.Layout)
	}
	for _, name := range m.Outputs {
		i := slices.IndexFunc(outs, func(t ort.TensorInfo) bool { return t.Name == name })
		if i < 0 {
			return fmt.Errorf("metadata lists output %q, the graph has %v", name, outs)
		}
		if err := match(outs[i], "float32", []int64{int64(m.Batch), 1, int64(m.Height), int64(m.Width)}); err != nil {
			return fmt.Errorf("%w (metadata: %dx%d)", err, m.Width, m.Height)
		}
	}
	return nil
}

// match checks type and shape; a batch of 0 in want accepts a dynamic or
// fixed batch dimension.
func match(t ort.TensorInfo, typ string, want []int64) error {
	ok := t.Type == typ && len(t.Shape) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = t.Shape[i] == want[i] || (i == 0 && want[0] == 0)
	}
	if !ok {
		return fmt.Errorf("%s does not match the metadata", t)
	}
	return nil
}

// Report is the provider line (see ort.Session.Report).
func (m *Model) Report() string { return m.sess.Report() }

// Provider is the execution provider in use.
func (m *Model) Provider() string { return m.sess.Provider() }

// Size is the network input size.
func (m *Model) Size() image.Point { return image.Pt(m.Meta.Width, m.Meta.Height) }

// Close frees the session and every Runner.
func (m *Model) Close() error { return m.sess.Close() }

// Runner owns one set of input and output tensors. Several runners let
// the next frame be prepared while the model runs on this one. A Runner
// is used by one goroutine at a time.
type Runner struct {
	b          *ort.Binding
	inF        []float32 // nchw-float input
	inU        []uint8   // nhwc-uint8 input
	out        []float32
	isDepth    bool
	w, h       int
	minD, maxD float64 // disparity range: 1/MaxDepth, 1/MinDepth
}

// NewRunner binds a batch-1 set of tensors.
func (m *Model) NewRunner() (*Runner, error) {
	w, h := m.Meta.Width, m.Meta.Height
	shape := []int64{1, 3, int64(h), int64(w)}
	if m.Meta.Layout == modelmeta.LayoutNHWCUint8 {
		shape = []int64{1, int64(h), int64(w), 3}
	}
	shapes := map[string][]int64{modelmeta.InputImage: shape}
	for _, o := range m.Meta.Outputs {
		shapes[o] = []int64{1, 1, int64(h), int64(w)}
	}
	b, err := m.sess.Bind(shapes)
	if err != nil {
		return nil, err
	}
	r := &Runner{b: b, isDepth: m.output == modelmeta.OutputDepth, w: w, h: h,
		minD: 1 / m.Meta.MaxDepth, maxD: 1 / m.Meta.MinDepth}
	if m.Meta.Layout == modelmeta.LayoutNHWCUint8 {
		r.inU, err = b.Uint8(modelmeta.InputImage)
	} else {
		r.inF, err = b.Float32(modelmeta.InputImage)
	}
	if err == nil {
		r.out, err = b.Float32(m.output)
	}
	if err != nil {
		b.Close()
		return nil, err
	}
	return r, nil
}

// unit maps an 8-bit colour value to [0, 1] as float32(v)/255.
var unit = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return
}()

// Load writes a BGR frame of exactly the network size (w×h×3 bytes,
// row-major) into the input tensor, in the model's layout: RGB planes in
// [0, 1], or RGB bytes.
func (r *Runner) Load(bgr []byte) error {
	n := r.w * r.h
	if len(bgr) != 3*n {
		return fmt.Errorf("frame has %d bytes, the network takes %dx%dx3", len(bgr), r.w, r.h)
	}
	if r.inU != nil {
		in := r.inU[:3*n]
		for i := 0; i < 3*n; i += 3 {
			in[i], in[i+1], in[i+2] = bgr[i+2], bgr[i+1], bgr[i]
		}
		return nil
	}
	rr, gg, bb := r.inF[:n], r.inF[n:2*n], r.inF[2*n:3*n]
	for i := range n {
		px := bgr[3*i : 3*i+3 : 3*i+3]
		bb[i], gg[i], rr[i] = unit[px[0]], unit[px[1]], unit[px[2]]
	}
	return nil
}

// Run evaluates the model on the loaded input.
func (r *Runner) Run() error { return r.b.Run() }

// Depth writes depth in training units (the model's min..max range) into
// dst, w×h: the model's depth output, or its disparity converted as in
// training (modelmeta.Meta.DepthFromDisparity).
func (r *Runner) Depth(dst []float32) {
	dst = dst[:len(r.out)]
	if r.isDepth {
		copy(dst, r.out)
		return
	}
	span := r.maxD - r.minD
	for i, d := range r.out {
		dst[i] = float32(1 / (r.minD + span*float64(d)))
	}
}

// Close frees the tensors.
func (r *Runner) Close() error { return r.b.Close() }

// Resize brings a frame to the network size with bilinear interpolation
// (what training's loader does) into dst, reusing dst's memory, and
// returns the continuous BGR bytes of the result. A frame that already
// has the size is used as it is.
func Resize(src gocv.Mat, dst *gocv.Mat, size image.Point) ([]byte, error) {
	if src.Empty() || src.Type() != gocv.MatTypeCV8UC3 {
		return nil, errors.New("frame is not 8-bit BGR")
	}
	img := src
	if src.Cols() != size.X || src.Rows() != size.Y || !src.IsContinuous() {
		gocv.Resize(src, dst, size, 0, 0, gocv.InterpolationLinear)
		img = *dst
	}
	return img.DataPtrUint8()
}
