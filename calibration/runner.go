package calibration

import (
	"fmt"

	ortgo "github.com/yalue/onnxruntime_go"

	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/onnx/pb"
	"github.com/xdistill/edge-depth/internal/ort"
)

// Input describes the model's image input.
type Input struct {
	Name   string
	Uint8  bool // uint8 [N,H,W,3]; otherwise float32 [N,3,H,W] in [0, 1]
	W, H   int
	Shape  []int64 // with batch 1
	Output string  // the first graph output (disparity or depth)
}

// inputOf reads the single image input's layout from the graph.
func inputOf(m *onnxgraph.Model) (Input, error) {
	g := m.Graph()
	var ins []*onnxpb.ValueInfoProto
	for _, v := range g.Input {
		if !isInitializer(g, v.GetName()) {
			ins = append(ins, v)
		}
	}
	if len(ins) != 1 || len(g.Output) == 0 {
		return Input{}, fmt.Errorf("want one image input and an output, model has %d inputs and %d outputs", len(ins), len(g.Output))
	}
	v := ins[0]
	tt := v.GetType().GetTensorType()
	dims := tt.GetShape().GetDim()
	if len(dims) != 4 {
		return Input{}, fmt.Errorf("input %s has rank %d, want an image batch of rank 4", v.GetName(), len(dims))
	}
	size := func(i int) int64 { return dims[i].GetDimValue() }
	in := Input{Name: v.GetName(), Output: g.Output[0].GetName()}
	switch tt.GetElemType() {
	case onnxgraph.Float32:
		in.W, in.H = int(size(3)), int(size(2))
		if size(1) != 3 {
			return Input{}, fmt.Errorf("float input %s: want [N,3,H,W]", v.GetName())
		}
		in.Shape = []int64{1, 3, int64(in.H), int64(in.W)}
	case onnxgraph.Uint8:
		in.Uint8 = true
		in.W, in.H = int(size(2)), int(size(1))
		if size(3) != 3 {
			return Input{}, fmt.Errorf("uint8 input %s: want [N,H,W,3]", v.GetName())
		}
		in.Shape = []int64{1, int64(in.H), int64(in.W), 3}
	default:
		return Input{}, fmt.Errorf("input %s has element type %d, want float32 NCHW or uint8 NHWC", v.GetName(), tt.GetElemType())
	}
	if in.W <= 0 || in.H <= 0 {
		return Input{}, fmt.Errorf("input %s needs a fixed height and width", v.GetName())
	}
	return in, nil
}

// InputSize is the width and height of a model's image input.
func InputSize(path string) (int, int, error) {
	m, err := onnxgraph.Load(path)
	if err != nil {
		return 0, 0, err
	}
	in, err := inputOf(m)
	if err != nil {
		return 0, 0, fmt.Errorf("model %s: %w", path, err)
	}
	return in.W, in.H, nil
}

// runner runs one in-memory model on one image at a time.
type runner struct {
	sess    *ortgo.DynamicAdvancedSession
	in      Input
	input   ortgo.Value
	f32     *ortgo.Tensor[float32]
	u8      *ortgo.Tensor[uint8]
	outputs []string
	values  []ortgo.Value
}

// RuntimeOptions choose the ONNX Runtime library and threads.
type RuntimeOptions struct {
	Library string // "" = internal/ort's usual search
	Threads int    // intra-op threads; 0 = ONNX Runtime's default
}

func (o RuntimeOptions) init() error {
	if ortgo.IsInitialized() && o.Library == "" {
		return nil
	}
	_, err := ort.Ensure(o.Library, "")
	return err
}

func newRunner(model []byte, in Input, outputs []string, o RuntimeOptions) (*runner, error) {
	if err := o.init(); err != nil {
		return nil, err
	}
	opts, err := ortgo.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer opts.Destroy()
	if o.Threads > 0 {
		if err := opts.SetIntraOpNumThreads(o.Threads); err != nil {
			return nil, err
		}
	}
	r := &runner{in: in, outputs: outputs, values: make([]ortgo.Value, len(outputs))}
	if in.Uint8 {
		r.u8, err = ortgo.NewEmptyTensor[uint8](ortgo.NewShape(in.Shape...))
		r.input = r.u8
	} else {
		r.f32, err = ortgo.NewEmptyTensor[float32](ortgo.NewShape(in.Shape...))
		r.input = r.f32
	}
	if err != nil {
		return nil, err
	}
	r.sess, err = ortgo.NewDynamicAdvancedSessionWithONNXData(model, []string{in.Name}, outputs, opts)
	if err != nil {
		r.input.Destroy()
		return nil, fmt.Errorf("onnxruntime: %w", err)
	}
	return r, nil
}

// setImage fills the input from a planar RGB image in [0, 1] at the
// model's size.
func (r *runner) setImage(chw []float32) {
	if r.f32 != nil {
		copy(r.f32.GetData(), chw)
		return
	}
	n := r.in.W * r.in.H
	dst := r.u8.GetData()
	for p := range n {
		for c := range 3 {
			v := chw[c*n+p]*255 + 0.5
			dst[3*p+c] = uint8(min(max(v, 0), 255))
		}
	}
}

// run evaluates the model; the outputs are valid until the next run.
func (r *runner) run(chw []float32) ([][]float32, error) {
	r.release()
	r.setImage(chw)
	if err := r.sess.Run([]ortgo.Value{r.input}, r.values); err != nil {
		return nil, fmt.Errorf("onnxruntime run: %w", err)
	}
	out := make([][]float32, len(r.values))
	for i, v := range r.values {
		if t, ok := v.(*ortgo.Tensor[float32]); ok {
			out[i] = t.GetData()
		}
	}
	return out, nil
}

func (r *runner) release() {
	for i, v := range r.values {
		if v != nil {
			v.Destroy()
			r.values[i] = nil
		}
	}
}

func (r *runner) close() {
	r.release()
	if r.sess != nil {
		r.sess.Destroy()
	}
	r.input.Destroy()
}
