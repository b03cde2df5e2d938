package calibration

import (
	"fmt"
	"math"

	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/onnx/pb"
)

// A plain-Go interpreter for the FP32 test networks, with fake
// quantization: the independent reference the QDQ models are judged
// against. It evaluates the FP32 graph and rounds values where the plan
// quantizes them, instead of executing Q/DQ nodes.

type tensor struct {
	dims []int
	data []float32
}

func (t tensor) size() int { return len(t.data) }

// fakeQuant is QuantizeLinear then DequantizeLinear on grid g: round
// half to even, add the zero point, saturate.
func fakeQuant(x []float32, g Grid) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		q := math.RoundToEven(float64(v/g.Scale)) + float64(g.ZeroPoint)
		q = math.Max(float64(g.Min), math.Min(float64(g.Max), q))
		out[i] = float32(q-float64(g.ZeroPoint)) * g.Scale
	}
	return out
}

// symmetric is the int8 grid of a weight channel.
func symmetric(s float32) Grid { return Grid{Scale: s, Min: -128, Max: 127} }

// refQuant says where the reference rounds.
type refQuant struct {
	plan    Plan
	edges   map[edge]bool   // node input → fake-quantize
	layers  map[string]bool // conv node → int8 weights (+ int32 bias for ORT)
	outputs map[string]bool // tensors quantized at the producer (ORT)
}

func newRefQuant(g *onnxpb.GraphProto, plan Plan) *refQuant {
	q := &refQuant{plan: plan, edges: map[edge]bool{}, layers: map[string]bool{}, outputs: plan.producerQuantized(g)}
	for _, es := range plan.activationEdges(g) {
		for _, e := range es {
			q.edges[e] = true
		}
	}
	for _, l := range plan.Layers {
		q.layers[l.Node] = true
	}
	return q
}

func (q *refQuant) round(t string, x []float32) []float32 {
	g, err := q.plan.Grid(t)
	if err != nil {
		panic(err)
	}
	return fakeQuant(x, g)
}

// interpret runs graph g on one input; q may be nil for plain FP32.
func interpret(g *onnxpb.GraphProto, input tensor, q *refQuant) (map[string]tensor, error) {
	vals := map[string]tensor{}
	for _, init := range g.Initializer {
		d, err := initData(init)
		if err != nil {
			return nil, err
		}
		dims := make([]int, len(init.GetDims()))
		for i, v := range init.GetDims() {
			dims[i] = int(v)
		}
		vals[init.GetName()] = tensor{dims, d}
	}
	vals[g.Input[0].GetName()] = input
	for _, n := range g.Node {
		in := make([]tensor, len(n.Input))
		for k, name := range n.Input {
			if name == "" {
				continue
			}
			v, ok := vals[name]
			if !ok {
				return nil, fmt.Errorf("node %s: input %s not computed", n.GetName(), name)
			}
			if q != nil && (q.edges[edge{n.GetName(), k}] || q.outputs[name]) {
				v = tensor{v.dims, q.round(name, v.data)}
			}
			in[k] = v
		}
		if q != nil && q.layers[n.GetName()] {
			in = q.quantizeConv(in, n)
		}
		out, err := evalNode(n, in)
		if err != nil {
			return nil, fmt.Errorf("node %s (%s): %w", n.GetName(), n.GetOpType(), err)
		}
		vals[n.Output[0]] = out
	}
	return vals, nil
}

// quantizeConv rounds a Conv's weights per output channel and, for ORT,
// its bias to int32 at input scale · weight scale.
func (q *refQuant) quantizeConv(in []tensor, n *onnxpb.NodeProto) []tensor {
	w := in[1]
	oc := w.dims[0]
	per := w.size() / oc
	wq := make([]float32, w.size())
	ws := make([]float32, oc)
	for c := range oc {
		var amax float32
		for _, v := range w.data[c*per : (c+1)*per] {
			amax = max(amax, float32(math.Abs(float64(v))))
		}
		ws[c] = float32(float64(amax) / float64(q.plan.WeightQmax()))
		copy(wq[c*per:], fakeQuant(w.data[c*per:(c+1)*per], symmetric(ws[c])))
	}
	out := append([]tensor(nil), in...)
	out[1] = tensor{w.dims, wq}
	if q.plan.Target == ORT && len(in) > 2 && in[2].data != nil {
		gx, _ := q.plan.Grid(n.Input[0])
		sx := gx.Scale
		bq := make([]float32, oc)
		for c, v := range in[2].data {
			s := sx * ws[c]
			bq[c] = float32(math.RoundToEven(float64(v)/float64(s))) * s
		}
		out[2] = tensor{in[2].dims, bq}
	}
	return out
}

func initData(t *onnxpb.TensorProto) ([]float32, error) {
	switch t.GetDataType() {
	case onnxgraph.Float32:
		return floatData(t)
	case onnxgraph.Int64:
		raw := t.GetRawData()
		out := make([]float32, len(raw)/8)
		for i := range out {
			v := int64(uint64(raw[8*i]) | uint64(raw[8*i+1])<<8 | uint64(raw[8*i+2])<<16 | uint64(raw[8*i+3])<<24 |
				uint64(raw[8*i+4])<<32 | uint64(raw[8*i+5])<<40 | uint64(raw[8*i+6])<<48 | uint64(raw[8*i+7])<<56)
			out[i] = float32(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("initializer %s: type %d not supported by the reference", t.GetName(), t.GetDataType())
}

func attrs(n *onnxpb.NodeProto) map[string]*onnxpb.AttributeProto {
	out := map[string]*onnxpb.AttributeProto{}
	for _, a := range n.Attribute {
		out[a.GetName()] = a
	}
	return out
}

func evalNode(n *onnxpb.NodeProto, in []tensor) (tensor, error) {
	a := attrs(n)
	switch op := n.GetOpType(); op {
	case "Add", "Sub", "Mul", "Div":
		return broadcast(op, in[0], in[1])
	case "Relu":
		return unary(in[0], func(v float32) float32 { return max(v, 0) }), nil
	case "Elu":
		alpha := float32(1)
		if at, ok := a["alpha"]; ok {
			alpha = at.GetF()
		}
		return unary(in[0], func(v float32) float32 {
			if v > 0 {
				return v
			}
			return alpha * float32(math.Expm1(float64(v)))
		}), nil
	case "Sigmoid":
		return unary(in[0], func(v float32) float32 { return float32(1 / (1 + math.Exp(-float64(v)))) }), nil
	case "Cast":
		return in[0], nil
	case "Transpose":
		return transpose(in[0], a["perm"].GetInts()), nil
	case "Conv":
		return conv(in, a["strides"].GetInts()[0], a["pads"].GetInts()[0]), nil
	case "MaxPool":
		return maxPool(in[0], int(a["kernel_shape"].GetInts()[0]), int(a["strides"].GetInts()[0]), int(a["pads"].GetInts()[0])), nil
	case "Pad":
		return pad(in[0], int(in[1].data[2]), string(a["mode"].GetS()) == "reflect"), nil
	case "Resize":
		return upsample(in[0], int(in[2].data[2])), nil
	case "Concat":
		return concat(in), nil
	}
	return tensor{}, fmt.Errorf("op %s not in the reference", n.GetOpType())
}

func unary(x tensor, f func(float32) float32) tensor {
	out := make([]float32, x.size())
	for i, v := range x.data {
		out[i] = f(v)
	}
	return tensor{x.dims, out}
}

// broadcast handles equal shapes, scalars and per-channel [1,C,1,1].
func broadcast(op string, x, y tensor) (tensor, error) {
	idx := func(i int) int { return i }
	switch {
	case y.size() == x.size():
	case y.size() == 1:
		idx = func(int) int { return 0 }
	case len(y.dims) == 4 && y.dims[1] == x.dims[1] && y.size() == x.dims[1]:
		hw := x.dims[2] * x.dims[3]
		idx = func(i int) int { return (i / hw) % x.dims[1] }
	default:
		return tensor{}, fmt.Errorf("broadcast %v with %v", x.dims, y.dims)
	}
	out := make([]float32, x.size())
	for i, v := range x.data {
		w := y.data[idx(i)]
		switch op {
		case "Add":
			out[i] = v + w
		case "Sub":
			out[i] = v - w
		case "Mul":
			out[i] = v * w
		case "Div":
			out[i] = v / w
		}
	}
	return tensor{x.dims, out}, nil
}

func transpose(x tensor, perm []int64) tensor {
	// only NHWC → NCHW is needed
	n, h, w, c := x.dims[0], x.dims[1], x.dims[2], x.dims[3]
	out := make([]float32, x.size())
	for b := range n {
		for y := range h {
			for xx := range w {
				for ch := range c {
					out[((b*c+ch)*h+y)*w+xx] = x.data[((b*h+y)*w+xx)*c+ch]
				}
			}
		}
	}
	return tensor{[]int{n, c, h, w}, out}
}

func conv(in []tensor, stride, pad int64) tensor {
	x, w := in[0], in[1]
	c, h, wd := x.dims[1], x.dims[2], x.dims[3]
	oc, k := w.dims[0], w.dims[2]
	s, p := int(stride), int(pad)
	oh, ow := (h+2*p-k)/s+1, (wd+2*p-k)/s+1
	out := make([]float32, oc*oh*ow)
	for o := range oc {
		var b float32
		if len(in) > 2 && in[2].data != nil {
			b = in[2].data[o]
		}
		for y := range oh {
			for xx := range ow {
				var acc float64
				for ci := range c {
					for ky := range k {
						iy := y*s - p + ky
						if iy < 0 || iy >= h {
							continue
						}
						for kx := range k {
							ix := xx*s - p + kx
							if ix < 0 || ix >= wd {
								continue
							}
							acc += float64(x.data[(ci*h+iy)*wd+ix]) * float64(w.data[((o*c+ci)*k+ky)*k+kx])
						}
					}
				}
				out[(o*oh+y)*ow+xx] = float32(acc) + b
			}
		}
	}
	return tensor{[]int{1, oc, oh, ow}, out}
}

func maxPool(x tensor, k, s, p int) tensor {
	c, h, w := x.dims[1], x.dims[2], x.dims[3]
	oh, ow := (h+2*p-k)/s+1, (w+2*p-k)/s+1
	out := make([]float32, c*oh*ow)
	for ch := range c {
		for y := range oh {
			for xx := range ow {
				m := float32(math.Inf(-1))
				for ky := range k {
					for kx := range k {
						iy, ix := y*s-p+ky, xx*s-p+kx
						if iy >= 0 && iy < h && ix >= 0 && ix < w {
							m = max(m, x.data[(ch*h+iy)*w+ix])
						}
					}
				}
				out[(ch*oh+y)*ow+xx] = m
			}
		}
	}
	return tensor{[]int{1, c, oh, ow}, out}
}

func pad(x tensor, p int, reflect bool) tensor {
	c, h, w := x.dims[1], x.dims[2], x.dims[3]
	oh, ow := h+2*p, w+2*p
	out := make([]float32, c*oh*ow)
	mirror := func(i, n int) (int, bool) {
		switch {
		case i < 0 && reflect:
			return -i, true
		case i >= n && reflect:
			return 2*(n-1) - i, true
		}
		return i, i >= 0 && i < n
	}
	for ch := range c {
		for y := range oh {
			for xx := range ow {
				sy, oky := mirror(y-p, h)
				sx, okx := mirror(xx-p, w)
				if oky && okx {
					out[(ch*oh+y)*ow+xx] = x.data[(ch*h+sy)*w+sx]
				}
			}
		}
	}
	return tensor{[]int{1, c, oh, ow}, out}
}

func upsample(x tensor, f int) tensor {
	c, h, w := x.dims[1], x.dims[2], x.dims[3]
	out := make([]float32, c*h*f*w*f)
	for ch := range c {
		for y := range h * f {
			for xx := range w * f {
				out[(ch*h*f+y)*w*f+xx] = x.data[(ch*h+y/f)*w+xx/f]
			}
		}
	}
	return tensor{[]int{1, c, h * f, w * f}, out}
}

func concat(in []tensor) tensor {
	h, w := in[0].dims[2], in[0].dims[3]
	c := 0
	var out []float32
	for _, t := range in {
		c += t.dims[1]
		out = append(out, t.data...)
	}
	return tensor{[]int{1, c, h, w}, out}
}
