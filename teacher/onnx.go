package teacher

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/ort"
)

// ONNX is a segmentation model opened for labelling. Label is safe for
// concurrent use (calls are serialised: one Binding, reused).
type ONNX struct {
	path     string
	settings Settings
	sess     *ort.Session
	bind     *ort.Binding
	in, out  ort.TensorInfo
	lw, lh   int // logits size

	mu      sync.Mutex
	input   []float32 // the bound input tensor
	logits  []float32 // the bound output tensor
	labels  []uint8   // trainIds at the model input size
	best    []float32 // argmax scratch
	ax, ay  *axis     // frame → model input, for the last frame size
	lx, ly  *axis     // logits → model input
	norm    norm
	modelID string // sha256 of the model file, for the cache identity
}

// OpenONNX opens a segmentation model that takes float32 NCHW RGB
// [1,3,H,W] and gives logits [1,C,H',W']. Settings come from opts, the
// model's metadata_props, then defaults (see Options). A model whose
// shapes do not fit is refused with an error naming the file and shapes.
func OpenONNX(path string, opts Options) (*ONNX, error) {
	if _, err := ort.Ensure(opts.ORTLib, ""); err != nil {
		return nil, err
	}
	sess, err := ort.Open(path, ort.Options{Provider: opts.Provider, IntraOpThreads: opts.Threads})
	if err != nil {
		return nil, err
	}
	t, err := setup(path, sess, opts)
	if err != nil {
		sess.Close()
		return nil, err
	}
	return t, nil
}

func setup(path string, sess *ort.Session, opts Options) (*ONNX, error) {
	s, err := resolve(opts, sess.Metadata())
	if err != nil {
		return nil, fmt.Errorf("teacher model %s: %w", path, err)
	}
	t := &ONNX{path: path, sess: sess}
	if t.in, err = pick(sess.Inputs(), opts.Input, "input"); err != nil {
		return nil, fmt.Errorf("teacher model %s: %w", path, err)
	}
	if t.out, err = pick(sess.Outputs(), opts.Output, "output"); err != nil {
		return nil, fmt.Errorf("teacher model %s: %w", path, err)
	}
	if err := checkInput(t.in, &s); err != nil {
		return nil, fmt.Errorf("teacher model %s: %w", path, err)
	}
	if t.bind, err = sess.Bind(map[string][]int64{t.in.Name: {1, 3, int64(s.Height), int64(s.Width)}}); err != nil {
		return nil, err
	}
	if err := t.checkOutput(s); err != nil {
		t.bind.Close()
		return nil, fmt.Errorf("teacher model %s: %w", path, err)
	}
	t.settings, t.norm = s, newNorm(s)
	t.input, _ = t.bind.Float32(t.in.Name)
	t.logits, _ = t.bind.Float32(t.out.Name)
	t.labels = make([]uint8, s.Width*s.Height)
	t.best = make([]float32, s.Width*s.Height)
	if t.lw != s.Width || t.lh != s.Height {
		t.lx, t.ly = newAxis(t.lw, s.Width), newAxis(t.lh, s.Height)
	}
	if t.modelID, err = fileSHA256(path); err != nil {
		t.bind.Close()
		return nil, fmt.Errorf("teacher model %s: %w", path, err)
	}
	return t, nil
}

// pick chooses the named tensor, or the only one.
func pick(infos []ort.TensorInfo, name, what string) (ort.TensorInfo, error) {
	if name != "" {
		for _, x := range infos {
			if x.Name == name {
				return x, nil
			}
		}
		return ort.TensorInfo{}, fmt.Errorf("no %s named %q (model has %s)", what, name, list(infos))
	}
	if len(infos) != 1 {
		return ort.TensorInfo{}, fmt.Errorf("%d %ss (%s): name the one to use", len(infos), what, list(infos))
	}
	return infos[0], nil
}

func list(infos []ort.TensorInfo) string {
	s := make([]string, len(infos))
	for i, x := range infos {
		s[i] = x.String()
	}
	return strings.Join(s, ", ")
}

// checkInput checks the input is float32 [1,3,H,W] and settles the size:
// a static H,W is the model's; a given size must match it; a dynamic one
// needs a size from the options or metadata.
func checkInput(in ort.TensorInfo, s *Settings) error {
	sh := in.Shape
	if in.Type != "float32" || len(sh) != 4 || (sh[0] != 1 && sh[0] != -1) || (sh[1] != 3 && sh[1] != -1) {
		return fmt.Errorf("input %s: want float32 [1,3,H,W] (NCHW RGB)", in)
	}
	mh, mw := int(sh[2]), int(sh[3])
	switch {
	case mh > 0 && mw > 0 && s.Width == 0:
		s.Width, s.Height, s.SizeFrom = mw, mh, "model shape"
	case s.Width == 0:
		return fmt.Errorf("input %s has a dynamic size: give one (--size WxH, or metadata %s/%s)", in, KeyWidth, KeyHeight)
	case (mw > 0 && mw != s.Width) || (mh > 0 && mh != s.Height):
		return fmt.Errorf("input %s does not take %dx%d (from %s)", in, s.Width, s.Height, s.SizeFrom)
	}
	return nil
}

// checkOutput checks the bound output is float32 [1,C,H',W'] with C the
// length of the class list.
func (t *ONNX) checkOutput(s Settings) error {
	sh := t.bind.Shape(t.out.Name)
	shape := ort.TensorInfo{Name: t.out.Name, Type: t.out.Type, Shape: sh}
	if t.out.Type != "float32" || len(sh) != 4 || sh[0] != 1 || sh[2] <= 0 || sh[3] <= 0 {
		return fmt.Errorf("output %s (for input %dx%d): want float32 logits [1,C,H,W]", shape, s.Width, s.Height)
	}
	if int(sh[1]) != len(s.Classes) {
		return fmt.Errorf("output %s has %d classes, but the class list (%s) has %d (%s); give the model's classes with --classes or metadata %q",
			shape, sh[1], s.ClassesFrom, len(s.Classes), abbrev(s.Classes, 4), KeyClasses)
	}
	if sh[1] > 256 {
		return fmt.Errorf("output %s: more than 256 classes is not supported", shape)
	}
	t.lh, t.lw = int(sh[2]), int(sh[3])
	return nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Label segments one interleaved RGB frame (w×h×3) and returns its
// Cityscapes trainIds at w×h (kitti.Ignore for classes that are not
// Cityscapes classes): bilinear resize to the model input, normalise,
// run, argmax (logits smaller than the input are upsampled bilinearly
// first), nearest-neighbour back to w×h.
func (t *ONNX) Label(rgb []uint8, w, h int) ([]uint8, error) {
	if w <= 0 || h <= 0 || len(rgb) != 3*w*h {
		return nil, fmt.Errorf("teacher %s: frame %dx%d with %d bytes, want %d", t.path, w, h, len(rgb), 3*w*h)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.bind == nil {
		return nil, fmt.Errorf("teacher %s: closed", t.path)
	}
	s := t.settings
	preprocess(t.input, rgb, w, axisFor(&t.ax, w, s.Width), axisFor(&t.ay, h, s.Height), t.norm)
	if err := t.bind.Run(); err != nil {
		return nil, err
	}
	if t.lx == nil {
		argmaxSame(t.labels, t.logits, len(s.Classes), s.TrainIDs, t.best)
	} else {
		argmaxUpsampled(t.labels, t.logits, len(s.Classes), t.lw, t.lh, t.lx, t.ly, s.TrainIDs)
	}
	return nearest(t.labels, s.Width, s.Height, w, h), nil
}

// Settings are the teacher's resolved input size, normalisation and classes.
func (t *ONNX) Settings() Settings {
	s := t.settings
	s.Classes = append([]string(nil), s.Classes...)
	s.TrainIDs = append([]uint8(nil), s.TrainIDs...)
	return s
}

// Report is ONNX Runtime's one line on the provider in use.
func (t *ONNX) Report() string { return t.sess.Report() }

// LogitsSize is the model's output size for the configured input size.
func (t *ONNX) LogitsSize() (w, h int) { return t.lw, t.lh }

// Identity names the model file's contents and every setting that changes
// its labels; a label cache made with another identity is stale.
func (t *ONNX) Identity() string {
	s := t.settings
	ids := make([]string, len(s.TrainIDs))
	for i, id := range s.TrainIDs {
		ids[i] = kitti.ClassName(id)
	}
	return fmt.Sprintf("onnx sha256=%s size=%dx%d scale=%g mean=%g,%g,%g std=%g,%g,%g classes=%s",
		t.modelID, s.Width, s.Height, s.InputScale, s.Mean[0], s.Mean[1], s.Mean[2],
		s.Std[0], s.Std[1], s.Std[2], strings.Join(ids, ","))
}

// Close frees the binding and the session.
func (t *ONNX) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.bind == nil {
		return nil
	}
	t.bind.Close()
	t.bind = nil
	return t.sess.Close()
}
