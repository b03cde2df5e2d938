package ort

import (
	"errors"
	"fmt"

	ort "github.com/yalue/onnxruntime_go"
)

// Binding holds one pre-allocated tensor for every input and output of a
// session, bound to it once. Run is then a single call into ONNX Runtime
// that allocates nothing in Go: the per-frame loop writes the input slices
// in place, calls Run and reads the output slices in place.
//
// A Binding is not safe for concurrent use; give each goroutine its own.
type Binding struct {
	sess   *Session
	io     *ort.IoBinding
	values map[string]ort.Value
	shapes map[string][]int64
}

// Bind allocates and binds the tensors. shapes gives the concrete shape of
// any input (or output) with a dynamic dimension; fixed dimensions must
// match the model. Output shapes that depend on the inputs are found by
// one run on zeroed inputs.
func (s *Session) Bind(shapes map[string][]int64) (_ *Binding, err error) {
	if s.sess == nil {
		return nil, errors.New("bind: session is closed")
	}
	b := &Binding{sess: s, values: map[string]ort.Value{}, shapes: map[string][]int64{}}
	defer func() {
		if err != nil {
			b.Close() // frees whatever was allocated before the failure
		}
	}()
	for _, in := range s.inputs {
		if err := b.alloc(in, shapes[in.Name]); err != nil {
			return nil, err
		}
	}
	if err := b.outputShapes(shapes); err != nil {
		return nil, err
	}
	for _, out := range s.outputs {
		if err := b.alloc(out, b.shapes[out.Name]); err != nil {
			return nil, err
		}
	}
	if b.io, err = s.sess.CreateIoBinding(); err != nil {
		return nil, fmt.Errorf("bind %s: %w", s.path, err)
	}
	if err := b.bindAll(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.bindings == nil {
		s.bindings = map[*Binding]bool{}
	}
	s.bindings[b] = true
	s.mu.Unlock()
	return b, nil
}

// alloc creates the tensor for one input or output.
func (b *Binding) alloc(info TensorInfo, want []int64) error {
	shape, err := concreteShape(info, want)
	if err != nil {
		return fmt.Errorf("bind %s: %w", b.sess.path, err)
	}
	v, err := newTensor(info.Type, shape)
	if err != nil {
		return fmt.Errorf("bind %s: %s: %w", b.sess.path, info.Name, err)
	}
	b.values[info.Name] = v
	b.shapes[info.Name] = shape
	return nil
}

// outputShapes fills b.shapes for the outputs: from the model, from the
// caller, or, for dynamic ones, from a run on the zeroed inputs.
func (b *Binding) outputShapes(given map[string][]int64) error {
	probe := false
	for _, out := range b.sess.outputs {
		switch {
		case given[out.Name] != nil:
			b.shapes[out.Name] = given[out.Name]
		case out.Dynamic():
			probe = true
		default:
			b.shapes[out.Name] = out.Shape
		}
	}
	if !probe {
		return nil
	}
	ins := make([]ort.Value, len(b.sess.inputs))
	for i, in := range b.sess.inputs {
		ins[i] = b.values[in.Name]
	}
	outs := make([]ort.Value, len(b.sess.outputs))
	if err := b.sess.sess.Run(ins, outs); err != nil {
		return fmt.Errorf("bind %s: finding output shapes: %s", b.sess.path, ortMessage(err))
	}
	for i, out := range b.sess.outputs {
		if b.shapes[out.Name] == nil {
			b.shapes[out.Name] = outs[i].GetShape()
		}
		outs[i].Destroy()
	}
	return nil
}

func (b *Binding) bindAll() error {
	for _, in := range b.sess.inputs {
		if err := b.io.BindInput(in.Name, b.values[in.Name]); err != nil {
			return fmt.Errorf("bind input %s: %s", in.Name, ortMessage(err))
		}
	}
	for _, out := range b.sess.outputs {
		if err := b.io.BindOutput(out.Name, b.values[out.Name]); err != nil {
			return fmt.Errorf("bind output %s: %s", out.Name, ortMessage(err))
		}
	}
	return nil
}

// Run evaluates the model on the bound inputs into the bound outputs.
func (b *Binding) Run() error {
	if b.io == nil || b.sess.sess == nil {
		return errors.New("run: binding or session is closed")
	}
	if err := b.sess.sess.RunWithBinding(b.io); err != nil {
		return fmt.Errorf("run %s: %s", b.sess.path, ortMessage(err))
	}
	return nil
}

// Float32 is the data of a float32 input or output, to write or read in
// place; it stays valid until Close.
func (b *Binding) Float32(name string) ([]float32, error) { return data[float32](b, name) }

// Uint8 is the data of a uint8 input or output.
func (b *Binding) Uint8(name string) ([]uint8, error) { return data[uint8](b, name) }

// Int8 is the data of an int8 input or output.
func (b *Binding) Int8(name string) ([]int8, error) { return data[int8](b, name) }

// Int64 is the data of an int64 input or output.
func (b *Binding) Int64(name string) ([]int64, error) { return data[int64](b, name) }

// Shape is the bound shape of an input or output (nil if unknown).
func (b *Binding) Shape(name string) []int64 { return append([]int64(nil), b.shapes[name]...) }

// Close frees the tensors and the binding.
func (b *Binding) Close() error {
	if b.io != nil {
		b.io.Destroy()
		b.io = nil
	}
	for name, v := range b.values {
		v.Destroy()
		delete(b.values, name)
	}
	b.sess.mu.Lock()
	delete(b.sess.bindings, b)
	b.sess.mu.Unlock()
	return nil
}

func data[T ort.TensorData](b *Binding, name string) ([]T, error) {
	v, ok := b.values[name]
	if !ok {
		return nil, fmt.Errorf("%s has no input or output %q", b.sess.path, name)
	}
	t, ok := v.(*ort.Tensor[T])
	if !ok {
		var zero T
		return nil, fmt.Errorf("%s: %q is %s, not %T", b.sess.path, name, typeName(ort.TensorElementDataType(v.DataType())), zero)
	}
	return t.GetData(), nil
}

// concreteShape merges the model's shape with the caller's.
func concreteShape(info TensorInfo, want []int64) ([]int64, error) {
	if want == nil {
		if info.Dynamic() {
			return nil, fmt.Errorf("%s has dynamic shape %v: give its shape to Bind", info.Name, info)
		}
		return append([]int64(nil), info.Shape...), nil
	}
	if len(want) != len(info.Shape) {
		return nil, fmt.Errorf("%s: shape %v has rank %d, the model says %v", info.Name, want, len(want), info)
	}
	for i, d := range info.Shape {
		if want[i] <= 0 || (d >= 0 && d != want[i]) {
			return nil, fmt.Errorf("%s: shape %v does not fit the model's %v", info.Name, want, info)
		}
	}
	return append([]int64(nil), want...), nil
}

func newTensor(typ string, shape []int64) (ort.Value, error) {
	s := ort.NewShape(shape...)
	switch typ {
	case "float32":
		return ort.NewEmptyTensor[float32](s)
	case "uint8":
		return ort.NewEmptyTensor[uint8](s)
	case "int8":
		return ort.NewEmptyTensor[int8](s)
	case "int64":
		return ort.NewEmptyTensor[int64](s)
	case "int32":
		return ort.NewEmptyTensor[int32](s)
	}
	return nil, fmt.Errorf("element type %q is not supported here", typ)
}
