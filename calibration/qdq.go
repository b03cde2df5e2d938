package calibration

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/onnx/pb"
)

// Target is the runtime a QDQ model is laid out for. Both give the same
// arithmetic at the quantized layers' inputs; they differ where the two
// runtimes' fusion rules differ.
type Target string

const (
	// TensorRT: Q/DQ on the activation input of every quantized Conv and
	// on the residual input of an Add that follows one; int8 weights
	// through DequantizeLinear; bias stays float (TensorRT's parser
	// rejects an int32 DequantizeLinear) and Conv outputs carry no Q, so
	// TensorRT fuses Conv + bias + activation + the next layer's Q itself.
	TensorRT Target = "tensorrt"
	// ORT: additionally a Q/DQ on every quantized Conv's output and an
	// int32 bias through DequantizeLinear (scale = input scale · weight
	// scale): the DQ → Conv → Q group ONNX Runtime's CPU optimiser turns
	// into an int8 QLinearConv.
	ORT Target = "ort"
)

// ParseTarget reads a --target value.
func ParseTarget(s string) (Target, error) {
	switch t := Target(s); t {
	case TensorRT, ORT:
		return t, nil
	}
	return "", fmt.Errorf("target %q: want tensorrt or ort", s)
}

// Qmax is the largest int8 magnitude of a symmetric range: scale = T/127.
const Qmax = 127

// ScaleOf turns a threshold into the symmetric int8 scale.
func ScaleOf(threshold float64) float32 { return float32(threshold / Qmax) }

// Range is a tensor's calibrated clipping threshold T: values are
// quantized over [−T, T], or [0, T] when the tensor is never negative
// (after a ReLU) and the layout can use that.
type Range struct {
	Threshold   float64
	NonNegative bool
}

// Grid is how one tensor is quantized: x ≈ (q − ZeroPoint)·Scale with q
// saturated to [Min, Max].
type Grid struct {
	Scale     float32
	ZeroPoint int32
	Min, Max  int32
	Unsigned  bool // uint8 (else int8)
}

// Plan says which layers to quantize, for which runtime, with which
// activation ranges.
type Plan struct {
	Target Target
	Layers []Layer          // quantized layers (the rest stay float)
	Ranges map[string]Range // by tensor name
}

// Grid is the quantization of tensor t. TensorRT takes symmetric int8
// only. For ONNX Runtime, whose x86 kernels want uint8 activations, a
// signed tensor uses uint8 with zero point 128 (the same values as int8
// with zero point 0) and a non-negative one uint8 with zero point 0 (twice
// the resolution, and it makes a following ReLU redundant, so ONNX Runtime
// fuses Conv + ReLU + Q into one QLinearConv).
func (p Plan) Grid(t string) (Grid, error) {
	r, ok := p.Ranges[t]
	if !ok || !(r.Threshold > 0) || math.IsInf(r.Threshold, 0) {
		return Grid{}, fmt.Errorf("quantize %s: no usable range (%g)", t, r.Threshold)
	}
	switch {
	case p.Target != ORT:
		return Grid{Scale: ScaleOf(r.Threshold), Min: -128, Max: 127}, nil
	case r.NonNegative:
		return Grid{Scale: float32(r.Threshold / 255), Min: 0, Max: 255, Unsigned: true}, nil
	}
	return Grid{Scale: ScaleOf(r.Threshold), ZeroPoint: 128, Min: 0, Max: 255, Unsigned: true}, nil
}

// edge is one input of one node.
type edge struct {
	node  string
	input int
}

// activationEdges are the node inputs the plan quantizes, by tensor: each
// quantized layer's input, and the inputs of an Add fed by a quantized
// layer other than that layer's own output (TensorRT fuses the Add into
// that Conv and wants the residual in int8).
func (p Plan) activationEdges(g *onnxpb.GraphProto) map[string][]edge {
	out := map[string][]edge{}
	quantized := map[string]bool{}
	for _, l := range p.Layers {
		out[l.Input] = append(out[l.Input], edge{l.Node, 0})
		quantized[l.Output] = true
	}
	types := elemTypes(g)
	for _, n := range g.Node {
		if n.GetOpType() != "Add" || len(n.Input) != 2 {
			continue
		}
		fused := -1
		for k, in := range n.Input {
			if quantized[in] && fused < 0 {
				fused = k
			}
		}
		if fused < 0 {
			continue
		}
		for k, in := range n.Input {
			if k != fused && types[in] == onnxgraph.Float32 && !isInitializer(g, in) {
				out[in] = append(out[in], edge{n.GetName(), k})
			}
		}
	}
	return out
}

// producerQuantized lists, for the ORT layout, the tensors quantized
// once for all their consumers: each quantized Conv's output, or the
// output of the ReLU that is its only consumer (the Q then follows the
// ReLU, which the uint8 zero point makes redundant). Either way the Conv
// feeds a single Q, as ONNX Runtime's QLinearConv fusion requires.
func (p Plan) producerQuantized(g *onnxpb.GraphProto) map[string]bool {
	out := map[string]bool{}
	if p.Target != ORT {
		return out
	}
	outs := map[string]bool{}
	for _, o := range g.Output {
		outs[o.GetName()] = true
	}
	consumers := map[string][]*onnxpb.NodeProto{}
	for _, n := range g.Node {
		for _, in := range n.Input {
			consumers[in] = append(consumers[in], n)
		}
	}
	for _, l := range p.Layers {
		if outs[l.Output] {
			continue
		}
		t := l.Output
		if c := consumers[t]; len(c) == 1 && c[0].GetOpType() == "Relu" && !outs[c[0].Output[0]] {
			t = c[0].Output[0]
		}
		out[t] = true
	}
	return out
}

// Quantized is what QDQ wrote, for reports and tests.
type Quantized struct {
	Layers      []string // layer names with int8 weights
	Activations []string // tensors with a Q/DQ pair, sorted
}

// QDQ returns a copy of src with QuantizeLinear/DequantizeLinear inserted
// by plan: per-channel symmetric int8 weights (axis 0, zero point 0) and
// per-tensor activations on the plan's grids. Every quantized activation
// needs a range.
func QDQ(src *onnxgraph.Model, plan Plan) (*onnxgraph.Model, Quantized, error) {
	data, err := proto.Marshal(src.Proto)
	if err != nil {
		return nil, Quantized{}, err
	}
	m, err := onnxgraph.Parse(data)
	if err != nil {
		return nil, Quantized{}, err
	}
	r := &rewriter{m: m, q: map[string]qparams{}, outQ: map[string]string{}, plan: plan,
		edges: map[edge]string{}, layers: map[string]Layer{}, inits: map[string]*onnxpb.TensorProto{},
		whole: plan.producerQuantized(m.Graph())}
	for _, t := range m.Graph().Initializer {
		r.inits[t.GetName()] = t
	}
	for t, es := range plan.activationEdges(m.Graph()) {
		for _, e := range es {
			r.edges[e] = t
		}
	}
	for _, l := range plan.Layers {
		r.layers[l.Node] = l
	}
	if err := r.run(); err != nil {
		return nil, Quantized{}, err
	}
	q := Quantized{}
	for _, l := range plan.Layers {
		q.Layers = append(q.Layers, l.Name())
	}
	for t := range r.q {
		q.Activations = append(q.Activations, t)
	}
	sort.Strings(q.Activations)
	return m, q, m.Validate()
}

type rewriter struct {
	m      *onnxgraph.Model
	plan   Plan
	whole  map[string]bool  // tensors quantized for all consumers (ORT)
	edges  map[edge]string  // quantized node input → tensor
	layers map[string]Layer // quantized layers by node name
	inits  map[string]*onnxpb.TensorProto
	q      map[string]qparams // tensor → its scale and zero point
	outs   map[string]bool    // graph outputs
	// outQ: the QuantizeLinear output of a tensor in whole; each of its
	// consumers reads its own DequantizeLinear of it.
	outQ map[string]string
	err  error
}

// qparams names a tensor's scale and zero point initializers.
type qparams struct {
	scale, zp string
	grid      Grid
}

func (r *rewriter) run() error {
	g := r.m.Graph()
	r.outs = map[string]bool{}
	for _, o := range g.Output {
		r.outs[o.GetName()] = true
	}
	nodes := g.Node
	g.Node = nil // rebuilt in order; the builder helpers append to it
	replaced := map[string]bool{}
	for _, n := range nodes {
		for k, in := range n.Input {
			if q, ok := r.outQ[in]; ok {
				n.Input[k] = r.dequant(in, q)
			} else if t, ok := r.edges[edge{n.GetName(), k}]; ok && t == in {
				n.Input[k] = r.pair(in)
			}
		}
		l, quantized := r.layers[n.GetName()]
		if quantized {
			r.quantizeLayer(n, l)
			replaced[l.Weight] = true
			if r.plan.Target == ORT && l.Bias != "" {
				replaced[l.Bias] = true
			}
		}
		g.Node = append(g.Node, n)
		for _, o := range n.Output {
			if r.whole[o] {
				r.outQ[o] = r.quant(o) // every later consumer dequantizes it
			}
		}
	}
	r.dropUnused(replaced)
	if r.err != nil {
		return r.err
	}
	return r.m.Err()
}

// params returns tensor t's scale and zero point initializers.
func (r *rewriter) params(t string) qparams {
	if q, ok := r.q[t]; ok {
		return q
	}
	g, err := r.plan.Grid(t)
	if err != nil {
		r.fail(err)
		g = Grid{Scale: 1}
	}
	q := qparams{scale: r.m.Float32Init(t+"_scale", nil, []float32{g.Scale}), grid: g}
	if g.Unsigned {
		q.zp = r.m.Uint8Init(t+"_zero_point", nil, []uint8{uint8(g.ZeroPoint)})
	} else {
		q.zp = r.m.Int8Init(t+"_zero_point", nil, []int8{int8(g.ZeroPoint)})
	}
	r.q[t] = q
	return q
}

// pair adds a QuantizeLinear → DequantizeLinear of t and returns the
// dequantized value. Each consumer gets its own pair (ONNX Runtime fuses
// DQ → Conv → Q only when the DQ feeds nothing else; TensorRT does not
// mind).
func (r *rewriter) pair(t string) string { return r.dequant(t, r.quant(t)) }

// quant adds a QuantizeLinear of t and returns its output.
func (r *rewriter) quant(t string) string {
	p := r.params(t)
	return r.node("QuantizeLinear", t+"_QuantizeLinear", []string{t, p.scale, p.zp}, t+"_quantized")
}

// dequant adds a DequantizeLinear of t's quantized value q.
func (r *rewriter) dequant(t, q string) string {
	p := r.params(t)
	return r.node("DequantizeLinear", t+"_DequantizeLinear", []string{q, p.scale, p.zp}, t+"_dequantized")
}

// node appends an operator with readable, unique names and returns its
// output.
func (r *rewriter) node(op, name string, inputs []string, output string, attrs ...*onnxpb.AttributeProto) string {
	out := r.m.Unique(output)
	r.m.Graph().Node = append(r.m.Graph().Node, &onnxpb.NodeProto{
		OpType: proto.String(op), Name: proto.String(r.m.Unique(name)),
		Input: inputs, Output: []string{out}, Attribute: attrs,
	})
	return out
}

// quantizeLayer routes the Conv's weight (and, for ORT, its bias) through
// DequantizeLinear of int8 (int32) initializers.
func (r *rewriter) quantizeLayer(n *onnxpb.NodeProto, l Layer) {
	w := r.inits[l.Weight]
	wf, err := floatData(w)
	if err != nil {
		r.fail(err)
		return
	}
	dims := w.GetDims()
	q, ws := QuantizeWeights(wf, int(dims[0]), r.plan.WeightQmax())
	wq := r.m.Int8Init(l.Weight+"_quantized", dims, q)
	wscale := r.m.Float32Init(l.Weight+"_scale", []int64{dims[0]}, ws)
	wzp := r.m.Int8Init(l.Weight+"_zero_point", []int64{dims[0]}, make([]int8, dims[0]))
	n.Input[1] = r.node("DequantizeLinear", l.Weight+"_DequantizeLinear", []string{wq, wscale, wzp}, l.Weight+"_dequantized", onnxgraph.Int("axis", 0))
	if r.plan.Target != ORT || l.Bias == "" {
		return
	}
	bf, err := floatData(r.inits[l.Bias])
	if err != nil {
		r.fail(err)
		return
	}
	gx, err := r.plan.Grid(l.Input)
	if err != nil {
		r.fail(err)
		return
	}
	bq, bs := QuantizeBias(bf, gx.Scale, ws)
	bname := r.int32Init(l.Bias+"_quantized", []int64{int64(len(bq))}, bq)
	bscale := r.m.Float32Init(l.Bias+"_scale", []int64{int64(len(bs))}, bs)
	n.Input[2] = r.node("DequantizeLinear", l.Bias+"_DequantizeLinear", []string{bname, bscale}, l.Bias+"_dequantized", onnxgraph.Int("axis", 0))
}

func (r *rewriter) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *rewriter) int32Init(name string, dims []int64, data []int32) string {
	name = r.m.Unique(name)
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], uint32(v))
	}
	r.m.Graph().Initializer = append(r.m.Graph().Initializer, &onnxpb.TensorProto{
		Name: proto.String(name), DataType: proto.Int32(onnxgraph.Int32), Dims: dims, RawData: raw,
	})
	return name
}

// dropUnused removes the float weights the quantized copies replaced,
// unless something else still reads them.
func (r *rewriter) dropUnused(replaced map[string]bool) {
	g := r.m.Graph()
	used := map[string]bool{}
	for _, n := range g.Node {
		for _, in := range n.Input {
			used[in] = true
		}
	}
	g.Initializer = slices.DeleteFunc(g.Initializer, func(t *onnxpb.TensorProto) bool {
		return replaced[t.GetName()] && !used[t.GetName()]
	})
}

// WeightQmax is the largest weight magnitude of the target's int8 grid.
// ONNX Runtime gets 7-bit weights (±63, its quantizer's reduce_range): on
// x86 without VNNI its uint8×int8 kernels add pairs of products in int16
// (VPMADDUBSW), which saturates for 255·127·2 and moved the test model's
// output by 0.29 on an AVX2-only EPYC; 255·63·2 fits. TensorRT computes
// in int32 and keeps all 8 bits.
func (p Plan) WeightQmax() int {
	if p.Target == ORT {
		return 63
	}
	return Qmax
}

// QuantizeWeights quantizes a weight tensor per output channel (the first
// axis, channels of equal size): scale = max|w|/qmax, q = round(w/scale)
// (half to even, as QuantizeLinear rounds). An all-zero channel gets scale 1.
func QuantizeWeights(w []float32, channels, qmax int) ([]int8, []float32) {
	per := len(w) / channels
	q := make([]int8, len(w))
	scales := make([]float32, channels)
	lim := float64(qmax)
	for c := range channels {
		ch := w[c*per : (c+1)*per]
		var amax float64
		for _, v := range ch {
			amax = math.Max(amax, math.Abs(float64(v)))
		}
		s := float32(amax / lim)
		if !(s > 0) {
			s = 1
		}
		scales[c] = s
		for i, v := range ch {
			q[c*per+i] = int8(math.Max(-lim, math.Min(lim, math.RoundToEven(float64(v)/float64(s)))))
		}
	}
	return q, scales
}

// QuantizeBias is the int32 bias of a quantized Conv: scale_c = input
// scale · weight scale_c (computed in float32, as ONNX Runtime does),
// q = round(b/scale).
func QuantizeBias(b []float32, inputScale float32, weightScales []float32) ([]int32, []float32) {
	q := make([]int32, len(b))
	s := make([]float32, len(b))
	for c, v := range b {
		s[c] = inputScale * weightScales[c]
		x := math.RoundToEven(float64(v) / float64(s[c]))
		q[c] = int32(math.Max(math.MinInt32, math.Min(math.MaxInt32, x)))
	}
	return q, s
}

// floatData decodes a float32 initializer (raw_data or float_data).
func floatData(t *onnxpb.TensorProto) ([]float32, error) {
	if t == nil {
		return nil, fmt.Errorf("missing initializer")
	}
	if t.GetDataType() != onnxgraph.Float32 {
		return nil, fmt.Errorf("initializer %s: element type %d, want float32", t.GetName(), t.GetDataType())
	}
	if raw := t.GetRawData(); raw != nil {
		out := make([]float32, len(raw)/4)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return out, nil
	}
	return append([]float32(nil), t.GetFloatData()...), nil
}

// SelectLayers returns the model's layers minus those named in keep (by
// layer name, node name or weight name); an unknown name is an error
// listing the layers there are.
func SelectLayers(all []Layer, keep []string) ([]Layer, error) {
	drop := map[string]bool{}
	for _, k := range keep {
		found := false
		for _, l := range all {
			if k == l.Name() || k == l.Node || k == l.Weight {
				drop[l.Node], found = true, true
			}
		}
		if !found {
			names := make([]string, len(all))
			for i, l := range all {
				names[i] = l.Name()
			}
			return nil, fmt.Errorf("--keep-fp32 %q: no such layer; layers: %s", k, strings.Join(names, ", "))
		}
	}
	var out []Layer
	for _, l := range all {
		if !drop[l.Node] {
			out = append(out, l)
		}
	}
	return out, nil
}
