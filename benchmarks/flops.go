package benchmarks

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/onnx/pb"
)

// FLOPs is an ONNX graph's arithmetic per inference, counted from the
// graph itself (shapes propagated from the inputs and initializers):
//
//   - Conv, MatMul, Gemm: 2 FLOPs per multiply-accumulate (the convention
//     GFLOP/s peaks are quoted in), plus one per output for a bias;
//   - element-wise arithmetic and activations: one per output element;
//   - MaxPool: k·k−1 comparisons per output;
//   - data movement (Slice, Concat, Pad, Resize, Cast, Transpose, Q/DQ): 0.
type FLOPs struct {
	MACs  int64            // multiply-accumulates of Conv, MatMul and Gemm
	Total int64            // every counted FLOP
	ByOp  map[string]int64 // FLOPs per operator type
}

// GFLOPs is Total in units of 1e9.
func (f FLOPs) GFLOPs() float64 { return float64(f.Total) / 1e9 }

// CountFLOPs counts m's FLOPs for one inference; a symbolic (dynamic)
// dimension counts as 1, so a dynamic-batch model is counted at batch 1.
// An operator it has no shape rule for is an error naming it: a silent
// zero would understate the model.
func CountFLOPs(m *onnxgraph.Model) (FLOPs, error) {
	g := m.Graph()
	s := &shapes{dims: map[string][]int64{}, inits: map[string]*onnxpb.TensorProto{}}
	for _, t := range g.GetInitializer() {
		s.dims[t.GetName()], s.inits[t.GetName()] = t.GetDims(), t
	}
	for _, in := range g.GetInput() {
		if _, ok := s.dims[in.GetName()]; !ok {
			s.dims[in.GetName()] = inputDims(in)
		}
	}
	f := FLOPs{ByOp: map[string]int64{}}
	for _, n := range g.GetNode() {
		out, flops, err := s.node(n)
		if err != nil {
			return FLOPs{}, fmt.Errorf("count FLOPs: node %s (%s): %w", n.GetName(), n.GetOpType(), err)
		}
		for i, o := range n.GetOutput() {
			if i < len(out) {
				s.dims[o] = out[i]
			}
		}
		f.ByOp[n.GetOpType()] += flops
		f.Total += flops
		if op := n.GetOpType(); op == "Conv" || op == "MatMul" || op == "Gemm" {
			f.MACs += s.macs
		}
	}
	return f, nil
}

// inputDims reads a graph input's shape; symbolic dimensions count as 1.
func inputDims(v *onnxpb.ValueInfoProto) []int64 {
	var d []int64
	for _, dim := range v.GetType().GetTensorType().GetShape().GetDim() {
		d = append(d, max(dim.GetDimValue(), 1))
	}
	return d
}

// shapes propagates tensor shapes through a graph in node order (ONNX
// graphs are topologically sorted).
type shapes struct {
	dims  map[string][]int64
	inits map[string]*onnxpb.TensorProto
	macs  int64 // of the last node counted
}

func (s *shapes) in(n *onnxpb.NodeProto, i int) ([]int64, error) {
	if i >= len(n.GetInput()) || n.GetInput()[i] == "" {
		return nil, fmt.Errorf("input %d missing", i)
	}
	d, ok := s.dims[n.GetInput()[i]]
	if !ok {
		return nil, fmt.Errorf("input %q has no known shape", n.GetInput()[i])
	}
	return d, nil
}

// node returns n's output shapes and FLOPs.
func (s *shapes) node(n *onnxpb.NodeProto) ([][]int64, int64, error) {
	s.macs = 0
	x, err := s.in(n, 0)
	if err != nil {
		return nil, 0, err
	}
	switch op := n.GetOpType(); op {
	case "Relu", "Elu", "Sigmoid", "Reciprocal", "Sqrt", "Exp", "Log", "Neg", "Abs", "Tanh", "LeakyRelu", "Clip":
		return [][]int64{x}, numel(x), nil
	case "Identity", "Cast", "QuantizeLinear", "DequantizeLinear":
		return [][]int64{x}, 0, nil
	case "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min":
		return s.elementwise(n, x)
	case "Conv":
		return s.conv(n, x)
	case "MatMul", "Gemm":
		return s.matmul(n, x)
	case "MaxPool", "AveragePool":
		return s.pool(n, x)
	case "Concat":
		return s.concat(n, x)
	case "Transpose":
		perm := intsAttr(n, "perm", nil)
		out := make([]int64, len(x))
		for i, p := range perm {
			out[i] = x[p]
		}
		return [][]int64{out}, 0, nil
	case "Pad":
		return s.pad(n, x)
	case "Slice":
		return s.slice(n, x)
	case "Resize":
		return s.resize(n, x)
	default:
		return nil, 0, fmt.Errorf("no shape rule for operator %s", op)
	}
}

func (s *shapes) elementwise(n *onnxpb.NodeProto, a []int64) ([][]int64, int64, error) {
	b, err := s.in(n, 1)
	if err != nil {
		return nil, 0, err
	}
	out, err := broadcast(a, b)
	if err != nil {
		return nil, 0, err
	}
	return [][]int64{out}, numel(out), nil
}

// broadcast is NumPy's rule: align right, sizes equal or 1.
func broadcast(a, b []int64) ([]int64, error) {
	if len(b) > len(a) {
		a, b = b, a
	}
	out := append([]int64(nil), a...)
	for i := range b {
		j := len(a) - len(b) + i
		switch {
		case b[i] == a[j] || b[i] == 1:
		case a[j] == 1:
			out[j] = b[i]
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

// conv: weight [Cout, Cin/group, kh, kw]; explicit pads (auto_pad unset,
// as every exporter here writes it).
func (s *shapes) conv(n *onnxpb.NodeProto, x []int64) ([][]int64, int64, error) {
	w, err := s.in(n, 1)
	if err != nil {
		return nil, 0, err
	}
	if len(x) != 4 || len(w) != 4 {
		return nil, 0, fmt.Errorf("2-D conv wants 4-D input and weight, got %v and %v", x, w)
	}
	h, wd := window2D(n, x, w[2:], intsAttr(n, "dilations", []int64{1, 1}))
	out := []int64{x[0], w[0], h, wd}
	s.macs = numel(out) * w[1] * w[2] * w[3]
	flops := 2 * s.macs
	if len(n.GetInput()) > 2 && n.GetInput()[2] != "" {
		flops += numel(out) // bias
	}
	return [][]int64{out}, flops, nil
}

// window2D is the output height and width of a sliding window of size k.
func window2D(n *onnxpb.NodeProto, x, k, dil []int64) (int64, int64) {
	pads := intsAttr(n, "pads", []int64{0, 0, 0, 0})
	st := intsAttr(n, "strides", []int64{1, 1})
	size := func(i int) int64 {
		span := dil[i]*(k[i]-1) + 1
		return (x[2+i]+pads[i]+pads[i+2]-span)/st[i] + 1
	}
	return size(0), size(1)
}

func (s *shapes) pool(n *onnxpb.NodeProto, x []int64) ([][]int64, int64, error) {
	k := intsAttr(n, "kernel_shape", nil)
	if len(x) != 4 || len(k) != 2 {
		return nil, 0, fmt.Errorf("2-D pooling wants a 4-D input and a 2-D kernel, got %v and %v", x, k)
	}
	h, w := window2D(n, x, k, []int64{1, 1})
	out := []int64{x[0], x[1], h, w}
	return [][]int64{out}, numel(out) * (k[0]*k[1] - 1), nil
}

// matmul covers MatMul on 2-D or batched operands and Gemm (optionally
// transposed, with C added).
func (s *shapes) matmul(n *onnxpb.NodeProto, a []int64) ([][]int64, int64, error) {
	b, err := s.in(n, 1)
	if err != nil {
		return nil, 0, err
	}
	if len(a) < 2 || len(b) < 2 {
		return nil, 0, fmt.Errorf("matrix product wants ≥2-D operands, got %v and %v", a, b)
	}
	m, k, k2, nn := a[len(a)-2], a[len(a)-1], b[len(b)-2], b[len(b)-1]
	if n.GetOpType() == "Gemm" {
		if intAttr(n, "transA", 0) == 1 {
			m, k = k, m
		}
		if intAttr(n, "transB", 0) == 1 {
			k2, nn = nn, k2
		}
	}
	if k != k2 {
		return nil, 0, fmt.Errorf("inner dimensions %d and %d differ", k, k2)
	}
	batch, err := broadcast(a[:len(a)-2], b[:len(b)-2])
	if err != nil {
		return nil, 0, err
	}
	out := append(batch, m, nn)
	s.macs = numel(out) * k
	flops := 2 * s.macs
	if n.GetOpType() == "Gemm" && len(n.GetInput()) > 2 && n.GetInput()[2] != "" {
		flops += numel(out)
	}
	return [][]int64{out}, flops, nil
}

func (s *shapes) concat(n *onnxpb.NodeProto, x []int64) ([][]int64, int64, error) {
	axis := norm(intAttr(n, "axis", 0), len(x))
	out := append([]int64(nil), x...)
	for i := 1; i < len(n.GetInput()); i++ {
		d, err := s.in(n, i)
		if err != nil {
			return nil, 0, err
		}
		out[axis] += d[axis]
	}
	return [][]int64{out}, 0, nil
}

// pad: pads from the second input (opset ≥ 11) or the attribute.
func (s *shapes) pad(n *onnxpb.NodeProto, x []int64) ([][]int64, int64, error) {
	pads := intsAttr(n, "pads", nil)
	if len(n.GetInput()) > 1 {
		var err error
		if pads, err = s.int64s(n.GetInput()[1]); err != nil {
			return nil, 0, err
		}
	}
	if len(pads) != 2*len(x) {
		return nil, 0, fmt.Errorf("%d pads for a %d-D input", len(pads), len(x))
	}
	out := make([]int64, len(x))
	for i := range x {
		out[i] = x[i] + pads[i] + pads[i+len(x)]
	}
	return [][]int64{out}, 0, nil
}

// slice: starts, ends, axes, steps as constant inputs (opset ≥ 10),
// clamped like ONNX does.
func (s *shapes) slice(n *onnxpb.NodeProto, x []int64) ([][]int64, int64, error) {
	var args [4][]int64
	for i := range args {
		if i+1 < len(n.GetInput()) && n.GetInput()[i+1] != "" {
			v, err := s.int64s(n.GetInput()[i+1])
			if err != nil {
				return nil, 0, err
			}
			args[i] = v
		}
	}
	starts, ends, axes, steps := args[0], args[1], args[2], args[3]
	out := append([]int64(nil), x...)
	for i := range starts {
		ax, step := i, int64(1)
		if axes != nil {
			ax = norm(axes[i], len(x))
		}
		if steps != nil {
			step = steps[i]
		}
		out[ax] = sliceLen(x[ax], starts[i], ends[i], step)
	}
	return [][]int64{out}, 0, nil
}

// sliceLen is the length of dim[start:end:step] with ONNX's clamping.
func sliceLen(dim, start, end, step int64) int64 {
	clamp := func(v, lo, hi int64) int64 {
		if v < 0 {
			v += dim
		}
		return min(max(v, lo), hi)
	}
	if step > 0 {
		s, e := clamp(start, 0, dim), clamp(end, 0, dim)
		return max(0, (e-s+step-1)/step)
	}
	s, e := clamp(start, -1, dim-1), clamp(end, -1, dim-1)
	return max(0, (s-e-step-1)/-step)
}

// resize: scales (third input) or sizes (fourth input).
func (s *shapes) resize(n *onnxpb.NodeProto, x []int64) ([][]int64, int64, error) {
	in := n.GetInput()
	if len(in) > 3 && in[3] != "" {
		sizes, err := s.int64s(in[3])
		return [][]int64{sizes}, 0, err
	}
	if len(in) < 3 {
		return nil, 0, fmt.Errorf("no scales or sizes")
	}
	scales, err := s.float32s(in[2])
	if err != nil {
		return nil, 0, err
	}
	if len(scales) != len(x) {
		return nil, 0, fmt.Errorf("%d scales for a %d-D input", len(scales), len(x))
	}
	out := make([]int64, len(x))
	for i := range x {
		out[i] = int64(math.Floor(float64(x[i]) * float64(scales[i])))
	}
	return [][]int64{out}, 0, nil
}

// int64s reads a constant int64 tensor (an initializer).
func (s *shapes) int64s(name string) ([]int64, error) {
	t, ok := s.inits[name]
	if !ok || t.GetDataType() != onnxgraph.Int64 {
		return nil, fmt.Errorf("%q is not a constant int64 tensor", name)
	}
	if raw := t.GetRawData(); len(raw) > 0 {
		v := make([]int64, len(raw)/8)
		for i := range v {
			v[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		return v, nil
	}
	return t.GetInt64Data(), nil
}

// float32s reads a constant float32 tensor (an initializer).
func (s *shapes) float32s(name string) ([]float32, error) {
	t, ok := s.inits[name]
	if !ok || t.GetDataType() != onnxgraph.Float32 {
		return nil, fmt.Errorf("%q is not a constant float32 tensor", name)
	}
	if raw := t.GetRawData(); len(raw) > 0 {
		v := make([]float32, len(raw)/4)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return v, nil
	}
	return t.GetFloatData(), nil
}

func numel(d []int64) int64 {
	n := int64(1)
	for _, v := range d {
		n *= v
	}
	return n
}

// norm turns a negative axis into its positive index.
func norm(axis int64, rank int) int {
	if axis < 0 {
		axis += int64(rank)
	}
	return int(axis)
}

func intAttr(n *onnxpb.NodeProto, name string, def int64) int64 {
	for _, a := range n.GetAttribute() {
		if a.GetName() == name {
			return a.GetI()
		}
	}
	return def
}

func intsAttr(n *onnxpb.NodeProto, name string, def []int64) []int64 {
	for _, a := range n.GetAttribute() {
		if a.GetName() == name {
			return a.GetInts()
		}
	}
	return def
}
